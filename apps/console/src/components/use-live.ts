import { useEffect, useState } from 'react';
import type { BerthApiError } from '../api/berth-api';
import { useSession } from '../app/session';
import { useFrameBatched } from './use-frame-batched';

/**
 * A graphql-ws subscription's latest message (the gateway sends the current
 * state first, then changes), rendered at most once per frame. `key`
 * resubscribes when it changes; null: none.
 */
export function useLive<T>(
  query: string,
  variables: Record<string, unknown> | null,
  key: string | null,
  /** how a message combines with what came before (default: it replaces it), e.g. rolloutProgress's changed hosts */
  merge?: (previous: T | null, next: T) => T,
): { data: T | null; error: BerthApiError | null } {
  const { api } = useSession();
  const [state, update, reset] = useFrameBatched<{ key: string | null; data: T | null; error: BerthApiError | null }>({ key, data: null, error: null });
  useEffect(() => {
    reset({ key, data: null, error: null });
    if (key === null || variables === null) return undefined;
    return api.subscribe<T>(
      query,
      variables,
      (data) => update((s) => ({ key, data: merge ? merge(s.data, data) : data, error: null })),
      (error) => update((s) => ({ ...s, error })),
    );
  }, [api, query, key]);
  return state.key === key ? { data: state.data, error: state.error } : { data: null, error: null };
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
