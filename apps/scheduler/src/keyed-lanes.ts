/**
 * Runs tasks concurrently across keys and one after another within a key,
 * with at most `limit` running at once. The scheduler records agents' status
 * reports this way: reports of different hosts are appends to different
 * aggregates and share the server's fsyncs when in flight together; one
 * host's reports stay in order.
 */
export class KeyedLanes {
  private readonly tails = new Map<string, Promise<void>>();
  private running = 0;
  private readonly slotWaiters: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /**
   * Queues `task` behind the key's earlier tasks; resolves once it is queued
   * (waiting only while `limit` tasks run). The task handles its own errors.
   */
  async add(key: string, task: () => Promise<void>): Promise<void> {
    while (this.running >= this.limit) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    this.running++;
    const tail = (this.tails.get(key) ?? Promise.resolve()).then(task).finally(() => {
      this.running--;
      if (this.tails.get(key) === tail) this.tails.delete(key);
      this.slotWaiters.shift()?.();
    });
    this.tails.set(key, tail);
  }

  /** Resolves when every queued task has finished. */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.allSettled([...this.tails.values()]);
  }
}
