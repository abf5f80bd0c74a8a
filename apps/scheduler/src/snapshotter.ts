import type { EventStore, ProjectionSnapshotState, Snapshot } from '@berth/event-store';
import type { Logger } from '@berth/service';
import type { AnomalyLogState, BerthProjection, JobHistoryIndex, JobHistoryState } from '@berth/read-model';

/** Name of the scheduler's snapshot in the event store's snapshot bucket. */
export const SCHEDULER_SNAPSHOT = 'scheduler';
/** Bumped when the shape of the state changes; a snapshot of another format is ignored (full replay). */
export const SNAPSHOT_FORMAT = 2;
const COST_FACTOR = 20;

export interface SchedulerSnapshotState {
  readonly format: number;
  readonly projection: ProjectionSnapshotState;
  readonly history: JobHistoryState;
  /** the anomalies met up to the snapshot (absent in snapshots older than them: none) */
  readonly anomalies?: AnomalyLogState;
}

/**
 * Snapshots of the scheduler's in-memory state (projection + job history)
 * every `every` events, so that a restart replays only the stream's tail.
 *
 * A snapshot must cover whole appends: events appended together share one
 * stream sequence, and the restored state is followed from sequence + 1.
 * The save is therefore taken in a setImmediate callback: the store's
 * subscription folds all events of one append without yielding to the
 * macrotask queue (the projection's handlers are synchronous), so by then the
 * append that crossed the threshold is complete.
 *
 * Every scheduler counts events; only the leader saves (enable/disable).
 *
 * A snapshot costs time in proportion to the whole state (serialising 10,000
 * hosts and their rollouts takes a good part of a second), so after one that
 * took `t` the next waits at least COST_FACTOR × `t`: snapshots never take
 * more than about 1/COST_FACTOR of the leader's time, however large the fleet.
 */
export class Snapshotter {
  private eventsSinceSnapshot = 0;
  private enabled = false;
  private scheduled = false;
  private saving: Promise<void> = Promise.resolve();
  /** when the last save finished, and how long it took (performance.now() ms) */
  private lastSavedAt = -Infinity;
  private lastSaveMs = 0;
  private readonly unlisten: () => void;

  constructor(
    private readonly store: EventStore,
    private readonly projection: BerthProjection,
    private readonly history: JobHistoryIndex,
    /** events between snapshots; 0 turns snapshots off (neither saved nor loaded) */
    readonly every: number,
    private readonly logger: Logger,
  ) {
    this.unlisten = projection.onEvent(() => {
      this.eventsSinceSnapshot++;
      this.maybeSchedule();
    });
  }

  /** Restores the newest snapshot, if any; call before the projection follows the store. Returns its sequence (0 if none). */
  async restore(): Promise<number> {
    if (this.every === 0) return 0;
    let snapshot: Snapshot<SchedulerSnapshotState> | undefined;
    try {
      snapshot = await this.store.loadSnapshot<SchedulerSnapshotState>(SCHEDULER_SNAPSHOT);
    } catch (err) {
      this.logger.warn({ err }, 'snapshot unreadable; replaying the whole stream');
      return 0;
    }
    if (!snapshot) return 0;
    if (snapshot.state.format !== SNAPSHOT_FORMAT) {
      this.logger.warn({ format: snapshot.state.format }, 'snapshot of another format; replaying the whole stream');
      return 0;
    }
    this.projection.restore({ sequence: snapshot.sequence, state: snapshot.state.projection });
    this.history.restore(snapshot.state.history);
    this.projection.restoreAnomalies(snapshot.state.anomalies);
    this.eventsSinceSnapshot = 0;
    return snapshot.sequence;
  }

  /** Starts saving (the leader). */
  enable(): void {
    this.enabled = true;
    this.maybeSchedule();
  }

  /** Stops saving and waits for a save in progress. */
  async disable(): Promise<void> {
    this.enabled = false;
    await this.saving;
  }

  async close(): Promise<void> {
    this.unlisten();
    await this.disable();
  }

  /** Saves now (whole appends only: call it between appends, as the timer does). */
  save(): Promise<void> {
    const snapshot: Snapshot<SchedulerSnapshotState> = {
      sequence: this.projection.sequence,
      state: { format: SNAPSHOT_FORMAT, projection: this.projection.toSnapshot().state, history: this.history.toState(), anomalies: this.projection.anomalyState() },
    };
    this.eventsSinceSnapshot = 0;
    const started = performance.now();
    this.saving = this.saving
      .then(() => this.store.saveSnapshot(SCHEDULER_SNAPSHOT, snapshot))
      .finally(() => {
        this.lastSavedAt = performance.now();
        this.lastSaveMs = this.lastSavedAt - started;
      })
      .then(
        () => this.logger.debug({ sequence: snapshot.sequence, ms: Math.round(performance.now() - started) }, 'snapshot saved'),
        (err: unknown) => this.logger.warn({ err, sequence: snapshot.sequence }, 'snapshot not saved; the next one will try again'),
      );
    return this.saving;
  }

  private maybeSchedule(): void {
    if (!this.enabled || this.every === 0 || this.scheduled || this.eventsSinceSnapshot < this.every) return;
    if (performance.now() - this.lastSavedAt < COST_FACTOR * this.lastSaveMs) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.enabled && this.eventsSinceSnapshot >= this.every) void this.save();
    });
  }
}
