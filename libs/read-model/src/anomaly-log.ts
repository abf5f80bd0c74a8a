import type { Anomaly } from '@berth/domain';

/** How many anomalies a process keeps (the newest); `total` counts every one. */
export const DEFAULT_ANOMALIES_KEPT = 1000;

/** The serialisable form, for snapshots. */
export interface AnomalyLogState {
  readonly total: number;
  readonly anomalies: readonly Anomaly[];
}

/** The anomalies a projection met, newest kept, in stream order. */
export class AnomalyLog {
  private kept: Anomaly[] = [];
  private count = 0;

  constructor(private readonly capacity: number = DEFAULT_ANOMALIES_KEPT) {}

  record(anomaly: Anomaly): void {
    this.count++;
    this.kept.push(anomaly);
    // amortised: drop a batch at once rather than shift on every record
    if (this.kept.length > this.capacity * 2) this.kept = this.kept.slice(-this.capacity);
  }

  /** every anomaly recorded, including those no longer kept */
  get total(): number {
    return this.count;
  }

  /** the newest ones (at most the capacity), oldest first */
  list(): Anomaly[] {
    return this.kept.slice(-this.capacity);
  }

  toState(): AnomalyLogState {
    return { total: this.count, anomalies: this.list() };
  }

  restore(state: AnomalyLogState | undefined): void {
    this.kept = [...(state?.anomalies ?? [])];
    this.count = state?.total ?? this.kept.length;
  }
}
