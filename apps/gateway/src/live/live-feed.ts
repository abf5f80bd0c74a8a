import { ErrorCode } from '@berth/contracts';
import { gatewayError } from '../errors/error-mapping';
import type { GatewayReadModel, LoggedEvent } from '../read-model/gateway-read-model';

/** A subscriber that falls this far behind is cut off rather than holding the gateway's memory. */
export const MAX_QUEUED = 10_000;

/**
 * Current state, then every change, with no gap and no duplicate: the
 * listener is registered BEFORE the current state is read (in the same
 * synchronous step), and events at or before the position the state reflects
 * are dropped. `changes` maps one event to the updates it causes (often none).
 * A `current` that is read asynchronously (older events from the store) must
 * decide what it covers before its first await; changes wait until it is in.
 */
export function liveFeed<T>(
  model: GatewayReadModel,
  current: () => readonly T[] | Promise<readonly T[]>,
  changes: (event: LoggedEvent) => readonly T[],
  maxQueued = MAX_QUEUED,
): AsyncIterableIterator<T> {
  const queue: T[] = [];
  let waiting: { resolve: (result: IteratorResult<T>) => void; reject: (err: Error) => void } | undefined;
  let finished = false;
  let failure: Error | undefined;
  let seenPosition = Number.POSITIVE_INFINITY;
  /** changes that came while an asynchronous current state was being read */
  let held: T[] | undefined;

  const push = (items: readonly T[]): void => {
    for (const item of items) {
      if (waiting) {
        const { resolve } = waiting;
        waiting = undefined;
        resolve({ value: item, done: false });
      } else queue.push(item);
    }
    if (queue.length > maxQueued) fail(gatewayError(ErrorCode.UNAVAILABLE, `subscriber fell more than ${maxQueued} updates behind`));
  };
  const fail = (err: Error): void => {
    failure = err;
    finish();
  };
  const unlisten = model.listen((event) => {
    if (event.position <= seenPosition) return;
    if (!held) return push(changes(event));
    held.push(...changes(event));
    if (held.length > maxQueued) fail(gatewayError(ErrorCode.UNAVAILABLE, `subscriber fell more than ${maxQueued} updates behind`));
  });
  const finish = (): void => {
    finished = true;
    unlisten();
    if (failure) waiting?.reject(failure);
    else waiting?.resolve({ value: undefined, done: true });
    waiting = undefined;
  };
  try {
    seenPosition = model.position;
    const now = current();
    if (!('then' in now)) push(now);
    else {
      held = [];
      now.then(
        (items) => {
          const later = held ?? [];
          held = undefined;
          if (finished) return;
          push(items);
          push(later);
        },
        (err: Error) => fail(err),
      );
    }
  } catch (err) {
    finish();
    throw err;
  }

  return {
    next(): Promise<IteratorResult<T>> {
      if (queue.length > 0) return Promise.resolve({ value: queue.shift() as T, done: false });
      if (failure) return Promise.reject(failure);
      if (finished) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => (waiting = { resolve, reject }));
    },
    return(): Promise<IteratorResult<T>> {
      finish();
      queue.length = 0;
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
