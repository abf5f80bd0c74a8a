import type { StoredEvent } from '@berth/contracts';
import { JobHistoryLog, type DeploymentEvent, type JobHistoryEntry } from '@berth/domain';
import { toDomainEvent } from '@berth/event-store';
import { Aggregate } from './berth-projection';

/** The serialisable form of the index, for snapshots: job id → its history, oldest first. */
export type JobHistoryState = Readonly<Record<string, readonly JobHistoryEntry[]>>;

/**
 * Job history (`berth history JOB`): every task state change of a job on
 * every host, kept per job as the deployment events stream past.
 */
export class JobHistoryIndex {
  private readonly byJob = new Map<string, JobHistoryLog>();

  apply(stored: StoredEvent): void {
    if (stored.aggregate !== Aggregate.DEPLOYMENT || stored.type !== 'TaskStatusChanged') return;
    const event = toDomainEvent<DeploymentEvent>(stored);
    if (event.type !== 'TaskStatusChanged') return;
    let log = this.byJob.get(event.jobId);
    if (log === undefined) {
      log = new JobHistoryLog(event.jobId);
      this.byJob.set(event.jobId, log);
    }
    log.record(event);
  }

  history(jobId: string): readonly JobHistoryEntry[] {
    return this.byJob.get(jobId)?.entries() ?? [];
  }

  /** Copies of every job's entries: later events do not change a state taken earlier. */
  toState(): JobHistoryState {
    return Object.fromEntries([...this.byJob].map(([jobId, log]) => [jobId, log.entries()]));
  }

  /** Replaces the index; only before following a store. */
  restore(state: JobHistoryState): void {
    this.byJob.clear();
    for (const [jobId, entries] of Object.entries(state)) this.byJob.set(jobId, new JobHistoryLog(jobId, {}, entries));
  }
}
