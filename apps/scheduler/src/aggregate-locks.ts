/**
 * In-process locks on aggregates, for the command executor: the scheduler is
 * the only writer, so two of its own commands on one aggregate at once can
 * only conflict with each other (one of them decided on a version the other
 * is about to replace). Holding the aggregates a command writes while it
 * appends turns that conflict into a short wait, and commands on other
 * aggregates still go out together (the store's group commit).
 */
export class AggregateLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Waits for every key (in sorted order, so that two commands whose keys
   * overlap never wait for each other in a cycle) and resolves with the
   * function that releases them all.
   */
  async acquire(keys: readonly string[]): Promise<() => void> {
    const releases: (() => void)[] = [];
    for (const key of [...new Set(keys)].sort()) {
      const previous = this.tails.get(key) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((resolve) => (release = resolve));
      const tail = previous.then(() => mine);
      this.tails.set(key, tail);
      releases.push(() => {
        release();
        // the last holder of a key leaves nothing behind
        if (this.tails.get(key) === tail) this.tails.delete(key);
      });
      await previous;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const r of releases) r();
    };
  }

  /** How many keys are held or awaited (for tests). */
  get size(): number {
    return this.tails.size;
  }
}
