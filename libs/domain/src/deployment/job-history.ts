import type { TaskState, TaskStatus, ThrottleState } from '../task/task-status';
import type { DeploymentEvent } from './deployment.decider';

/** One row of `berth history JOB` (Helios: HOST TIMESTAMP STATE THROTTLED CONTAINERID). */
export interface JobHistoryEntry {
  readonly host: string;
  readonly state: TaskState;
  readonly containerId?: string;
  readonly throttled: ThrottleState;
  readonly exitCode?: number;
  /** When the agent observed the state (the status's own time). */
  readonly time: string;
}

/** Helios's TaskHistoryWriter keeps the last 30 events per job per host. */
export const DEFAULT_HISTORY_PER_HOST = 30;

export interface JobHistoryOptions {
  readonly maxPerHost?: number;
}

function entryOf(host: string, status: TaskStatus): JobHistoryEntry {
  const { state, containerId, throttled, exitCode, time } = status;
  return {
    host,
    state,
    ...(containerId === undefined ? {} : { containerId }),
    throttled,
    ...(exitCode === undefined ? {} : { exitCode }),
    time,
  };
}

/**
 * Folds one deployment event into a job's history (kept in event order);
 * events for other jobs leave it as it is. Only the newest `maxPerHost`
 * entries of each host are kept.
 */
export function recordJobHistory(
  history: readonly JobHistoryEntry[],
  jobId: string,
  event: DeploymentEvent,
  options: JobHistoryOptions = {},
): readonly JobHistoryEntry[] {
  if (event.type !== 'TaskStatusChanged' || event.jobId !== jobId) return history;
  const max = options.maxPerHost ?? DEFAULT_HISTORY_PER_HOST;
  const next = [...history, entryOf(event.host, event.status)];
  const onHost = next.filter((entry) => entry.host === event.host).length;
  if (onHost <= max) return next;
  const oldest = next.findIndex((entry) => entry.host === event.host);
  return next.filter((_, index) => index !== oldest);
}

/** A job's history from the events of every host's deployment stream, in event order. */
export function jobHistoryOf(
  events: Iterable<DeploymentEvent>,
  jobId: string,
  options: JobHistoryOptions = {},
): readonly JobHistoryEntry[] {
  let history: readonly JobHistoryEntry[] = [];
  for (const event of events) history = recordJobHistory(history, jobId, event, options);
  return history;
}
