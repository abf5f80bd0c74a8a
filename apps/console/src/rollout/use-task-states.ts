import { useEffect, useMemo } from 'react';
import { TASK_STATUS_EVENTS } from '../api/documents';
import type { GroupHostStatus } from '../api/types';
import { useSession } from '../app/session';
import { useFrameBatched } from '../components/use-frame-batched';

interface TaskStatusEvent {
  readonly events: { readonly aggregateId: string; readonly data: { readonly jobId?: unknown; readonly status?: { readonly state?: unknown } } };
}

/**
 * The task state each host last reported for `jobId`, from the live
 * TaskStatusChanged events (O(1) per event, unlike the group table), applied
 * once per frame. Hosts that have not reported since the page opened are absent.
 */
export function useTaskStates(jobId: string | null): readonly GroupHostStatus[] {
  const { api } = useSession();
  const [states, update, reset] = useFrameBatched<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    reset(new Map());
    if (jobId === null) return undefined;
    return api.subscribe<TaskStatusEvent>(
      TASK_STATUS_EVENTS,
      {},
      ({ events }) => {
        const state = events.data.status?.state;
        if (events.data.jobId !== jobId || typeof state !== 'string') return;
        update((current) => new Map(current).set(events.aggregateId, state));
      },
      () => undefined,
    );
  }, [api, jobId]);
  return useMemo(() => [...states].map(([host, state]) => ({ host, job: jobId, state, upToDate: false })), [states, jobId]);
}
