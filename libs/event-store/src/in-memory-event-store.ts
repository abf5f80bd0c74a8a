import { eventSubject, type NewEvent, type StoredEvent } from '@berth/contracts';
import {
  appendMessageId,
  decodeAppend,
  encodeAppend,
  isSameAppend,
  lastVersionOf,
  subjectMatches,
  validateAppend,
  validateAtomicAppend,
  validateSnapshotName,
} from './append-codec';
import { ConcurrencyError, CorruptEventError, FencedError, GuardConflictError, StoreUnavailableError } from './errors';
import type { AggregateAppend, AppendGuard, AppendResult, EventHandler, EventStore, ExpectedVersion, Snapshot, Subscription } from './event-store';

interface StoredAppend {
  readonly sequence: number;
  readonly subject: string;
  /** encoded exactly as the JetStream store encodes it, so data must survive JSON like it does there */
  readonly body: string;
}

interface Head {
  readonly sequence: number;
  readonly version: number;
}

/**
 * An EventStore held in this process's memory, for unit tests and simulations.
 * Same semantics as JetStreamEventStore (one stored unit per aggregate per append,
 * atomic appends across aggregates, optimistic concurrency by version, retries
 * recognised by their event ids, whole-append positions), checked by the shared
 * contract suite. Dedupe of 'any' appends here never expires (JetStream's lasts the
 * stream's duplicate_window). Nothing survives the process.
 */
/** What every handle on one in-memory store shares: the stream, as it were. */
class SharedStorage {
  readonly appends: StoredAppend[] = [];
  readonly heads = new Map<string, Head>();
  readonly bySubject = new Map<string, number[]>();
  readonly dedupe = new Map<string, number>();
  readonly snapshots = new Map<string, string>();
  wakeUp: (() => void)[] = [];
}

export class InMemoryEventStore implements EventStore {
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;
  private currentFence: { readonly guard: AppendGuard; readonly onFenced?: (err: FencedError) => void } | undefined;

  constructor(private readonly shared: SharedStorage = new SharedStorage()) {}

  /** Another handle on the same storage, as a second writer process would have one (its own fence and subscriptions). */
  handle(): InMemoryEventStore {
    return new InMemoryEventStore(this.shared);
  }

  fence(guard: AppendGuard | undefined, onFenced?: (err: FencedError) => void): void {
    this.currentFence = guard === undefined ? undefined : { guard: { ...guard }, ...(onFenced === undefined ? {} : { onFenced }) };
  }

  async append(
    aggregate: string,
    aggregateId: string,
    expectedVersion: ExpectedVersion,
    events: readonly NewEvent[],
  ): Promise<AppendResult> {
    this.assertOpen();
    validateAppend(aggregate, aggregateId, expectedVersion, events);
    const [result] = this.write([{ aggregate, aggregateId, expectedVersion, events }]);
    return result as AppendResult;
  }

  async appendAtomic(appends: readonly AggregateAppend[]): Promise<AppendResult[]> {
    this.assertOpen();
    validateAtomicAppend(appends);
    return this.write(appends);
  }

  /** Checks every part, then stores all of them or none (the same rules as JetStreamEventStore). */
  private write(appends: readonly AggregateAppend[]): AppendResult[] {
    const subjects = appends.map((a) => eventSubject(a.aggregate, a.aggregateId));
    // 'any' has no expectation to check, so (like JetStream) only the message id recognises its retry
    const single = appends.length === 1 ? appends[0] : undefined;
    if (single?.expectedVersion === 'any' && single.guard === undefined) {
      const seen = this.shared.dedupe.get(appendMessageId(single.events));
      if (seen !== undefined) {
        return [{ lastSequence: seen, version: lastVersionOf((this.shared.appends[seen - 1] as StoredAppend).body, seen), duplicate: true }];
      }
    }
    const heads = subjects.map((s) => this.shared.heads.get(s) ?? { sequence: 0, version: 0 });
    const stale = appends.findIndex((a, i) => a.expectedVersion !== 'any' && heads[i]?.version !== a.expectedVersion);
    if (stale >= 0) return this.ownOrConflict(appends, stale);
    const fence = this.currentFence;
    if (fence !== undefined) {
      const changedAt = this.lastSequenceOn(fence.guard.subject);
      if (changedAt > fence.guard.unchangedSince) {
        const err = new FencedError(fence.guard.subject, fence.guard.unchangedSince, changedAt);
        fence.onFenced?.(err);
        throw err;
      }
    }
    for (const a of appends) {
      if (a.guard === undefined) continue;
      const changedAt = this.lastSequenceOn(a.guard.subject);
      if (changedAt > a.guard.unchangedSince) throw new GuardConflictError(a.aggregate, a.aggregateId, a.guard.subject, a.guard.unchangedSince, changedAt);
    }
    const results = appends.map((a, i) => {
      const subject = subjects[i] as string;
      const head = heads[i] as Head;
      const sequence = this.shared.appends.length + 1;
      const version = head.version + a.events.length;
      this.shared.appends.push({ sequence, subject, body: encodeAppend(a.aggregate, a.aggregateId, head.version + 1, a.events) });
      this.shared.heads.set(subject, { sequence, version });
      const list = this.shared.bySubject.get(subject) ?? [];
      list.push(sequence);
      this.shared.bySubject.set(subject, list);
      if (appends.length === 1) this.shared.dedupe.set(appendMessageId(a.events), sequence);
      return { lastSequence: sequence, version, duplicate: false };
    });
    const waiting = this.shared.wakeUp;
    this.shared.wakeUp = [];
    for (const wake of waiting) wake();
    return results;
  }

