import type { NewEvent, StoredEvent } from '@berth/contracts';
import { InMemoryEventStore } from '@berth/event-store';
import fc from 'fast-check';
import { eventMatcher, queryEvents } from './audit';
import { EventLog, type EventFilter, type LoggedEvent } from './event-log';

const AGGREGATES = ['job', 'host'];
const IDS = ['a', 'b', 'c'];
const TYPES = ['Created', 'Changed', 'Removed'];
const ACTORS = ['alice', 'bob'];

interface EventSpec {
  readonly aggregate: number;
  readonly id: number;
  readonly type: number;
  readonly actor: number;
  readonly minute: number;
}

function newEvent(spec: EventSpec, n: number): NewEvent {
  return {
    id: `e${n}`,
    type: TYPES[spec.type] as string,
    schemaVersion: 1,
    time: new Date(Date.UTC(2026, 0, 1, 10, spec.minute)).toISOString(),
    actor: ACTORS[spec.actor] as string,
    correlationId: `c${n % 3}`,
    causationId: `c${n % 3}`,
    data: { n },
  };
}

/** Appends of 1–3 events each to a store, then every stored event in stream order. */
async function storeWith(appends: readonly (readonly EventSpec[])[]): Promise<{ store: InMemoryEventStore; events: StoredEvent[] }> {
  const store = new InMemoryEventStore();
  let n = 0;
  for (const events of appends) {
    const first = events[0] as EventSpec;
    await store.append(AGGREGATES[first.aggregate] as string, IDS[first.id] as string, 'any', events.map((e) => newEvent(e, n++)));
  }
  const events: StoredEvent[] = [];
  for await (const e of store.readAll()) events.push(e);
  return { store, events };
}

function logOf(store: InMemoryEventStore, events: readonly StoredEvent[], memoryEvents: number): EventLog {
  const log = new EventLog(memoryEvents);
  log.readFrom(store);
  for (const e of events) log.append(e);
  return log;
}

const eventSpec = fc.record({
  aggregate: fc.nat(AGGREGATES.length - 1),
  id: fc.nat(IDS.length - 1),
  type: fc.nat(TYPES.length - 1),
  actor: fc.nat(ACTORS.length - 1),
  minute: fc.nat(59),
});
const appendsArb = fc.array(fc.array(eventSpec, { minLength: 1, maxLength: 3 }), { maxLength: 25 });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const time = (minute: number) => new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString();
const filterArb: fc.Arbitrary<EventFilter> = fc.record({
  aggregate: maybe(fc.constantFrom(...AGGREGATES, 'group')),
  aggregateId: maybe(fc.constantFrom(...IDS)),
  type: maybe(fc.constantFrom(...TYPES)),
  actor: maybe(fc.constantFrom(...ACTORS)),
  correlationId: maybe(fc.constantFrom('c0', 'c1', 'nobody')),
  fromSequence: maybe(fc.integer({ min: 0, max: 30 })),
  toSequence: maybe(fc.integer({ min: 0, max: 30 })),
  fromTime: maybe(fc.nat(59).map(time)),
  toTime: maybe(fc.nat(59).map(time)),
});

describe('EventLog', () => {
  it('selects exactly what the plain filter over every event selects, whole events read back from the store past the newest few', async () => {
    await fc.assert(
      fc.asyncProperty(appendsArb, filterArb, fc.integer({ min: 1, max: 8 }), async (appends, filter, memoryEvents) => {
        const { store, events } = await storeWith(appends);
        const log = logOf(store, events, memoryEvents);
        const logged: LoggedEvent[] = events.map((e, i) => ({ ...e, position: i + 1 }));

        expect(await log.select(filter)).toEqual(logged.filter(eventMatcher(filter)));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps only the newest events whole, and reads the older ones of a page back from the store, several from one append', async () => {
    const spec = { aggregate: 0, id: 0, type: 1, actor: 0, minute: 1 };
    const { store, events } = await storeWith([[spec, spec, spec], [spec], [spec, spec]]);
    const log = logOf(store, events, 2);
    const readAppend = jest.spyOn(store, 'readAppend');

    expect(log.oldestInMemory).toBe(5);
    expect((await log.events([5, 6])).map((e) => e.position)).toEqual([5, 6]);
    expect(readAppend).not.toHaveBeenCalled();

    const page = await log.events([3, 1, 6, 2]);
    expect(page.map((e) => [e.position, e.sequence, e.data])).toEqual([
      [3, 1, { n: 2 }],
      [1, 1, { n: 0 }],
      [6, 3, { n: 5 }],
      [2, 1, { n: 1 }],
    ]);
    // the three events of append 1 cost one read
    expect(readAppend.mock.calls).toEqual([[1]]);
  });

  it('says UNAVAILABLE when an older event is gone from the store, or there is no store to read it from', async () => {
    const spec = { aggregate: 1, id: 2, type: 0, actor: 1, minute: 5 };
    const { events } = await storeWith([[spec], [spec], [spec]]);
    const elsewhere = await storeWith([[{ ...spec, id: 1 }]]);

    await expect(logOf(elsewhere.store, events, 1).events([1])).rejects.toMatchObject({ code: 'UNAVAILABLE', message: 'event 1 (stream sequence 1) is no longer in the store' });
    const unattached = new EventLog(1);
    for (const e of events) unattached.append(e);
    await expect(unattached.events([1])).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect((await unattached.events([3]))[0]?.position).toBe(3);
  });

  it('keeps correlation ids as hashes only, and selects exactly one id even when another has the same hash', async () => {
    // "c693596" and "c1170850" have the same 32-bit FNV-1a hash
    const store = new InMemoryEventStore();
    for (const [n, correlationId] of ['c693596', 'c1170850', 'c693596'].entries()) {
      await store.append('job', 'a', 'any', [{ ...newEvent({ aggregate: 0, id: 0, type: 0, actor: 0, minute: n }, n), correlationId }]);
    }
    const events: StoredEvent[] = [];
    for await (const e of store.readAll()) events.push(e);
    const log = logOf(store, events, 1);

    expect(log.matching({ correlationId: 'c693596' })).toEqual([1, 2, 3]);
    expect((await log.select({ correlationId: 'c693596' })).map((e) => [e.position, e.correlationId])).toEqual([
      [1, 'c693596'],
      [3, 'c693596'],
    ]);
    expect((await queryEvents(log, { correlationId: 'c1170850' })).items.map((e) => e.position)).toEqual([2]);
    expect((await queryEvents(log, { correlationId: 'c693596' }, 1)).nextCursor).toBeDefined();
    // what a GraphQL `correlationId: null` gives: no event has it
    const asNull = { correlationId: null } as unknown as EventFilter;
    expect(log.matching(asNull)).toEqual([]);
    expect((await queryEvents(log, asNull)).items).toEqual([]);
  });

  it('refuses a bad time in a filter as INVALID_REQUEST', () => {
    expect(() => new EventLog().matching({ fromTime: 'noon' })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', message: 'fromTime is not an ISO-8601 time: noon' }));
  });
});
