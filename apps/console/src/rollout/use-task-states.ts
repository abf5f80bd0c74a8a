import { useEffect, useMemo, useState } from 'react';
import { TASK_STATUS_EVENTS } from '../api/documents';
import type { GroupHostStatus } from '../api/types';
import { useSession } from '../app/session';

interface TaskStatusEvent {
  readonly events: { readonly aggregateId: string; readonly data: { readonly jobId?: unknown; readonly status?: { readonly state?: unknown } } };
}

/**
 * The task state each host last reported for `jobId`, from the live
 * TaskStatusChanged events (O(1) per event, unlike the group table). Hosts
 * that have not reported since the page opened are absent.
 */
export function useTaskStates(jobId: string | null): readonly GroupHostStatus[] {
  const { api } = useSession();
  const [states, setStates] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    setStates(new Map());
    if (jobId === null) return undefined;
    return api.subscribe<TaskStatusEvent>(
      TASK_STATUS_EVENTS,
      {},
      ({ events }) => {
        const state = events.data.status?.state;
        if (events.data.jobId !== jobId || typeof state !== 'string') return;
        setStates((current) => new Map(current).set(events.aggregateId, state));
      },
      () => undefined,
    );
  }, [api, jobId]);
  return useMemo(() => [...states].map(([host, state]) => ({ host, job: jobId, state, upToDate: false })), [states, jobId]);
}
