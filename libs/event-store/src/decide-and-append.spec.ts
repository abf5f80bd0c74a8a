import { DomainError, type Decider } from '@berth/domain';
import { decideAndAppend, type AggregateView } from './decide-and-append';
import { InMemoryEventStore } from './in-memory-event-store';
import { toDomainEvent } from './event-mapping';

// A counter that may not exceed a limit: a rule two racing writers could both pass on stale state.
type Cmd = { type: 'Add'; amount: number; limit: number; time: string };
type Evt = { type: 'Added'; amount: number };
const counter: Decider<Cmd, Evt, number> = {
  initialState: 0,
  decide: (c, s) => {
    if (s + c.amount > c.limit) throw new DomainError('FORBIDDEN', 'over the limit');
    return [{ type: 'Added', amount: c.amount }];
  },
  evolve: (s, e) => s + e.amount,
};

let ids = 0;
const meta = { actor: 'test', correlationId: 'c1', causationId: 'k1', time: '2026-01-01T00:00:00.000Z' };
const add = (store: InMemoryEventStore, amount: number, load?: () => AggregateView<number>) =>
  decideAndAppend({
    store,
    aggregate: 'counter',
    aggregateId: 'a',
    decider: counter,
    command: () => ({ type: 'Add', amount, limit: 10, time: meta.time }),
    meta,
    newId: () => `id-${++ids}`,
    ...(load ? { load } : {}),
  });

describe('decideAndAppend', () => {
  it('appends the decided events with metadata and returns their sequence', async () => {
    const store = new InMemoryEventStore();
    const result = await add(store, 3);
    expect(result.version).toBe(1);
    const [stored] = await store.read('counter', 'a');
    if (!stored) throw new Error('nothing stored');
    expect(stored).toMatchObject({ type: 'Added', actor: 'test', correlationId: 'c1', causationId: 'k1', data: { amount: 3 } });
    expect(toDomainEvent(stored)).toEqual({ type: 'Added', amount: 3 });
    expect(result.sequence).toBe(stored.sequence);
  });

  it('re-decides on fresh state after a conflict, so a stale view cannot break a rule', async () => {
    const store = new InMemoryEventStore();
    await add(store, 6);
    // a stale projection still thinks the counter is empty at version 0
    const stale = () => ({ state: 0, version: 0 });
    await expect(add(store, 6, stale)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(add(store, 4, stale)).resolves.toMatchObject({ version: 2 });
    expect((await store.read('counter', 'a')).map((e) => (e.data as { amount: number }).amount)).toEqual([6, 4]);
  });

  it('of two racing writers exactly one passes the rule', async () => {
    const store = new InMemoryEventStore();
    const results = await Promise.allSettled([add(store, 7), add(store, 7)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(await store.read('counter', 'a')).toHaveLength(1);
  });

  it('writes nothing when the decider refuses', async () => {
    const store = new InMemoryEventStore();
    await expect(add(store, 11)).rejects.toBeInstanceOf(DomainError);
    expect(await store.read('counter', 'a')).toEqual([]);
  });
});
