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

/**
 * A job's history kept as events arrive: the same rows as recordJobHistory
 * folded over the same events, but an event costs O(1) instead of a copy of
 * the whole history (quadratic over a rollout of 10,000 hosts).
 */
export class JobHistoryLog {
  private readonly rows: JobHistoryEntry[] = [];
  private readonly perHost = new Map<string, number>();
  private readonly max: number;

  constructor(
    private readonly jobId: string,
    options: JobHistoryOptions = {},
    /** a history saved earlier (entries(), oldest first) */
    from: readonly JobHistoryEntry[] = [],
  ) {
    this.max = options.maxPerHost ?? DEFAULT_HISTORY_PER_HOST;
    for (const entry of from) this.push(entry);
  }

  record(event: DeploymentEvent): void {
    if (event.type !== 'TaskStatusChanged' || event.jobId !== this.jobId) return;
    this.push(entryOf(event.host, event.status));
  }

  /** A copy, oldest first. */
  entries(): JobHistoryEntry[] {
    return this.rows.slice();
  }

  private push(entry: JobHistoryEntry): void {
    this.rows.push(entry);
    const onHost = (this.perHost.get(entry.host) ?? 0) + 1;
    if (onHost <= this.max) {
      this.perHost.set(entry.host, onHost);
      return;
    }
    // rare (a host past its quota for this job): drop the host's oldest row
    this.rows.splice(this.rows.findIndex((row) => row.host === entry.host), 1);
  }
}

/** A job's history from the events of every host's deployment stream, in event order. */
export function jobHistoryOf(
  events: Iterable<DeploymentEvent>,
  jobId: string,
  options: JobHistoryOptions = {},
): readonly JobHistoryEntry[] {
  const log = new JobHistoryLog(jobId, options);
  for (const event of events) log.record(event);
  return log.entries();
}
