import { ErrorCode, type StoredEvent } from '@berth/contracts';
import type { EventStore } from '@berth/event-store';
import { gatewayError } from '../errors/error-mapping';

/** A stored event with its 1-based position in this process's log (events of one append share a sequence). */
export type LoggedEvent = StoredEvent & { readonly position: number };

export interface EventFilter {
  readonly aggregate?: string;
  readonly aggregateId?: string;
  readonly fromSequence?: number;
  readonly toSequence?: number;
  /** ISO instants, inclusive */
  readonly fromTime?: string;
  readonly toTime?: string;
  readonly actor?: string;
  readonly type?: string;
  readonly correlationId?: string;
}

/** Events kept whole in memory by default: about 1 KB each, so ~100 MB. */
export const DEFAULT_MEMORY_EVENTS = 100_000;

/** Appends read at once from the store for events no longer in memory. */
const STORE_READ_CONCURRENCY = 64;

/** An ISO-8601 filter bound in epoch ms; INVALID_REQUEST when it is not one. */
export function instant(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) throw gatewayError(ErrorCode.INVALID_REQUEST, `${name} is not an ISO-8601 time: ${value}`, { [name]: value });
  return millis;
}

/**
 * The gateway's audit log: every event of BERTH_EVENTS in stream order, each
 * at a position (1, 2, 3, …).
 *
 * Memory stays small however long the gateway runs: what audit filters on
 * (sequence, aggregate, id, type, actor, correlation id, time) is kept for
 * every event in typed columns (about 40 bytes an event: aggregates, ids,
 * types and actors interned, as there are few of them; correlation ids, one
 * per command, only as a 32-bit hash), but whole events only for the newest
 * `memoryEvents`. Older events are read back from the store, one append per
 * stream sequence, when a page shows them.
 */
export class EventLog {
  private readonly sequences = new Column(Float64Array);
  /** index of the event within its append */
  private readonly offsets = new Column(Int32Array);
  private readonly times = new Column(Float64Array);
  private readonly aggregates = new Column(Int32Array);
  private readonly aggregateIds = new Column(Int32Array);
  private readonly types = new Column(Int32Array);
  private readonly actors = new Column(Int32Array);
  /** FNV-1a of the correlation id: `matching` may over-select on a collision, `select` and `queryEvents` check the id itself */
  private readonly correlationHashes = new Column(Int32Array);
  private readonly strings = new Interner();
  /** the newest events, whole: position p is at (p - 1) % memoryEvents */
  private readonly recent: LoggedEvent[] = [];
  private store: EventStore | undefined;

  constructor(readonly memoryEvents = DEFAULT_MEMORY_EVENTS) {
    if (!Number.isInteger(memoryEvents) || memoryEvents < 1) throw new RangeError(`memoryEvents must be a positive integer, got ${memoryEvents}`);
  }

  /** The store the events come from: where events no longer in memory are read back. */
  readFrom(store: EventStore): void {
    this.store = store;
  }

  /** Position of the last event (0 when empty). */
  get length(): number {
    return this.sequences.length;
  }

  /** Stream sequence of the last event (0 when empty). */
  get lastSequence(): number {
    return this.length === 0 ? 0 : this.sequences.at(this.length - 1);
  }

  /**
   * The stream sequence the state as of `millis` reaches: every event stored
   * before the first one decided after it. A prefix of the stream (a state
   * that existed), not a filter on times: a command's events carry its
   * decision time, and a retried command may be stored after later decisions.
   */
  sequenceAsOf(millis: number): number {
    for (let i = 0; i < this.length; i++) if (this.times.at(i) > millis) return this.sequences.at(i) - 1;
    return this.lastSequence;
  }

  /** The oldest position still held whole in memory. */
  get oldestInMemory(): number {
    return Math.max(1, this.length - this.memoryEvents + 1);
  }

  append(stored: StoredEvent): LoggedEvent {
    const event: LoggedEvent = { ...stored, position: this.length + 1 };
    const previous = this.length - 1;
    const sameAppend = previous >= 0 && this.sequences.at(previous) === stored.sequence;
    this.offsets.push(sameAppend ? this.offsets.at(previous) + 1 : 0);
    this.sequences.push(stored.sequence);
    this.times.push(Date.parse(stored.time));
    this.aggregates.push(this.strings.id(stored.aggregate));
    this.aggregateIds.push(this.strings.id(stored.aggregateId));
    this.types.push(this.strings.id(stored.type));
    this.actors.push(this.strings.id(stored.actor));
    this.correlationHashes.push(fnv1a(stored.correlationId));
    this.recent[(event.position - 1) % this.memoryEvents] = event;
    return event;
  }

