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

/**
 * Coalesces task status changes into one report per tick (the latest status
 * per task wins, as in Helios's write-only replication). While NATS is away
 * the changes accumulate and go out once it is back; `requestFull` sends
 * every task's status (on start, reconnect, and periodically).
 */
export class StatusReporter {
  private readonly dirty = new Map<string, TaskStatus>();
  private full = false;
  private cancelTick: (() => void) | undefined;
  private inFlight = false;
  private closed = false;
  private readonly logger: AgentLogger;

  constructor(private readonly options: StatusReporterOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  update(status: TaskStatus): void {
    this.dirty.set(status.jobId, status);
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
    if (this.closed || (this.dirty.size === 0 && !this.full)) return;
    const full = this.full;
    const changes = new Map(this.dirty);
    this.full = false;
    this.dirty.clear();
    const report: TaskStatusReport = {
      host: this.options.host,
      agentId: this.options.agentId,
      time: new Date(this.options.timer.now()).toISOString(),
      full,
      tasks: full ? [...this.options.snapshot()] : [...changes.values()],
    };
    this.inFlight = true;
    let retry = false;
    try {
      await this.options.publish(report);
    } catch (err) {
      retry = true;
      this.full ||= full;
      for (const [jobId, status] of changes) if (!this.dirty.has(jobId)) this.dirty.set(jobId, status);
      this.logger.debug({ err: err instanceof Error ? err.message : String(err), pending: this.dirty.size }, 'status report deferred');
    } finally {
      this.inFlight = false;
    }
    if (this.dirty.size > 0 || this.full) this.schedule(retry ? (this.options.retryMs ?? 1_000) : (this.options.tickMs ?? 50));
  }
}
