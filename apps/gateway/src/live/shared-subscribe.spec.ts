import { GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from 'graphql';
import { DIRECT_DELIVERY, sharedSubscribe, type DirectDelivery } from './shared-subscribe';

interface Tick {
  readonly n: number;
}

/** A source every subscriber listens to; `emit` hands each of them the same payload object (or, given a function, one of its own). */
function broadcaster() {
  const queues = new Set<{ push(t: Tick): void; end(err?: Error): void }>();
  let returned = 0;
  const subscribe = (): AsyncIterableIterator<Tick> => {
    const items: Tick[] = [];
    let waiting: { resolve(r: IteratorResult<Tick>): void; reject(err: Error): void } | undefined;
    let ended: { err?: Error } | undefined;
    const queue = {
      push(t: Tick) {
        if (waiting) {
          const w = waiting;
          waiting = undefined;
          w.resolve({ value: t, done: false });
        } else items.push(t);
      },
      end(err?: Error) {
        ended = err ? { err } : {};
        if (err) waiting?.reject(err);
        else waiting?.resolve({ value: undefined, done: true });
      },
    };
    queues.add(queue);
    return {
      next: () => {
        if (items.length > 0) return Promise.resolve({ value: items.shift() as Tick, done: false });
        if (ended) return ended.err ? Promise.reject(ended.err) : Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => (waiting = { resolve, reject }));
      },
      return: () => {
        queues.delete(queue);
        returned++;
        waiting?.resolve({ value: undefined, done: true });
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
    end: (err?: Error) => queues.forEach((q) => q.end(err)),
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

async function subscribeWith(schema: GraphQLSchema, prefix: string, contextValue?: unknown) {
  const result = await sharedSubscribe({ schema, document: parse(DOCUMENT), variableValues: { p: prefix }, contextValue });
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

  describe('with direct delivery', () => {
    /** a graphql-ws connection's send: the messages it was given */
    const connection = (id: string) => {
      const messages: string[] = [];
      let wake: (() => void) | undefined;
      const context = { [DIRECT_DELIVERY]: { id, send: (m: string) => void (messages.push(m), wake?.()) } satisfies DirectDelivery };
      const received = async (count: number) => {
        while (messages.length < count) await new Promise<void>((resolve) => (wake = resolve));
        return messages.map((m) => JSON.parse(m) as unknown);
      };
      return { context, messages, received };
    };

    it('writes each result as a graphql-ws next message of its operation id, serialized once for every subscriber of the same operation', async () => {
      const source = broadcaster();
      const schema = schemaFor(source, jest.fn());
      const one = connection('1');
      const two = connection('op-2');
      const streams = [await subscribeWith(schema, 'a:', one.context), await subscribeWith(schema, 'a:', two.context)];
      const pending = streams.map((s) => s.next());
      const stringify = jest.spyOn(JSON, 'stringify');
      source.emit({ n: 1 });
      const [first, second] = await Promise.all([one.received(1), two.received(1)]);
      const calls = stringify.mock.calls.length;
      stringify.mockRestore();

      expect(first).toEqual([{ id: '1', type: 'next', payload: { data: { ticks: { n: 1, label: 'a:1' } } } }]);
      expect(second).toEqual([{ id: 'op-2', type: 'next', payload: { data: { ticks: { n: 1, label: 'a:1' } } } }]);
      expect(calls).toBe(1);
      source.end();
      // the iterator graphql-ws loops over yields nothing and ends with the source (graphql-ws then sends `complete`)
      expect(await Promise.all(pending)).toEqual([
        { value: undefined, done: true },
        { value: undefined, done: true },
      ]);
    });

    it('fails as the source fails (graphql-ws then sends `error`), and a subscriber that leaves stops its source and gets nothing more', async () => {
      const source = broadcaster();
      const schema = schemaFor(source, jest.fn());
      const staying = connection('1');
      const leaving = connection('2');
      const stays = await subscribeWith(schema, '', staying.context);
      const leaves = await subscribeWith(schema, '', leaving.context);
      const failed = stays.next();
      const left = leaves.next();
      source.emit({ n: 1 });
      await Promise.all([staying.received(1), leaving.received(1)]);

      await leaves.return?.();
      expect(await left).toEqual({ value: undefined, done: true });
      expect(source.listeners).toBe(1);
      source.emit({ n: 2 });
      await staying.received(2);
      expect(leaving.messages).toHaveLength(1);

      source.end(new Error('subscriber fell behind'));
      await expect(failed).rejects.toThrow('subscriber fell behind');
    });
  });
});
