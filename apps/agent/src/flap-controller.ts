/**
 * Helios's FlapController: the last `maxRuns` runs are kept with their
 * duration. A task is flapping when there are that many and together they ran
 * less than `windowMs`; it stops flapping once the current run, with the
 * latest earlier ones, has run longer than that.
 */
export class FlapController {
  private readonly runs: number[] = [];

  constructor(
    private readonly maxRuns = 10,
    private readonly windowMs = 60_000,
  ) {}

  recordExit(runMs: number): void {
    this.runs.push(Math.max(0, runMs));
    if (this.runs.length > this.maxRuns) this.runs.shift();
  }

  /** After an exit: the last `maxRuns` runs together were shorter than the window. */
  isFlapping(): boolean {
    return this.runs.length >= this.maxRuns && sum(this.runs) < this.windowMs;
  }

  /** How much longer the current run must last for the task to stop flapping. */
  stableAfterMs(): number {
    return Math.max(0, this.windowMs - sum(this.runs.slice(1)));
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
