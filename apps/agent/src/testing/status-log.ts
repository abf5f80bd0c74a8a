import type { TaskStatus } from '@berth/domain';

/** Collects task statuses and lets a test await one matching a predicate (no sleeps). */
export class StatusLog {
  readonly all: TaskStatus[] = [];
  private waiters: { predicate: (s: TaskStatus) => boolean; resolve: (s: TaskStatus) => void }[] = [];

  readonly push = (status: TaskStatus): void => {
    this.all.push(status);
    const ready = this.waiters.filter((w) => w.predicate(status));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve(status);
  };

  states(jobId: string): string[] {
    return this.all.filter((s) => s.jobId === jobId).map((s) => s.state);
  }

  latest(jobId: string): TaskStatus | undefined {
    return [...this.all].reverse().find((s) => s.jobId === jobId);
  }

  /** The next status (from now on) matching `predicate`. */
  next(predicate: (s: TaskStatus) => boolean, timeoutMs = 10_000): Promise<TaskStatus> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching task status within ${timeoutMs} ms; last: ${JSON.stringify(this.all.slice(-5))}`));
      }, timeoutMs);
      const waiter = {
        predicate,
        resolve: (s: TaskStatus) => {
          clearTimeout(timer);
          resolve(s);
        },
      };
      this.waiters.push(waiter);
    });
  }
}
