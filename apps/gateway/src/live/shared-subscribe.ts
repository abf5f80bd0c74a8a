import { createSourceEventStream, execute, print, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';

type Executed = ExecutionResult | Promise<ExecutionResult>;

/** print() of each parsed document, once (a graphql-ws subscriber's document lives as long as its subscription) */
const printed = new WeakMap<DocumentNode, string>();

/** payload object → operation key → its execution: one entry per payload that many subscribers share */
const executions = new WeakMap<object, Map<string, Executed>>();

function operationKey(args: ExecutionArgs): string {
  let text = printed.get(args.document);
  if (text === undefined) {
    text = print(args.document);
    printed.set(args.document, text);
  }
  return `${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}\u0000${text}`;
}

/**
 * graphql-js's `subscribe`, except that one event payload sent to many
 * subscribers of the same operation (same document, operation name and
 * variables) is executed once and the result shared.
 *
 * The live feeds hand every subscriber of, say, one rollout the same payload
 * object for the same event, so with a thousand subscribers graphql-js would
 * otherwise execute the same selection over the same object a thousand
 * times per event. Sharing is sound because the payload types have no field
 * resolvers that read the context: who may subscribe is decided once, when
 * the subscription starts (createSourceEventStream runs the guarded
 * subscribe resolver per subscriber), and the payload's fields are plain
 * properties. Payloads that are not objects (or not shared) are executed
 * per subscriber, as graphql-js does.
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
  return mapAsyncIterator(stream[Symbol.asyncIterator](), run);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';
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
