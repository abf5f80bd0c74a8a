/**
 * Time for `SimulatedRuntime`: real (`realTimer`) for benchmarks, or manual
 * (`ManualTimer`) so unit tests control every delay without waiting.
 */
export interface SimulationTimer {
  /** Milliseconds since the epoch (or since the start of a manual simulation). */
  now(): number;
  /** Calls `fn` after `delayMs`; the returned function cancels it. */
  schedule(delayMs: number, fn: () => void): () => void;
}

export const realTimer: SimulationTimer = {
  now: () => Date.now(),
  schedule: (delayMs, fn) => {
    const handle = setTimeout(fn, delayMs);
    // A pending simulated delay must not keep a test or benchmark process alive.
    handle.unref();
    return () => clearTimeout(handle);
  },
};

interface Scheduled {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/** Virtual time that only moves when `advance` is called. */
export class ManualTimer implements SimulationTimer {
  private current: number;
  private seq = 0;
  private pending: Scheduled[] = [];

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  schedule(delayMs: number, fn: () => void): () => void {
    const entry: Scheduled = { at: this.current + Math.max(0, delayMs), seq: this.seq++, fn };
    this.pending.push(entry);
    return () => {
      this.pending = this.pending.filter((p) => p !== entry);
    };
  }

  /** Number of callbacks waiting to fire. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Moves time forward by `ms`, firing due callbacks in time order. Pending
   * promise continuations run before and after each callback, so async code
   * that schedules a delay after an `await` is still caught by this advance.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      const next = this.nextDue(target);
      if (next === undefined) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.current = next.at;
      next.fn();
      await settle();
    }
    this.current = target;
    await settle();
  }

  private nextDue(target: number): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const p of this.pending) {
      if (p.at > target) continue;
      if (best === undefined || p.at < best.at || (p.at === best.at && p.seq < best.seq)) best = p;
    }
    return best;
  }
}

/** Lets every queued promise continuation run (one macrotask turn). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** mulberry32: a small, fast, seeded PRNG; same seed, same sequence. Returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
