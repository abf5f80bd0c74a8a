import { useEffect, useRef } from 'react';
import { useSession } from '../app/session';

/**
 * Calls `reload` when events of `aggregate` arrive on the live feed: at once
 * for the first, then at most once every `ms` while more keep coming (one
 * more call after the burst, so the last change is always read). Pages whose
 * query has no subscription of its own stay live without waiting `ms` for
 * the first change (a new rollout shows on the group page at once).
 */
export function useReloadOnEvents(aggregate: string, reload: () => void, ms = 300): void {
  const { api } = useSession();
  const latest = useRef(reload);
  latest.current = reload;
  useEffect(() => {
    let timer: number | undefined;
    let pending = false;
    const quiet = (): void => {
      if (!pending) {
        timer = undefined;
        return;
      }
      pending = false;
      latest.current();
      timer = window.setTimeout(quiet, ms);
    };
    const unsubscribe = api.subscribe(
      'subscription Changes($filter: EventFeedFilter) { events(filter: $filter) { sequence } }',
      { filter: { aggregate } },
      () => {
        if (timer !== undefined) {
          pending = true;
          return;
        }
        latest.current();
        timer = window.setTimeout(quiet, ms);
      },
      () => undefined,
    );
    return () => {
      unsubscribe();
      if (timer !== undefined) window.clearTimeout(timer);
    };
  }, [api, aggregate, ms]);
}
