import { createSourceEventStream, execute, print, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';

type Executed = ExecutionResult | Promise<ExecutionResult>;

/**
 * Where a graphql-ws subscription's results may be written directly, put in
 * its context value under DIRECT_DELIVERY: its operation id and its
 * connection's send. (A symbol key: no resolver sees it by accident.)
 */
export interface DirectDelivery {
  readonly id: string;
  /** writes one protocol message; a promise when the connection must drain first */
  send(message: string): void | Promise<void>;
}

export const DIRECT_DELIVERY = Symbol('direct delivery');

/** print() of each parsed document, once (a graphql-ws subscriber's document lives as long as its subscription) */
const printed = new WeakMap<DocumentNode, string>();

/** payload object → operation key → its execution: one entry per payload that many subscribers share */
const executions = new WeakMap<object, Map<string, Executed>>();

/** a shared execution result → its JSON as a graphql-ws `next` payload */
const serialized = new WeakMap<ExecutionResult, string>();

function operationKey(args: ExecutionArgs): string {
  let text = printed.get(args.document);
  if (text === undefined) {
    text = print(args.document);
    printed.set(args.document, text);
  }
  return `${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}\u0000${text}`;
}

/** The `payload` of a graphql-ws `next` message, as graphql-ws writes it (errors in their JSON form), once per result. */
function payloadJson(result: ExecutionResult): string {
  let json = serialized.get(result);
  if (json === undefined) {
    const { errors, ...rest } = result;
    json = JSON.stringify(errors ? { ...rest, errors: errors.map((e) => e.toJSON()) } : rest);
    serialized.set(result, json);
  }
  return json;
}

function deliveryOf(contextValue: unknown): DirectDelivery | undefined {
  return typeof contextValue === 'object' && contextValue !== null ? (contextValue as { [DIRECT_DELIVERY]?: DirectDelivery })[DIRECT_DELIVERY] : undefined;
}

/**
 * graphql-js's `subscribe`, except that one event payload sent to many
 * subscribers of the same operation (same document, operation name and
 * variables) is executed once, and, for graphql-ws subscribers whose
 * context offers DIRECT_DELIVERY, serialized once and written straight to
 * each connection.
 *
 * The live feeds hand every subscriber of, say, one rollout the same payload
 * object for the same event, so with a thousand subscribers graphql-js would
 * otherwise execute (and graphql-ws serialize) the same selection over the
 * same object a thousand times per event. Sharing is sound because the
 * payload types have no field resolvers that read the context: who may
 * subscribe is decided once, when the subscription starts
 * (createSourceEventStream runs the guarded subscribe resolver per
 * subscriber), and the payload's fields are plain properties. Payloads that
 * are not objects (or not shared) are executed per subscriber, as
 * graphql-js does.
 *
 * With direct delivery, graphql-ws still does everything else (the
 * handshake, parsing, validation, errors, `complete`): the iterator it gets
 * yields nothing, ends when the source ends (graphql-ws then sends
 * `complete`), fails when it fails (graphql-ws sends `error`), and its
 * return() (client `complete`, connection closed) stops the source.
 */
export async function sharedSubscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!isAsyncIterable(stream)) return stream as ExecutionResult;
  const key = operationKey(args);
  const run = (payload: unknown): Executed => {
    if (typeof payload !== 'object' || payload === null) return execute({ ...args, rootValue: payload });
    let byOperation = executions.get(payload);
    if (byOperation === undefined) {
      byOperation = new Map();
      executions.set(payload, byOperation);
    }
    let result = byOperation.get(key);
    if (result === undefined) {
      result = execute({ ...args, rootValue: payload });
      byOperation.set(key, result);
    }
    return result;
  };
  const source = stream[Symbol.asyncIterator]();
  const delivery = deliveryOf(args.contextValue);
  return delivery ? deliverDirectly(source, run, delivery) : mapAsyncIterator(source, run);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';
}

/** Writes each result of `source` as a `next` message of `delivery.id`; the iterator returned yields nothing and settles as the source does. */
function deliverDirectly<T>(source: AsyncIterator<T>, run: (value: T) => Executed, delivery: DirectDelivery): AsyncIterableIterator<ExecutionResult> {
  const prefix = `{"id":${JSON.stringify(delivery.id)},"type":"next","payload":`;
  let stopped = false;
  const pump = async (): Promise<IteratorResult<ExecutionResult>> => {
    for (;;) {
      const next = await source.next();
      if (next.done || stopped) return { value: undefined, done: true };
      const result = run(next.value);
      const sent = delivery.send(`${prefix}${payloadJson(result instanceof Promise ? await result : result)}}`);
      if (sent) await sent;
    }
  };
  let pumping: Promise<IteratorResult<ExecutionResult>> | undefined;
  const close = async (): Promise<IteratorResult<ExecutionResult>> => {
    stopped = true;
    await source.return?.();
    return { value: undefined, done: true };
  };
  return {
    next: () => (pumping ??= pump().catch(async (err: unknown) => {
      await close();
      throw err;
    })),
    return: close,
    throw: async (err: unknown) => {
      await close();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** `source` with `map` applied to each value; `return()` reaches the source, and a failing `map` closes it (as graphql-js does). */
function mapAsyncIterator<T, U>(source: AsyncIterator<T>, map: (value: T) => U | Promise<U>): AsyncIterableIterator<U> {
  const close = async (): Promise<IteratorResult<U>> => {
    await source.return?.();
    return { value: undefined, done: true };
  };
  const mapped = async (result: IteratorResult<T>): Promise<IteratorResult<U>> => {
    if (result.done) return { value: undefined, done: true };
    try {
      return { value: await map(result.value), done: false };
    } catch (err) {
      await close();
      throw err;
    }
  };
  return {
    next: () => source.next().then(mapped),
    return: close,
    throw: async (err: unknown) => {
      if (source.throw) return mapped(await source.throw(err));
      await close();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
