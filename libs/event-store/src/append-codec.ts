import { createHash } from 'node:crypto';
import type { EventEnvelope, NewEvent, StoredEvent } from '@berth/contracts';
import { CorruptEventError, InvalidArgumentError } from './errors';
import { MAX_ATOMIC_APPEND_AGGREGATES, type AggregateAppend, type ExpectedVersion } from './event-store';

/** Body of one stored append (see event-store.ts): the version of its first event and the envelopes. */
export interface AppendBody {
  readonly version: number;
  readonly events: readonly EventEnvelope[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function validateAppend(
  aggregate: string,
  aggregateId: string,
  expectedVersion: ExpectedVersion,
  events: readonly NewEvent[],
): void {
  if (!aggregate) throw new InvalidArgumentError('aggregate must not be empty');
  if (expectedVersion !== 'any' && !(Number.isSafeInteger(expectedVersion) && expectedVersion >= 0)) {
    throw new InvalidArgumentError(`expectedVersion must be 'any' or an integer >= 0, got ${String(expectedVersion)}`);
  }
  if (events.length === 0) throw new InvalidArgumentError('append needs at least one event');
  const ids = new Set<string>();
  for (const e of events) {
    if (!e.id) throw new InvalidArgumentError(`event of type ${JSON.stringify(e.type)} has no id`);
    if (ids.has(e.id)) throw new InvalidArgumentError(`event id ${e.id} appears twice in one append`);
    ids.add(e.id);
  }
}

/** Checks an atomic append as a whole: each part, each aggregate once, every event id once, within the batch limit. */
export function validateAtomicAppend(appends: readonly AggregateAppend[]): void {
  if (appends.length === 0) throw new InvalidArgumentError('an atomic append needs at least one aggregate');
  if (appends.length > MAX_ATOMIC_APPEND_AGGREGATES) {
    throw new InvalidArgumentError(
      `an atomic append touches ${appends.length} aggregates; at most ${MAX_ATOMIC_APPEND_AGGREGATES} fit in one nats-server atomic batch, and splitting it would not be all or nothing`,
    );
  }
  const subjects = new Set<string>();
  const ids = new Set<string>();
  for (const a of appends) {
    validateAppend(a.aggregate, a.aggregateId, a.expectedVersion, a.events);
    if (a.guard !== undefined) {
      if (a.expectedVersion !== 'any') throw new InvalidArgumentError(`a guarded part checks its guard, not its version: give ${a.aggregate} ${JSON.stringify(a.aggregateId)} expectedVersion 'any'`);
      if (!Number.isSafeInteger(a.guard.unchangedSince) || a.guard.unchangedSince < 0) throw new InvalidArgumentError(`guard unchangedSince must be an integer >= 0, got ${String(a.guard.unchangedSince)}`);
      if (!/^[^\s]+$/.test(a.guard.subject)) throw new InvalidArgumentError(`guard subject ${JSON.stringify(a.guard.subject)} is not a subject`);
    }
    const key = `${a.aggregate}\u0000${a.aggregateId}`;
    if (subjects.has(key)) {
      throw new InvalidArgumentError(`${a.aggregate} ${JSON.stringify(a.aggregateId)} appears twice in one atomic append: put all its events in one part`);
    }
    subjects.add(key);
    for (const e of a.events) {
      if (ids.has(e.id)) throw new InvalidArgumentError(`event id ${e.id} appears twice in one atomic append`);
      ids.add(e.id);
    }
  }
}

/** NATS subject matching: `*` is one token, `>` the rest (one or more tokens). */
export function subjectMatches(filter: string, subject: string): boolean {
  const pattern = filter.split('.');
  const tokens = subject.split('.');
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '>') return tokens.length > i;
    if (i >= tokens.length || (pattern[i] !== '*' && pattern[i] !== tokens[i])) return false;
  }
  return tokens.length === pattern.length;
}

/** True when `stored` begins with exactly `events` (by id), all from one append: a retry of an append that was stored. */
export function isSameAppend(stored: readonly StoredEvent[], events: readonly NewEvent[]): boolean {
  if (stored.length < events.length) return false;
  const sequence = stored[0]?.sequence;
  return events.every((e, i) => stored[i]?.id === e.id && stored[i]?.sequence === sequence);
}

/**
 * `Nats-Msg-Id` of an append: the event id for a single event; for several, the
 * first id, the count and a digest of all ids, so retrying the same events dedupes
 * while a different batch that happens to start with the same id does not.
 */
export function appendMessageId(events: readonly NewEvent[]): string {
  const [first] = events;
  if (!first) throw new InvalidArgumentError('append needs at least one event');
  if (events.length === 1) return first.id;
  const digest = createHash('sha256')
    .update(events.map((e) => e.id).join('\n'))
    .digest('hex')
    .slice(0, 16);
  return `${first.id}+${events.length}-${digest}`;
}

/** The JSON body of an append; only the envelope's fields are kept, in a fixed order. */
export function encodeAppend(aggregate: string, aggregateId: string, firstVersion: number, events: readonly NewEvent[]): string {
  const envelopes: EventEnvelope[] = events.map((e) => ({
    id: e.id,
    type: e.type,
    schemaVersion: e.schemaVersion,
    aggregate,
    aggregateId,
    time: e.time,
    actor: e.actor,
    correlationId: e.correlationId,
    causationId: e.causationId,
    data: e.data,
  }));
  const body: AppendBody = { version: firstVersion, events: envelopes };
  return JSON.stringify(body);
}

/**
 * Parses one stored append into StoredEvents. Hot path of every replay: one
 * JSON.parse, and the parsed objects are completed in place rather than copied.
 */
export function decodeAppend(json: string, sequence: number): StoredEvent[] {
  let body: { version?: unknown; events?: unknown };
  try {
    body = JSON.parse(json) as typeof body;
  } catch (err) {
    throw new CorruptEventError(`stream message ${sequence} is not JSON`, { cause: err });
  }
  const { version, events } = body;
  if (typeof version !== 'number' || !Array.isArray(events)) {
    throw new CorruptEventError(`stream message ${sequence} is not a Berth append ({version, events})`);
  }
  const out = events as Mutable<StoredEvent>[];
  for (let i = 0; i < out.length; i++) {
    const e = out[i] as Mutable<StoredEvent>;
    e.sequence = sequence;
    e.version = version + i;
  }
  return out;
}

/** Version of the last event of a stored append. */
export function lastVersionOf(json: string, sequence: number): number {
  const events = decodeAppend(json, sequence);
  const last = events[events.length - 1];
  if (!last) throw new CorruptEventError(`stream message ${sequence} holds no events`);
  return last.version;
}

const SNAPSHOT_NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

/** Snapshot names double as KV keys: letters, digits, `-`, `_`, separated by `.`; segments starting `__` are the store's own (a big snapshot's parts). */
export function validateSnapshotName(name: string): void {
  if (!SNAPSHOT_NAME.test(name)) {
    throw new InvalidArgumentError(`invalid snapshot name ${JSON.stringify(name)}: use letters, digits, - and _, separated by .`);
  }
  if (name.split('.').some((segment) => segment.startsWith('__'))) {
    throw new InvalidArgumentError(`invalid snapshot name ${JSON.stringify(name)}: segments starting with __ are reserved`);
  }
}
