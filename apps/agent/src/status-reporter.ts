import type { SimulationTimer } from '@berth/container-runtime';
import type { TaskStatusReport } from '@berth/contracts';
import type { TaskStatus } from '@berth/domain';
import { type AgentLogger, silentLogger } from './logging';

export interface StatusReporterOptions {
  readonly host: string;
  readonly agentId: string;
  /** Sends one report; rejects when it could not (NATS away): the changes are kept and sent later. */
  readonly publish: (report: TaskStatusReport) => Promise<void>;
  /** Every task's current status, for full reports. */
  readonly snapshot: () => readonly TaskStatus[];
  readonly timer: SimulationTimer;
  /** Changes within one tick go out in one report. Default 50 ms. */
  readonly tickMs?: number;
  /** Delay before trying again after a failed publish. Default 1 s. */
  readonly retryMs?: number;
  readonly logger?: AgentLogger;
}

/** While NATS is away at most this many transitions are kept per task (the newest). */
const MAX_PENDING_PER_TASK = 100;

/**
 * Coalesces task status changes into one report per tick: one message per
 * agent per tick, holding every transition of that tick in order, so the
 * job history keeps each state (CREATING → STARTING → … → RUNNING). While
 * NATS is away the transitions accumulate (bounded per task) and go out once
 * it is back; `requestFull` sends every task's status (on start, reconnect,
 * and periodically).
 */
export class StatusReporter {
  private dirty: TaskStatus[] = [];
  private full = false;
  private cancelTick: (() => void) | undefined;
  private inFlight = false;
  private closed = false;
  private readonly logger: AgentLogger;

  constructor(private readonly options: StatusReporterOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  update(status: TaskStatus): void {
    this.dirty = boundedPerTask([...this.dirty, status]);
    this.schedule(this.options.tickMs ?? 50);
  }

  requestFull(): void {
    this.full = true;
    this.schedule(0);
  }

  close(): void {
    this.closed = true;
    this.cancelTick?.();
    this.cancelTick = undefined;
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.cancelTick !== undefined || this.inFlight) return;
    this.cancelTick = this.options.timer.schedule(delayMs, () => {
      this.cancelTick = undefined;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.closed || (this.dirty.length === 0 && !this.full)) return;
    const full = this.full;
    const changes = this.dirty;
    this.full = false;
    this.dirty = [];
    const report: TaskStatusReport = {
      host: this.options.host,
      agentId: this.options.agentId,
      time: new Date(this.options.timer.now()).toISOString(),
      full,
      // a full report still carries the transitions, then every task's current status
      tasks: full ? [...changes, ...this.options.snapshot()] : changes,
    };
    this.inFlight = true;
    let retry = false;
    try {
      await this.options.publish(report);
    } catch (err) {
      retry = true;
      this.full ||= full;
      this.dirty = boundedPerTask([...changes, ...this.dirty]);
      this.logger.debug({ err: err instanceof Error ? err.message : String(err), pending: this.dirty.length }, 'status report deferred');
    } finally {
      this.inFlight = false;
    }
    if (this.dirty.length > 0 || this.full) this.schedule(retry ? (this.options.retryMs ?? 1_000) : (this.options.tickMs ?? 50));
  }
}

/** Keeps the newest MAX_PENDING_PER_TASK transitions of each task, in order. */
function boundedPerTask(statuses: readonly TaskStatus[]): TaskStatus[] {
  const seen = new Map<string, number>();
  const kept: TaskStatus[] = [];
  for (let i = statuses.length - 1; i >= 0; i--) {
    const status = statuses[i] as TaskStatus;
    const count = seen.get(status.jobId) ?? 0;
    if (count >= MAX_PENDING_PER_TASK) continue;
    seen.set(status.jobId, count + 1);
    kept.push(status);
  }
  return kept.reverse();
}
