import { useEffect, useState } from 'react';
import type { BerthApiError, Unsubscribe } from '../api/berth-api';
import { useSession } from '../app/session';
import { useFrameBatched } from './use-frame-batched';

export interface LiveOptions<T> {
  /** how a message combines with what came before (default: it replaces it), e.g. rolloutProgress's changed hosts */
  readonly merge?: (previous: T | null, next: T) => T;
  /** true once nothing more can change (e.g. a release in a final state): the subscription is then disposed */
  readonly until?: (data: T) => boolean;
}

/**
 * A graphql-ws subscription's latest message (the gateway sends the current
 * state first, then changes), rendered at most once per frame. `key`
 * resubscribes when it changes; null: none. `ended`: `until` held and the
 * subscription is closed.
 */
export function useLive<T>(
  query: string,
  variables: Record<string, unknown> | null,
  key: string | null,
  options: LiveOptions<T> = {},
): { data: T | null; error: BerthApiError | null; ended: boolean } {
  const { api } = useSession();
  const [state, update, reset] = useFrameBatched<{ key: string | null; data: T | null; error: BerthApiError | null; ended: boolean }>({ key, data: null, error: null, ended: false });
  useEffect(() => {
    reset({ key, data: null, error: null, ended: false });
    if (key === null || variables === null) return undefined;
    const { merge, until } = options;
    let latest: T | null = null;
    let ended = false;
    // the first message may arrive before subscribe returns: dispose only once it has
    let subscribed = false;
    const unsubscribe: Unsubscribe = api.subscribe<T>(
      query,
      variables,
      (data) => {
        if (ended) return;
        const merged = merge ? merge(latest, data) : data;
        latest = merged;
        const done = until?.(merged) ?? false;
        update(() => ({ key, data: merged, error: null, ended: done }));
        if (!done) return;
        ended = true;
        if (subscribed) unsubscribe();
      },
      (error) => {
        if (!ended) update((s) => ({ ...s, error }));
      },
    );
    subscribed = true;
    if (ended) unsubscribe();
    return () => {
      if (!ended) unsubscribe();
      ended = true;
    };
  }, [api, query, key]);
  return state.key === key ? { data: state.data, error: state.error, ended: state.ended } : { data: null, error: null, ended: false };
}

/** A query's answer, re-run when `key` changes or `reload()` is called. */
export function useQuery<T>(query: string, variables: Record<string, unknown>, key: string) {
  const { api } = useSession();
  const [reloads, setReloads] = useState(0);
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({ data: null, error: null, loading: true });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api.request<T>(query, variables).then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: unknown) => live && setState({ data: null, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [api, query, key, reloads]);
  return { ...state, reload: () => setReloads((n) => n + 1) };
}
