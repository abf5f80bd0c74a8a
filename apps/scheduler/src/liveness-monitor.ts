import type { Logger } from '@berth/service';

export interface LivenessActions {
  markUp(host: string, agentId: string): Promise<void>;
  markDown(host: string): Promise<void>;
  /** hosts the projection says are registered, with their status and agent */
  hosts(): readonly { host: string; status: 'UP' | 'DOWN'; agentId: string }[];
  /** one registered host (a heartbeat must not cost a walk over the fleet) */
  host(name: string): { host: string; status: 'UP' | 'DOWN'; agentId: string } | undefined;
}

/**
 * Heartbeats are not events: the monitor keeps the last one per host in
 * memory and records only UP/DOWN transitions. After a (re)start every host
 * gets a full timeout to heartbeat before it is marked DOWN, so a scheduler
 * failover does not flap the fleet; so it does after a NATS reconnect, as no
 * heartbeat could reach us meanwhile (a host silent since then still goes DOWN
 * one timeout later).
 */
export class LivenessMonitor {
  private readonly lastSeen = new Map<string, number>();
  private startedAt: number;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> = Promise.resolve();

  constructor(
    private readonly actions: LivenessActions,
    private readonly downAfterMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  start(intervalMs = Math.max(100, Math.min(1000, this.downAfterMs / 4))): void {
    this.timer = setInterval(() => {
      this.checking = this.checking.then(() => this.check()).catch((err: unknown) => this.logger.warn({ err }, 'liveness check failed'));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.checking;
  }

  /** Every host gets a full timeout from now, as after a start (we could not hear them until now). */
  graceFromNow(): void {
    this.startedAt = this.now();
  }

  async heartbeat(host: string, agentId: string): Promise<void> {
    this.lastSeen.set(host, this.now());
    const known = this.actions.host(host);
    if (known && known.status === 'DOWN' && known.agentId === agentId) await this.actions.markUp(host, agentId);
  }

  /** Marks DOWN every UP host silent for longer than the timeout. */
  async check(): Promise<void> {
    const now = this.now();
    for (const { host, status } of this.actions.hosts()) {
      if (status !== 'UP') continue;
      const last = Math.max(this.lastSeen.get(host) ?? 0, this.startedAt);
      if (now - last > this.downAfterMs) {
        this.logger.info({ host, silentForMs: now - last }, 'host missed its heartbeats: DOWN');
        await this.actions.markDown(host);
      }
    }
  }
}