  /** Stream sequence of the newest append on `filter` (NATS subject matching: `*` one token, `>` the rest); 0 if none. */
  private lastSequenceOn(filter: string): number {
    for (let i = this.shared.appends.length - 1; i >= 0; i--) {
      const a = this.shared.appends[i] as StoredAppend;
      if (subjectMatches(filter, a.subject)) return a.sequence;
    }
    return 0;
  }

  /** A stale part: a retry of appends already stored (reported as duplicates), else a conflict naming it. */
  private ownOrConflict(appends: readonly AggregateAppend[], stale: number): AppendResult[] {
    const part = appends[stale] as AggregateAppend;
    const expected = part.expectedVersion as number;
    const stored = this.readSync(part.aggregate, part.aggregateId, expected + 1);
    if (!isSameAppend(stored, part.events)) {
      const actual = this.shared.heads.get(eventSubject(part.aggregate, part.aggregateId))?.version ?? 0;
      throw new ConcurrencyError(part.aggregate, part.aggregateId, expected, actual);
    }
    // the parts of one atomic append were stored one after another
    const first = (stored[0] as StoredEvent).sequence - stale;
    return appends.map((a, i) => {
      const sequence = first + i;
      const found = this.shared.appends[sequence - 1];
      const events = found ? decodeAppend(found.body, sequence) : [];
      if (found?.subject !== eventSubject(a.aggregate, a.aggregateId) || !isSameAppend(events, a.events)) {
        throw new CorruptEventError(`atomic append retried: sequence ${sequence} does not hold its part for ${a.aggregate} ${JSON.stringify(a.aggregateId)}`);
      }
      return { lastSequence: sequence, version: (events[events.length - 1] as StoredEvent).version, duplicate: true };
    });
  }

  async read(aggregate: string, aggregateId: string, fromVersion = 1): Promise<StoredEvent[]> {
    this.assertOpen();
    return this.readSync(aggregate, aggregateId, fromVersion);
  }

  private readSync(aggregate: string, aggregateId: string, fromVersion: number): StoredEvent[] {
    const out: StoredEvent[] = [];
    for (const seq of this.shared.bySubject.get(eventSubject(aggregate, aggregateId)) ?? []) {
      for (const e of decodeAppend((this.shared.appends[seq - 1] as StoredAppend).body, seq)) {
        if (e.version >= fromVersion) out.push(e);
      }
    }
    return out;
  }

  async lastSequence(): Promise<number> {
    this.assertOpen();
    return this.shared.appends.length;
  }

  async readAppend(sequence: number): Promise<StoredEvent[]> {
    this.assertOpen();
    const stored = Number.isInteger(sequence) ? this.shared.appends[sequence - 1] : undefined;
    return stored ? decodeAppend(stored.body, sequence) : [];
  }

  async *readAll(fromSequence = 1): AsyncIterable<StoredEvent> {
    this.assertOpen();
    const end = this.shared.appends.length;
    for (let seq = Math.max(1, fromSequence); seq <= end; seq++) {
      yield* decodeAppend((this.shared.appends[seq - 1] as StoredAppend).body, seq);
    }
  }

  subscribe(fromSequence: number, handler: EventHandler): Subscription {
    this.assertOpen();
    const end = this.shared.appends.length;
    let stopped = false;
    let markCaughtUp!: () => void;
    const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));
    const done = (async () => {
      let seq = Math.max(1, fromSequence);
      if (seq > end) markCaughtUp();
      while (!stopped) {
        const next = this.shared.appends[seq - 1];
        if (!next) {
          await new Promise<void>((resolve) => this.shared.wakeUp.push(resolve));
          continue;
        }
        for (const e of decodeAppend(next.body, seq)) {
          if (stopped) return;
          await handler(e);
        }
        if (seq >= end) markCaughtUp();
        seq++;
      }
    })();
    done.catch(() => undefined);
    const subscription: Subscription = {
      caughtUp,
      done,
      stop: async () => {
        stopped = true;
        this.subscriptions.delete(subscription);
        const waiting = this.shared.wakeUp;
        this.shared.wakeUp = [];
        for (const wake of waiting) wake();
        await done.catch(() => undefined);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async saveSnapshot<TState>(name: string, snapshot: Snapshot<TState>): Promise<void> {
    this.assertOpen();
    validateSnapshotName(name);
    this.shared.snapshots.set(name, JSON.stringify({ sequence: snapshot.sequence, state: snapshot.state }));
  }

  async loadSnapshot<TState = unknown>(name: string): Promise<Snapshot<TState> | undefined> {
    this.assertOpen();
    validateSnapshotName(name);
    const json = this.shared.snapshots.get(name);
    return json === undefined ? undefined : (JSON.parse(json) as Snapshot<TState>);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('in-memory event store is closed');
  }
}
