/** setTimeout may fire a little early; a pass before the deadline would find nothing due. */
const TIMER_SLACK_MS = 5;
const MAX_DELAY_MS = 3_600_000;

export interface SerialPassLoopOptions {
  /** one pass: the process manager's whole reconciliation */
  readonly pass: () => Promise<void>;
  /** a pass threw: log it; the loop runs another after `retryMs` */
  readonly onFailure: (err: unknown) => void;
  readonly retryMs?: number;
  readonly now?: () => number;
}

/**
 * The timing skeleton of the scheduler's process managers (rollouts,
 * releases): passes run one after another, never concurrently; requests
 * while one is already scheduled coalesce into it; a failed pass is retried;
 * and one timer wakes the loop at the earliest deadline the last pass saw.
 */
export class SerialPassLoop {
  private passTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = true;
  private readonly now: () => number;

  constructor(private readonly options: SerialPassLoopOptions) {
    this.now = options.now ?? Date.now;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  start(): void {
    this.stopped = false;
    this.request(0);
  }

  /** A pass within `delayMs` (or sooner, if one is already scheduled). */
  request(delayMs: number): void {
    if (this.stopped || this.passTimer !== undefined) return;
    this.passTimer = setTimeout(() => {
      this.passTimer = undefined;
      this.running = this.running.then(() => this.runPass());
    }, delayMs);
    this.passTimer.unref();
  }

  /** Replaces the deadline timer: a pass at the earliest of `times` (epoch ms), none when empty. */
  wakeAt(times: Iterable<number>): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    if (this.stopped) return;
    let earliest = Infinity;
    for (const time of times) earliest = Math.min(earliest, time);
    if (earliest === Infinity) return;
    const delay = Math.min(Math.max(0, earliest - this.now()) + TIMER_SLACK_MS, MAX_DELAY_MS);
    this.deadlineTimer = setTimeout(() => this.request(0), delay);
    this.deadlineTimer.unref();
  }

  /** No new pass starts; resolves when the one running has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of [this.passTimer, this.deadlineTimer]) if (timer) clearTimeout(timer);
    this.passTimer = undefined;
    this.deadlineTimer = undefined;
    await this.running;
  }

  private async runPass(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.options.pass();
    } catch (err) {
      this.options.onFailure(err);
      if (!this.stopped) setTimeout(() => this.request(0), this.options.retryMs ?? 1_000).unref();
    }
  }
}
