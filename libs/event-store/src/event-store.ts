import type { NewEvent, StoredEvent } from '@berth/contracts';
import type { FencedError } from './errors';

/*
 * How an append is stored — one message per aggregate per append
 * ---------------------------------------------------------------
 * Publishing N events of one aggregate as N messages could leave the first k
 * stored when the writer crashes; readers would then see half a decision. Instead
 * every append to one aggregate is ONE message on `berth.evt.<aggregate>.<id>` whose body is
 *
 *     {"version": <version of its first event>, "events": [<EventEnvelope>, …]}
 *
 * which gives, with no extra round trip:
 * - all-or-nothing: an append is stored whole or not at all; no partial writes;
 * - optimistic concurrency: the publish carries `expect.lastSubjectSequence` = the
 *   stream sequence of the aggregate's last message (0 for a new aggregate); the
 *   server rejects it with err_code 10071 if anything was appended since;
 * - idempotent retries: an append that expected version v and finds the aggregate
 *   past v looks at the append stored at version v + 1: if it holds this append's
 *   event ids, it was this append (its reply was lost) and the retry reports it as a
 *   duplicate instead of a conflict, however long ago it was stored. (nats-server
 *   >= 2.11 checks a publish's expectation before its `Nats-Msg-Id`, so the server's
 *   dedupe no longer recognises such a retry; it still dedupes 'any' appends.)
 *
 * A command whose events touch several aggregates appends them with
 * `appendAtomic`: one message per aggregate, sent as one JetStream atomic batch
 * (nats-server >= 2.12, stream `allow_atomic`), each message with its own
 * `Nats-Expected-Last-Subject-Sequence`. One stale aggregate rejects the whole
 * batch; nothing is written. The batch's messages get consecutive sequences.
 *
 * Consequences a reader must know:
 * - `StoredEvent.sequence` is the stream sequence of the MESSAGE; events appended
 *   together share it and are told apart (and ordered) by `version`.
 * - Positions are therefore whole appends: `readAll(n)` / `subscribe(n)` start at
 *   the first append with sequence ≥ n and always deliver appends whole. To resume,
 *   store the sequence of the last fully processed append and pass sequence + 1
 *   (snapshots do exactly that).
 * - `version` is the 1-based count of events in the aggregate, so an aggregate's
 *   versions are 1, 2, 3, … with no gaps, and `expectedVersion` is a version.
 */

/** 0 = the aggregate must not exist yet; a number = it must be at exactly that version; 'any' = no check. */
export type ExpectedVersion = number | 'any';

export interface AppendResult {
  /** stream sequence of the stored append (of the original, if this was a duplicate) */
  readonly lastSequence: number;
  /** version of the aggregate's last event after this append */
  readonly version: number;
  /** true when the store already held this append (a retry); nothing new was written */
  readonly duplicate: boolean;
}

export interface Snapshot<TState = unknown> {
  /** stream sequence the state covers: every append with sequence ≤ this is folded in */
  readonly sequence: number;
  readonly state: TState;
}

/**
 * A condition on other subjects, checked by the server when it stores the part
 * that carries it (`Nats-Expected-Last-Subject-Sequence-Subject`): no message
 * on `subject` (a subject or a wildcard) has a stream sequence above
 * `unchangedSince`. That is how a rule over aggregates that a command does not
 * write holds: "job X was not removed since I looked", "no host took job X
 * into use since I looked".
 */
export interface AppendGuard {
  readonly subject: string;
  /** the stream sequence the caller's decision saw everything up to */
  readonly unchangedSince: number;
}

/** One aggregate's part of an atomic append. */
export interface AggregateAppend {
  readonly aggregate: string;
  readonly aggregateId: string;
  /** a guarded part checks its guard instead of its own version, so it takes 'any' */
  readonly expectedVersion: ExpectedVersion;
  readonly events: readonly NewEvent[];
  readonly guard?: AppendGuard;
}

