import { ImageState, agentSubjects, readPrepareImageMessage, type DesiredState, type ImageStatus, type TaskStatusReport } from '@berth/contracts';
import type { TaskState, ThrottleState } from '@berth/domain';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';

/**
 * What a fake agent reports for a job that appears in its desired state;
 * `silent`: nothing; `CRASH_LOOP`: RUNNING, then at once EXITED with exit
 * code 3 and FLAPPING (a container that dies right after it starts).
 */
export type FakeOutcome = 'RUNNING' | 'FAILED' | 'CRASH_LOOP' | 'silent';

/** Extra facts of one task report (its goal, an exit's code, the agent's throttle). */
export interface FakeTaskFacts {
  /** Default START; UNDEPLOY for the stop of an undeployed task. */
  readonly goal?: 'START' | 'STOP' | 'UNDEPLOY';
  readonly exitCode?: number;
  readonly throttled?: ThrottleState;
  /** the container's effective environment */
  readonly env?: Readonly<Record<string, string>>;
}

/** What a fake agent answers to PrepareImage (PULLED by default); `silent`: nothing. */
export type FakeImageOutcome = ImageState | 'silent';

/**
 * Plays the agents of a fleet over the real agent protocol, without
 * containers: registers each host on `berth.agent.<h>.register`, heartbeats,
 * listens to `berth.host.<h>.desired` and, for every START task that
 * appears there, publishes a TaskStatusReport into BERTH_STATUS with the
 * outcome the test chose for that host and job (RUNNING by default).
 * It answers PrepareImage on `berth.host.<h>.prepare-image` with an image
 * status (PULLED by default) and counts the requests per host.
 */
export class FakeAgents {
  private readonly js: JetStreamClient;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly imageSubscriptions: Subscription[] = [];
  private readonly imageOutcomes = new Map<string, FakeImageOutcome>();
  /** PrepareImage messages received, per host. */
  readonly prepareRequests = new Map<string, number>();
  private readonly reported = new Map<string, Set<string>>();
  private readonly outcomes = new Map<string, FakeOutcome>();
  private readonly silenced = new Set<string>();
  /** Last state reported per host and job, for full reports. */
  private readonly states = new Map<string, Map<string, TaskState>>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly fullReports: NodeJS.Timeout | undefined;

  /**
   * `fullReportEveryMs`: like the real agent's `--full-report-interval`, every
   * host re-reports all its tasks' last states periodically (what gets a
   * new leader reports an old one took but never acknowledged).
   */
  constructor(
    private readonly nc: NatsConnection,
    options: { readonly fullReportEveryMs?: number } = {},
  ) {
    this.js = jetstream(nc);
    if (options.fullReportEveryMs !== undefined) {
      this.fullReports = setInterval(() => void this.reportAll().catch(() => undefined), options.fullReportEveryMs);
      this.fullReports.unref();
    }
    this.heartbeat = setInterval(() => {
      for (const host of this.subscriptions.keys()) {
        if (this.silenced.has(host)) continue;
        this.nc.publish(agentSubjects(host).heartbeat, JSON.stringify({ host, agentId: agentIdOf(host), time: new Date().toISOString() }));
      }
    }, 500);
    this.heartbeat.unref();
  }

  /** What `host` reports for `jobId` (or for every job when jobId is omitted) from now on. */
  setOutcome(host: string, outcome: FakeOutcome, jobId?: string): void {
    this.outcomes.set(`${host}\n${jobId ?? '*'}`, outcome);
  }

  /** What `host` answers to PrepareImage from now on. */
  setImageOutcome(host: string, outcome: FakeImageOutcome): void {
    this.imageOutcomes.set(host, outcome);
  }

  /** Registers (or re-registers with new labels) and starts listening for desired state and PrepareImage. */
  async register(host: string, labels: Record<string, string>): Promise<void> {
    if (!this.subscriptions.has(host)) {
      this.reported.set(host, new Set());
      this.subscriptions.set(host, this.nc.subscribe(agentSubjects(host).desired, { callback: (_err, msg) => void this.onDesired(host, msg.json()) }));
      this.imageSubscriptions.push(this.nc.subscribe(agentSubjects(host).prepareImage, { callback: (_err, msg) => void this.onPrepareImage(host, msg.json()) }));
      await this.nc.flush();
    }
    const reply = await this.nc.request(agentSubjects(host).register, JSON.stringify({ host, agentId: agentIdOf(host), labels, info: {} }), { timeout: 5_000 });
    const body = reply.json() as { ok: boolean; error?: unknown };
    if (!body.ok) throw new Error(`registration of ${host} failed: ${JSON.stringify(body.error)}`);
  }

