import { DomainError, ErrorCode, deploymentDecider, jobDecider, type Job } from '@berth/domain';
import type { Logger } from '@berth/service';
import { SCHEDULER_ACTOR, type CommandExecutor } from './command-executor';
import { Aggregate, type BerthView } from '@berth/read-model';

/** setTimeout cannot wait longer than 2^31-1 ms; the timer is re-armed after a long wait anyway. */
const MAX_DELAY_MS = 3_600_000;
/** after a sweep that left an expired job behind (e.g. the store was unavailable) */
const RETRY_MS = 1_000;

/**
 * Helios's job expiry: a job past its `expires` is undeployed from every
 * host and removed. The deadline is the job's own field (in the JobCreated
 * event), so nothing about the timer needs to survive a restart: the leader
 * sweeps when it takes up its duties, then sleeps until the next deadline
 * (re-armed whenever a job is created).
 */
export class JobExpiry {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private unlisten: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly executor: CommandExecutor,
    private readonly view: BerthView,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.stopped = false;
    this.unlisten = this.view.projection.onEvent((event) => {
      if (event.aggregate === Aggregate.JOB && event.type === 'JobCreated') this.arm();
    });
    this.runSweep();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Undeploys and removes every job past its deadline; returns their ids. */
  async sweep(): Promise<string[]> {
    const now = this.now();
    const expired = [...this.view.jobs().values()].filter((job) => deadlineOf(job) <= now);
    for (const job of expired) await this.expire(job);
    return expired.map((job) => job.id);
  }

  private async expire(job: Job): Promise<void> {
    const origin = { actor: SCHEDULER_ACTOR, correlationId: `expiry:${job.id}` };
    this.logger.info({ jobId: job.id, expires: job.expires }, 'job expired: undeploying and removing it');
    for (const [host, state] of this.view.allDeployments()) {
      const deployment = state.deployments[job.id];
      if (!deployment) continue;
      const group = deployment.deploymentGroupName === undefined ? {} : { deploymentGroupName: deployment.deploymentGroupName };
      await ignoring(ErrorCode.JOB_NOT_DEPLOYED, () =>
        this.executor.execute(
          Aggregate.DEPLOYMENT,
          host,
          deploymentDecider,
          (_, time) => ({ type: 'Undeploy' as const, host, hostRegistered: this.view.host(host) !== undefined, jobId: job.id, token: deployment.token, ...group, time }),
          origin,
        ),
      );
    }
    const stillDeployed = this.view.allDeployments().some(([, state]) => state.deployments[job.id] !== undefined);
    if (stillDeployed) {
      this.logger.warn({ jobId: job.id }, 'expired job is still deployed somewhere; not removed');
      return;
    }
    await ignoring(ErrorCode.JOB_NOT_FOUND, () =>
      this.executor.execute(Aggregate.JOB, job.id, jobDecider, (_, time) => ({ type: 'RemoveJob' as const, jobId: job.id, token: job.token, time }), origin),
    );
  }

  private runSweep(): void {
    this.running = this.running
      .then(() => (this.stopped ? [] : this.sweep()))
      .then(
        () => undefined,
        (err: unknown) => this.logger.warn({ err }, 'job expiry sweep failed; retrying at the next deadline'),
      )
      .then(() => this.arm());
  }

  /** Sleeps until the earliest deadline of the jobs that have one. */
  private arm(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const deadlines = [...this.view.jobs().values()].map(deadlineOf).filter((d) => Number.isFinite(d));
    if (deadlines.length === 0) return;
    const next = Math.min(...deadlines) - this.now();
    const delay = next <= 0 ? RETRY_MS : Math.min(next, MAX_DELAY_MS);
    this.timer = setTimeout(() => this.runSweep(), delay);
    this.timer.unref();
  }
}

function deadlineOf(job: Job): number {
  return job.expires === undefined ? Number.POSITIVE_INFINITY : Date.parse(job.expires);
}

async function ignoring(code: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (!(err instanceof DomainError && err.code === code)) throw err;
  }
}
