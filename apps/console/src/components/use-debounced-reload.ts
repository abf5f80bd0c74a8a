import { useEffect, useRef } from 'react';
import { useSession } from '../app/session';

/**
 * Calls `reload` after events of `aggregate` arrive on the live feed (at most
 * every `ms`): pages whose query has no subscription of its own stay live.
 */
export function useReloadOnEvents(aggregate: string, reload: () => void, ms = 300): void {
  const { api } = useSession();
  const latest = useRef(reload);
  latest.current = reload;
  useEffect(() => {
    let timer: number | undefined;
    const unsubscribe = api.subscribe(
      'subscription Changes($filter: EventFeedFilter) { events(filter: $filter) { sequence } }',
      { filter: { aggregate } },
      () => {
        timer ??= window.setTimeout(() => {
          timer = undefined;
          latest.current();
        }, ms);
      },
      () => undefined,
    );
    return () => {
      unsubscribe();
      if (timer !== undefined) window.clearTimeout(timer);
    };
  }, [api, aggregate, ms]);
}