/**
 * The most aggregates one atomic append may touch: nats-server's limit of messages
 * per atomic batch (1,000). A bigger one is refused (INVALID_ARGUMENT), never split:
 * splitting would give up all-or-nothing.
 */
export const MAX_ATOMIC_APPEND_AGGREGATES = 1_000;

export type EventHandler = (event: StoredEvent) => void | Promise<void>;

export interface Subscription {
  /** resolves once every event that existed when subscribe() was called has been handled */
  readonly caughtUp: Promise<void>;
  /** settles when the subscription ends: resolves after stop(), rejects with the handler's or the store's error */
  readonly done: Promise<void>;
  /** stops delivery (the handler is not called again) and waits for a running handler to return */
  stop(): Promise<void>;
}

export interface EventStore {
  /**
   * Appends `events` (at least one) to one aggregate as a single all-or-nothing unit.
   * @throws ConcurrencyError when the aggregate is not at `expectedVersion`
   * @throws StoreUnavailableError when the store cannot be reached (outcome unknown; retry with the same events)
   */
  append(aggregate: string, aggregateId: string, expectedVersion: ExpectedVersion, events: readonly NewEvent[]): Promise<AppendResult>;

  /**
   * Appends to several aggregates as one all-or-nothing unit: every aggregate's
   * events are stored, or none (each aggregate at most once; at most
   * MAX_ATOMIC_APPEND_AGGREGATES). Results are in the order of `appends`.
   * @throws ConcurrencyError naming the first aggregate not at its expected version, or a GuardConflictError (nothing written)
   * @throws InvalidArgumentError for an empty list, an aggregate listed twice, or too many aggregates
   * @throws StoreUnavailableError when the store cannot be reached (outcome unknown; retry with the same events)
   */
  appendAtomic(appends: readonly AggregateAppend[]): Promise<AppendResult[]>;

  /**
   * Fences every later append made through this handle (until the next call;
   * `undefined` lifts it): the server stores an append only if nothing was
   * written on `fence.subject` after `fence.unchangedSince`, checked in the same
   * atomic batch as the append. A leader passes the sequence of its own term's
   * marker, so once a newer leader writes its marker, every append of the old
   * one — however long it was paused, whatever state it decided on — is refused
   * with FencedError and writes nothing; `onFenced` is then called (once per
   * refused append) so the writer can step down. The fence in force when an
   * append is called is the one it is checked against.
   */
  fence(fence: AppendGuard | undefined, onFenced?: (err: FencedError) => void): void;

  /** The aggregate's events with version ≥ fromVersion (default 1), in order; [] if it does not exist. */
  read(aggregate: string, aggregateId: string, fromVersion?: number): Promise<StoredEvent[]>;

  /** The stream sequence of the newest stored append (0 when there is none): what a reader must reach to have seen everything so far. */
  lastSequence(): Promise<number>;

  /** The events of the one append stored at stream sequence `sequence`, in order; [] when there is none. */
  readAppend(sequence: number): Promise<StoredEvent[]>;

  /** Every event of every aggregate from `fromSequence` (default 1) up to the end of the stream as it was when called. */
  readAll(fromSequence?: number): AsyncIterable<StoredEvent>;

  /**
   * Calls `handler` for every event from `fromSequence` on — history first, then live —
   * in stream order, one at a time (each call awaited), with no gaps and no duplicates.
   */
  subscribe(fromSequence: number, handler: EventHandler): Subscription;

  /** Stores (or overwrites) the snapshot `name`. Names: letters, digits, `-`, `_`, separated by `.`. */
  saveSnapshot<TState>(name: string, snapshot: Snapshot<TState>): Promise<void>;

  loadSnapshot<TState = unknown>(name: string): Promise<Snapshot<TState> | undefined>;

  /** Stops subscriptions and releases the connection (if the store opened it). */
  close(): Promise<void>;
}
