import type { SchedulerClient } from '@berth/scheduler-client';
import type { Logger } from '@berth/service';
import type { NatsConnection, Status } from '@nats-io/transport-node';

export interface LeaderWatchOptions {
  /** time between presence requests */
  readonly intervalMs: number;
  /** how long one request waits for the leader's answer */
  readonly waitMs: number;
}

export const DEFAULT_LEADER_WATCH: LeaderWatchOptions = { intervalMs: 1_000, waitMs: 500 };

/**
 * Whether a scheduler leader answers, for the gateway's `/readyz`: the
 * gateway's commands fail while none does. It asks for presence (the same
 * request as `masters`) every interval; only a scheduler serving under a
 * confirmed lease answers as leader. A disconnect forgets the last answer.
 */
export class LeaderWatch {
  private seenAt: number | undefined;
  private connected = true;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();
  private connection: (AsyncIterable<Status> & { stop?: () => void }) | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly client: SchedulerClient,
    private readonly logger: Logger,
    private readonly options: LeaderWatchOptions = DEFAULT_LEADER_WATCH,
  ) {}

  /** Resolves after the first request, so a gateway started beside a leader is ready at once. */
  async start(): Promise<void> {
    this.followConnection();
    await this.poll();
    this.timer = setInterval(() => {
      this.polling = this.polling.then(() => this.poll());
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.connection?.stop?.();
    await this.polling;
  }

  /** A leader answered lately (within two intervals and a wait) and NATS is still connected. */
  leaderAnswers(now = Date.now()): boolean {
    return this.connected && this.seenAt !== undefined && now - this.seenAt <= 2 * this.options.intervalMs + this.options.waitMs;
  }

  private async poll(): Promise<void> {
    if (!this.connected || this.nc.isClosed()) return;
    const askedAt = Date.now();
    try {
      const leader = await this.client.leader(this.options.waitMs);
      if (leader !== undefined && this.connected) this.seenAt = askedAt;
    } catch (err) {
      this.logger.debug({ err }, 'leader presence request failed');
    }
  }

  private followConnection(): void {
    const status = this.nc.status() as AsyncIterable<Status> & { stop?: () => void };
    this.connection = status;
    void (async () => {
      for await (const s of status) {
        if (s.type === 'disconnect') {
          this.connected = false;
          this.seenAt = undefined;
        } else if (s.type === 'reconnect') {
          this.connected = true;
          this.polling = this.polling.then(() => this.poll());
        }
      }
    })().catch((err: unknown) => this.logger.warn({ err }, 'leader watch: connection status ended'));
  }
}
