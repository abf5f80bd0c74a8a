import { JetStreamEventStore } from '@berth/event-store';
import { collect, startStack, type Stack } from './harness';

/**
 * A gateway keeps only its newest events whole in memory (here 3): audit
 * pages, state as of a time and the replayed event feed read the older ones
 * back from JetStream, and answer exactly what the stream holds.
 */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ auditMemoryEvents: 3 });
});

// one hook, in order: gateway and scheduler before nats-server
afterAll(async () => {
  await stack?.stop();
});

async function mutate(mutation: string, variables: Record<string, unknown> = {}): Promise<number> {
  const answer = await stack.gql<Record<string, { sequence: number }>>(mutation, variables);
  expect(answer.errors).toBeUndefined();
  return (Object.values(answer.data ?? {})[0] as { sequence: number }).sequence;
}

const REGISTER_HOST = 'mutation($host: String!) { registerHost(host: $host, agentId: $host) { sequence } }';

/** The audit position (1-based count of events) of the last event stored at `sequence`: stream sequences also count the leader's fence messages. */
async function positionOf(sequence: number): Promise<number> {
  const store = await JetStreamEventStore.connect({ nc: stack.nc });
  try {
    let position = 0;
    for await (const e of store.readAll()) if (e.sequence <= sequence) position++;
    return position;
  } finally {
    await store.close();
  }
}

interface AuditEvent {
  position: number;
  sequence: number;
  type: string;
  aggregate: string;
  aggregateId: string;
  actor: string;
  data: unknown;
}
const FIELDS = 'position sequence type aggregate aggregateId actor data';

it('pages through the whole log, older events read back from the stream, as the stream holds them', async () => {
  for (const host of ['old-1', 'old-2', 'old-3', 'old-4']) await mutate(REGISTER_HOST, { host });
  const last = await mutate('mutation { deregisterHost(host: "old-1") { sequence } }');
  expect(stack.gateway.readModel.log.oldestInMemory).toBeGreaterThan(1);

  type Page = { events: { items: AuditEvent[]; nextCursor: string | null; totalCount: number } };
  const seen: AuditEvent[] = [];
  let after: string | null = null;
  do {
    const answer: { data?: Page } = await stack.gql<Page>(`query($c: String, $s: Int) { events(first: 2, after: $c, atLeastSequence: $s) { items { ${FIELDS} } nextCursor totalCount } }`, { c: after, s: last });
    expect(answer).not.toHaveProperty('errors');
    seen.push(...(answer.data?.events.items ?? []));
    after = answer.data?.events.nextCursor ?? null;
  } while (after !== null);

  const store = await JetStreamEventStore.connect({ nc: stack.nc });
  try {
    const stream: AuditEvent[] = [];
    for await (const e of store.readAll()) {
      stream.push({ position: stream.length + 1, sequence: e.sequence, type: e.type, aggregate: e.aggregate, aggregateId: e.aggregateId, actor: e.actor, data: e.data });
    }
    expect(seen).toEqual(stream.filter((e) => e.sequence <= last));
  } finally {
    await store.close();
  }

  // filtered to one old host: from the stream too
  const old = await stack.gql<Page>(`{ events(aggregate: "host", id: "old-2") { items { ${FIELDS} } totalCount } }`);
  expect(old.data?.events.totalCount).toBe(1);
  expect(old.data?.events.items.map((e) => [e.type, e.aggregateId])).toEqual([['HostRegistered', 'old-2']]);
});

it('rebuilds a host as of a sequence from events no longer in memory', async () => {
  const registered = await mutate(REGISTER_HOST, { host: 'asof-1' });
  const gone = await mutate('mutation { deregisterHost(host: "asof-1") { sequence } }');
  for (const host of ['asof-2', 'asof-3', 'asof-4']) await mutate(REGISTER_HOST, { host });
  expect(stack.gateway.readModel.log.oldestInMemory).toBeGreaterThan(await positionOf(gone));

  type AsOf = { hostAsOf: { registered: boolean; sequence: number } };
  const asOf = async (sequence: number) => (await stack.gql<AsOf>('query($s: Int) { hostAsOf(name: "asof-1", sequence: $s) { registered sequence } }', { s: sequence })).data?.hostAsOf;
  expect(await asOf(registered)).toEqual({ registered: true, sequence: registered });
  expect(await asOf(gone)).toEqual({ registered: false, sequence: gone });
});

it('replays the event feed from a sequence no longer in memory, then goes on live with no gap', async () => {
  const from = await mutate(REGISTER_HOST, { host: 'feed-old-1' });
  for (const host of ['feed-old-2', 'feed-old-3', 'feed-old-4']) await mutate(REGISTER_HOST, { host });
  expect(stack.gateway.readModel.log.oldestInMemory).toBeGreaterThan(await positionOf(from));

  type Feed = { events: { aggregateId: string; sequence: number } };
  const sub = collect<Feed>(stack.wsClient(), 'subscription($from: Int) { events(filter: { aggregate: "host" }, fromSequence: $from) { aggregateId sequence } }', { from });
  const replayed = await sub.next(4);
  const live = await mutate(REGISTER_HOST, { host: 'feed-new' });
  const all = await sub.next(5);
  sub.unsubscribe();

  expect(replayed.map((m) => m.events.aggregateId)).toEqual(['feed-old-1', 'feed-old-2', 'feed-old-3', 'feed-old-4']);
  expect(all[4]?.events).toEqual({ aggregateId: 'feed-new', sequence: live });
});