  /** The host's agent stops heartbeating (the scheduler marks it DOWN after --host-down-after); `resume` starts again. */
  silence(host: string): void {
    this.silenced.add(host);
  }

  resume(host: string): void {
    this.silenced.delete(host);
  }

  stop(): void {
    clearInterval(this.heartbeat);
    if (this.fullReports) clearInterval(this.fullReports);
    for (const subscription of [...this.subscriptions.values(), ...this.imageSubscriptions]) subscription.unsubscribe();
  }

  private async onPrepareImage(host: string, received: unknown): Promise<void> {
    const request = readPrepareImageMessage(received);
    if (request === undefined || this.silenced.has(host)) return;
    this.prepareRequests.set(host, (this.prepareRequests.get(host) ?? 0) + 1);
    const outcome = this.imageOutcomes.get(host) ?? ImageState.PULLED;
    if (outcome === 'silent') return;
    const time = new Date().toISOString();
    const { image, rolloutId, jobId } = request;
    const status: ImageStatus = { image, rolloutId, jobId, state: outcome, ...(outcome === ImageState.PULLED ? {} : { error: `fake ${outcome}` }), time };
    const report: TaskStatusReport = { host, agentId: agentIdOf(host), time, full: false, tasks: [], images: [status] };
    await this.js.publish(agentSubjects(host).status, JSON.stringify(report));
  }

  private outcome(host: string, jobId: string): FakeOutcome {
    return this.outcomes.get(`${host}\n${jobId}`) ?? this.outcomes.get(`${host}\n*`) ?? 'RUNNING';
  }

  private async onDesired(host: string, desired: DesiredState): Promise<void> {
    const reported = this.reported.get(host) ?? new Set<string>();
    const wanted = new Set(desired.tasks.filter((task) => task.goal === 'START').map((task) => task.jobId));
    for (const jobId of [...reported]) {
      if (wanted.has(jobId)) continue;
      reported.delete(jobId);
      this.states.get(host)?.delete(jobId);
    }
    for (const jobId of wanted) {
      if (reported.has(jobId)) continue;
      reported.add(jobId);
      const outcome = this.outcome(host, jobId);
      if (outcome === 'CRASH_LOOP') {
        await this.report(host, jobId, 'RUNNING');
        await this.report(host, jobId, 'EXITED', { exitCode: 3, throttled: 'FLAPPING' });
      } else if (outcome !== 'silent') await this.report(host, jobId, outcome);
    }
  }

  /** Reports `state` for `jobId` on `host` now, as an agent would after a change. */
  async report(host: string, jobId: string, state: TaskState, facts: FakeTaskFacts = {}): Promise<void> {
    const states = this.states.get(host) ?? new Map<string, TaskState>();
    states.set(jobId, state);
    this.states.set(host, states);
    const time = new Date().toISOString();
    const report: TaskStatusReport = {
      host,
      agentId: agentIdOf(host),
      time,
      full: false,
      tasks: [{ jobId, goal: facts.goal ?? 'START', state, throttled: facts.throttled ?? 'NO', ports: {}, containerId: `c-${host}`, time, ...(facts.exitCode === undefined ? {} : { exitCode: facts.exitCode }), ...(facts.env === undefined ? {} : { env: facts.env }) }],
    };
    await this.js.publish(agentSubjects(host).status, JSON.stringify(report));
  }

  private async reportAll(): Promise<void> {
    const time = new Date().toISOString();
    for (const [host, states] of this.states) {
      if (this.silenced.has(host) || states.size === 0) continue;
      const tasks = [...states].map(([jobId, state]) => ({ jobId, goal: 'START' as const, state, throttled: 'NO' as const, ports: {}, containerId: `c-${host}`, time }));
      const report: TaskStatusReport = { host, agentId: agentIdOf(host), time, full: true, tasks };
      await this.js.publish(agentSubjects(host).status, JSON.stringify(report));
    }
  }
}

function agentIdOf(host: string): string {
  return `agent-${host}`;
}
