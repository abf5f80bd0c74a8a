import { eventSubject, type NewEvent, type StoredEvent } from '@berth/contracts';
import { appendMessageId, decodeAppend, encodeAppend, lastVersionOf, validateAppend, validateSnapshotName } from './append-codec';
import { ConcurrencyError, StoreUnavailableError } from './errors';
import type { AppendResult, EventHandler, EventStore, ExpectedVersion, Snapshot, Subscription } from './event-store';

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
 * Same semantics as JetStreamEventStore (one stored unit per append, optimistic
 * concurrency by version, dedupe by message id, whole-append positions), checked by
 * the shared contract suite. Dedupe here never expires (JetStream's lasts the
 * stream's duplicate_window). Nothing survives the process.
 */
export class InMemoryEventStore implements EventStore {
  private readonly appends: StoredAppend[] = [];
  private readonly heads = new Map<string, Head>();
  private readonly bySubject = new Map<string, number[]>();
  private readonly dedupe = new Map<string, number>();
  private readonly snapshots = new Map<string, string>();
  private readonly subscriptions = new Set<Subscription>();
  private wakeUp: (() => void)[] = [];
  private closed = false;

  async append(
    aggregate: string,
    aggregateId: string,
    expectedVersion: ExpectedVersion,
    events: readonly NewEvent[],
  ): Promise<AppendResult> {
    this.assertOpen();
    validateAppend(aggregate, aggregateId, expectedVersion, events);
    const subject = eventSubject(aggregate, aggregateId);
    const msgId = appendMessageId(events);
    // like JetStream: the dedupe check comes before the expectation check
    const seen = this.dedupe.get(msgId);
    if (seen !== undefined) {
      const original = this.appends[seen - 1] as StoredAppend;
      return { lastSequence: seen, version: lastVersionOf(original.body, seen), duplicate: true };
    }
    const head = this.heads.get(subject) ?? { sequence: 0, version: 0 };
    if (expectedVersion !== 'any' && head.version !== expectedVersion) {
      throw new ConcurrencyError(aggregate, aggregateId, expectedVersion, head.version);
    }
    const sequence = this.appends.length + 1;
    const version = head.version + events.length;
    this.appends.push({ sequence, subject, body: encodeAppend(aggregate, aggregateId, head.version + 1, events) });
    this.heads.set(subject, { sequence, version });
    const list = this.bySubject.get(subject) ?? [];
    list.push(sequence);
    this.bySubject.set(subject, list);
    this.dedupe.set(msgId, sequence);
    const waiting = this.wakeUp;
    this.wakeUp = [];
    for (const wake of waiting) wake();
    return { lastSequence: sequence, version, duplicate: false };
  }

  async read(aggregate: string, aggregateId: string, fromVersion = 1): Promise<StoredEvent[]> {
    this.assertOpen();
    const out: StoredEvent[] = [];
    for (const seq of this.bySubject.get(eventSubject(aggregate, aggregateId)) ?? []) {
      for (const e of decodeAppend((this.appends[seq - 1] as StoredAppend).body, seq)) {
        if (e.version >= fromVersion) out.push(e);
      }
    }
    return out;
  }

  async readAppend(sequence: number): Promise<StoredEvent[]> {
    this.assertOpen();
    const stored = Number.isInteger(sequence) ? this.appends[sequence - 1] : undefined;
    return stored ? decodeAppend(stored.body, sequence) : [];
  }

  async *readAll(fromSequence = 1): AsyncIterable<StoredEvent> {
    this.assertOpen();
    const end = this.appends.length;
    for (let seq = Math.max(1, fromSequence); seq <= end; seq++) {
      yield* decodeAppend((this.appends[seq - 1] as StoredAppend).body, seq);
    }
  }

  subscribe(fromSequence: number, handler: EventHandler): Subscription {
    this.assertOpen();
    const end = this.appends.length;
    let stopped = false;
    let markCaughtUp!: () => void;
    const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));
    const done = (async () => {
      let seq = Math.max(1, fromSequence);
      if (seq > end) markCaughtUp();
      while (!stopped) {
        const next = this.appends[seq - 1];
        if (!next) {
          await new Promise<void>((resolve) => this.wakeUp.push(resolve));
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
        const waiting = this.wakeUp;
        this.wakeUp = [];
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
    this.snapshots.set(name, JSON.stringify({ sequence: snapshot.sequence, state: snapshot.state }));
  }

  async loadSnapshot<TState = unknown>(name: string): Promise<Snapshot<TState> | undefined> {
    this.assertOpen();
    validateSnapshotName(name);
    const json = this.snapshots.get(name);
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