  /**
   * Positions of the events matching `filter`, ascending; decided now, from
   * memory alone. Exact, but for `correlationId`, matched by its hash: a
   * collision can add an event of another correlation id (see `select`).
   */
  matching(filter: EventFilter): number[] {
    const from = instant('fromTime', filter.fromTime);
    const to = instant('toTime', filter.toTime);
    const wanted = (value: string | undefined): number | null | undefined => (value === undefined ? undefined : (this.strings.find(value) ?? null));
    const aggregate = wanted(filter.aggregate);
    const aggregateId = wanted(filter.aggregateId);
    const type = wanted(filter.type);
    const actor = wanted(filter.actor);
    // GraphQL may pass null for a filter: no event has it, as for the other fields
    const correlation = typeof filter.correlationId === 'string' ? fnv1a(filter.correlationId) : filter.correlationId === undefined ? undefined : null;
    // a string no event has: nothing matches
    if (aggregate === null || aggregateId === null || type === null || actor === null || correlation === null) return [];

    const out: number[] = [];
    const end = this.length;
    for (let i = filter.fromSequence === undefined ? 0 : this.firstIndexAtOrAfter(filter.fromSequence); i < end; i++) {
      if (filter.toSequence !== undefined && this.sequences.at(i) > filter.toSequence) break;
      if (
        (aggregateId === undefined || this.aggregateIds.at(i) === aggregateId) &&
        (aggregate === undefined || this.aggregates.at(i) === aggregate) &&
        (type === undefined || this.types.at(i) === type) &&
        (actor === undefined || this.actors.at(i) === actor) &&
        (correlation === undefined || this.correlationHashes.at(i) === correlation) &&
        (from === undefined || this.times.at(i) >= from) &&
        (to === undefined || this.times.at(i) <= to)
      ) {
        out.push(i + 1);
      }
    }
    return out;
  }

  /**
   * The events at `positions` (each in 1..length), in that order. Which are
   * in memory is decided at the call, so a later eviction cannot lose one;
   * the rest are read back from the store.
   */
  async events(positions: readonly number[]): Promise<LoggedEvent[]> {
    const out: (LoggedEvent | undefined)[] = new Array(positions.length);
    const older: number[] = [];
    const oldest = this.oldestInMemory;
    positions.forEach((position, i) => {
      if (!Number.isInteger(position) || position < 1 || position > this.length) throw new RangeError(`no event at position ${position}`);
      if (position >= oldest) out[i] = this.recent[(position - 1) % this.memoryEvents];
      else older.push(i);
    });
    if (older.length > 0) {
      const appends = await this.readAppends(older.map((i) => this.sequences.at((positions[i] as number) - 1)));
      for (const i of older) {
        const position = positions[i] as number;
        const sequence = this.sequences.at(position - 1);
        const event = appends.get(sequence)?.[this.offsets.at(position - 1)];
        if (!event || event.aggregateId !== this.strings.text(this.aggregateIds.at(position - 1))) {
          throw gatewayError(ErrorCode.UNAVAILABLE, `event ${position} (stream sequence ${sequence}) is no longer in the store`, { position, sequence });
        }
        out[i] = { ...event, position };
      }
    }
    return out as LoggedEvent[];
  }

  /** Every event matching `filter` exactly, oldest first; what matches is decided at the call. */
  async select(filter: EventFilter = {}): Promise<LoggedEvent[]> {
    const events = await this.events(this.matching(filter));
    return filter.correlationId === undefined ? events : events.filter((e) => e.correlationId === filter.correlationId);
  }

  private async readAppends(sequences: readonly number[]): Promise<Map<number, StoredEvent[]>> {
    const store = this.store;
    if (!store) throw gatewayError(ErrorCode.UNAVAILABLE, 'older events are not in memory and the gateway follows no store to read them from');
    const unique = [...new Set(sequences)];
    const appends = new Map<number, StoredEvent[]>();
    for (let i = 0; i < unique.length; i += STORE_READ_CONCURRENCY) {
      const batch = unique.slice(i, i + STORE_READ_CONCURRENCY);
      const read = await Promise.all(batch.map((sequence) => store.readAppend(sequence)));
      batch.forEach((sequence, j) => appends.set(sequence, read[j] as StoredEvent[]));
    }
    return appends;
  }

  /** Index of the first event with a sequence ≥ `sequence` (binary search: sequences only grow). */
  private firstIndexAtOrAfter(sequence: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sequences.at(mid) < sequence) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

type NumberArray = Float64Array | Int32Array;

/** An append-only column of numbers in one typed array, doubled as it fills. */
class Column<A extends NumberArray> {
  private data: A;
  length = 0;

  constructor(private readonly make: new (length: number) => A) {
    this.data = new make(1024);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  at(index: number): number {
    return this.data[index] as number;
  }
}

/** 32-bit FNV-1a of a string's UTF-16 code units. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/** Each distinct string once, by a small integer. */
class Interner {
  private readonly ids = new Map<string, number>();
  private readonly texts: string[] = [];

  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.ids.set(text, id);
      this.texts.push(text);
    }
    return id;
  }

  find(text: string): number | undefined {
    return this.ids.get(text);
  }

  text(id: number): string | undefined {
    return this.texts[id];
  }
}
