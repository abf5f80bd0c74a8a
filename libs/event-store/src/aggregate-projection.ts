import type { StoredEvent } from '@berth/contracts';
import type { Decider, DomainEvent } from '@berth/domain';
import type { AggregateView } from './decide-and-append';
import { toDomainEvent } from './event-mapping';
import type { EventStore, Snapshot, Subscription } from './event-store';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry of deciders of different types
type AnyDecider = Decider<any, any, any>;
type StateOf<D> = D extends Decider<unknown, infer _E, infer S> ? S : never;

/** The serialisable form of a projection: aggregate kind → id → view. */
export type ProjectionSnapshotState = Record<string, Record<string, AggregateView<unknown>>>;

/**
 * Every aggregate of the given kinds, folded in memory from the stream with
 * their deciders' `evolve`. Events of other kinds are skipped. Knows the
 * stream sequence it reflects, so a writer can wait until its own append is
 * visible (read-your-writes without polling).
 */
export class AggregateProjection<R extends Record<string, AnyDecider>> {
  private readonly views = new Map<string, Map<string, AggregateView<unknown>>>();
  private appliedSequence = 0;
  private waiters: { sequence: number; resolve: () => void }[] = [];
  private releaseScheduled = false;
  private readonly listeners = new Set<(event: StoredEvent) => void>();

  constructor(private readonly deciders: R) {
    for (const kind of Object.keys(deciders)) this.views.set(kind, new Map());
  }

  /** The stream sequence of the last event folded in. */
  get sequence(): number {
    return this.appliedSequence;
  }

  get<K extends keyof R & string>(kind: K, id: string): AggregateView<StateOf<R[K]>> {
    return this.viewOf(kind, id) as AggregateView<StateOf<R[K]>>;
  }

  /** Untyped lookup, for generic callers that hold the kind as a string. */
  viewOf(kind: string, id: string): AggregateView<unknown> {
    const decider = this.deciders[kind] as AnyDecider | undefined;
    if (!decider) throw new Error(`unknown aggregate kind: ${kind}`);
    return this.views.get(kind)?.get(id) ?? { state: decider.initialState, version: 0 };
  }

  /** Every aggregate of one kind, by id. */
  all<K extends keyof R & string>(kind: K): ReadonlyMap<string, AggregateView<StateOf<R[K]>>> {
    return (this.views.get(kind) ?? new Map()) as ReadonlyMap<string, AggregateView<StateOf<R[K]>>>;
  }

  apply(stored: StoredEvent): void {
    const decider = this.deciders[stored.aggregate] as AnyDecider | undefined;
    const byId = this.views.get(stored.aggregate);
    if (decider && byId) {
      const current = byId.get(stored.aggregateId) ?? { state: decider.initialState, version: 0 };
      if (stored.version > current.version) {
        const state: unknown = decider.evolve(current.state, toDomainEvent<DomainEvent>(stored));
        byId.set(stored.aggregateId, { state, version: stored.version });
      }
    }
    this.appliedSequence = Math.max(this.appliedSequence, stored.sequence);
    for (const listener of this.listeners) listener(stored);
    this.releaseWaiters();
  }

  /** Called after each applied event (for process managers reacting to changes). */
  onEvent(listener: (event: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once every event up to `sequence` has been folded in. */
  waitFor(sequence: number): Promise<void> {
    if (this.appliedSequence >= sequence) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ sequence, resolve }));
  }

  /** Follows the store from where this projection stands: history first, then live. */
  follow(store: EventStore): Subscription {
    return store.subscribe(this.appliedSequence + 1, (event) => this.apply(event));
  }

  toSnapshot(): Snapshot<ProjectionSnapshotState> {
    const state: ProjectionSnapshotState = {};
    for (const [kind, byId] of this.views) state[kind] = Object.fromEntries(byId);
    return { sequence: this.appliedSequence, state };
  }

  /** Replaces the current state; only before following a store. */
  restore(snapshot: Snapshot<ProjectionSnapshotState>): void {
    for (const [kind, byId] of this.views) {
      byId.clear();
      for (const [id, view] of Object.entries(snapshot.state[kind] ?? {})) byId.set(id, view);
    }
    this.appliedSequence = snapshot.sequence;
  }

  /**
   * Events of one append share a sequence and are applied one after another
   * in microtasks; waking waiters on the next macrotask lets the whole
   * append land first, so a waiter never sees half of it.
   */
  private releaseWaiters(): void {
    if (this.waiters.length === 0 || this.releaseScheduled) return;
    this.releaseScheduled = true;
    setImmediate(() => {
      this.releaseScheduled = false;
      this.releaseReady();
    });
  }

  private releaseReady(): void {
    const ready = this.waiters.filter((w) => w.sequence <= this.appliedSequence);
    this.waiters = this.waiters.filter((w) => w.sequence > this.appliedSequence);
    for (const w of ready) w.resolve();
  }
}
