import { GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from 'graphql';
import { sharedSubscribe } from './shared-subscribe';

interface Tick {
  readonly n: number;
}

/** A source every subscriber listens to; `emit` hands each of them the same payload object (or, given a function, one of its own). */
function broadcaster() {
  const queues = new Set<{ push(t: Tick): void }>();
  let returned = 0;
  const subscribe = (): AsyncIterableIterator<Tick> => {
    const items: Tick[] = [];
    let waiting: ((r: IteratorResult<Tick>) => void) | undefined;
    const queue = {
      push(t: Tick) {
        if (waiting) {
          const w = waiting;
          waiting = undefined;
          w({ value: t, done: false });
        } else items.push(t);
      },
    };
    queues.add(queue);
    return {
      next: () => (items.length > 0 ? Promise.resolve({ value: items.shift() as Tick, done: false }) : new Promise((resolve) => (waiting = resolve))),
      return: () => {
        queues.delete(queue);
        returned++;
        waiting?.({ value: undefined, done: true });
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  };
  return {
    subscribe,
    emit: (tick: Tick | (() => Tick)) => queues.forEach((q) => q.push(typeof tick === 'function' ? tick() : tick)),
    get listeners() {
      return queues.size;
    },
    get returned() {
      return returned;
    },
  };
}

function schemaFor(source: ReturnType<typeof broadcaster>, resolved: jest.Mock) {
  const tickType = new GraphQLObjectType({
    name: 'Tick',
    fields: {
      n: { type: GraphQLInt },
      label: {
        type: GraphQLString,
        args: { prefix: { type: GraphQLString } },
        resolve: (tick: Tick, args: { prefix?: string }) => {
          resolved(tick.n, args.prefix);
          return `${args.prefix ?? ''}${tick.n}`;
        },
      },
    },
  });
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: { ticks: { type: tickType, args: { prefix: { type: GraphQLString } }, subscribe: () => source.subscribe(), resolve: (tick: Tick) => tick } },
    }),
  });
}

const DOCUMENT = 'subscription($p: String) { ticks { n label(prefix: $p) } }';

async function subscribeWith(schema: GraphQLSchema, prefix: string) {
  const result = await sharedSubscribe({ schema, document: parse(DOCUMENT), variableValues: { p: prefix } });
  if (!(Symbol.asyncIterator in result)) throw new Error(`not a stream: ${JSON.stringify(result)}`);
  return result;
}

const labels = (results: IteratorResult<ExecutionResult>[]) => results.map((r) => (r.value as ExecutionResult<{ ticks: { label: string } }>).data?.ticks.label);

describe('sharedSubscribe', () => {
  it('executes one payload once for every subscriber of the same operation, and once per distinct variables', async () => {
    const source = broadcaster();
    const resolved = jest.fn();
    const schema = schemaFor(source, resolved);
    const sameA = await subscribeWith(schema, 'a:');
    const sameB = await subscribeWith(schema, 'a:');
    const other = await subscribeWith(schema, 'b:');

    source.emit({ n: 1 });
    source.emit({ n: 2 });
    const received = await Promise.all([sameA, sameB, other].map(async (s) => labels([await s.next(), await s.next()])));

    expect(received).toEqual([
      ['a:1', 'a:2'],
      ['a:1', 'a:2'],
      ['b:1', 'b:2'],
    ]);
    // two payloads × two distinct operations, not two × three subscribers
    expect(resolved.mock.calls.sort()).toEqual([
      [1, 'a:'],
      [1, 'b:'],
      [2, 'a:'],
      [2, 'b:'],
    ]);
  });

  it('executes payloads that are not shared per subscriber', async () => {
    const source = broadcaster();
    const resolved = jest.fn();
    const schema = schemaFor(source, resolved);
    const a = await subscribeWith(schema, 'x:');
    const b = await subscribeWith(schema, 'x:');
    // equal content, but each subscriber's own object: nothing to share
    source.emit(() => ({ n: 7 }));
    source.emit(() => ({ n: 8 }));
    await Promise.all([a.next(), a.next(), b.next(), b.next()]);
    expect(resolved).toHaveBeenCalledTimes(4);
  });

  it('passes return() to the source, so a subscriber that leaves stops listening', async () => {
    const source = broadcaster();
    const schema = schemaFor(source, jest.fn());
    const s = await subscribeWith(schema, '');
    expect(source.listeners).toBe(1);
    await s.return?.();
    expect(source.listeners).toBe(0);
    expect(source.returned).toBe(1);
  });

  it('answers an operation that cannot start as graphql-js does: an ExecutionResult with the errors', async () => {
    const schema = schemaFor(broadcaster(), jest.fn());
    const result = await sharedSubscribe({ schema, document: parse('subscription { ticks { n } }'), variableValues: {}, operationName: 'Missing' });
    expect(Symbol.asyncIterator in result).toBe(false);
    expect((result as ExecutionResult).errors?.[0]?.message).toMatch(/Unknown operation named "Missing"/);
  });
});
