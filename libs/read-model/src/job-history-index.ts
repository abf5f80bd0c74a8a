import type { StoredEvent } from '@berth/contracts';
import { recordJobHistory, type DeploymentEvent, type JobHistoryEntry } from '@berth/domain';
import { toDomainEvent } from '@berth/event-store';
import { Aggregate } from './berth-projection';

/** The serialisable form of the index, for snapshots: job id → its history, oldest first. */
export type JobHistoryState = Readonly<Record<string, readonly JobHistoryEntry[]>>;

/**
 * Job history (`berth history JOB`): every task state change of a job on
 * every host, kept per job as the deployment events stream past.
 */
export class JobHistoryIndex {
  private readonly byJob = new Map<string, readonly JobHistoryEntry[]>();

  apply(stored: StoredEvent): void {
    if (stored.aggregate !== Aggregate.DEPLOYMENT || stored.type !== 'TaskStatusChanged') return;
    const event = toDomainEvent<DeploymentEvent>(stored);
    if (event.type !== 'TaskStatusChanged') return;
    this.byJob.set(event.jobId, recordJobHistory(this.byJob.get(event.jobId) ?? [], event.jobId, event));
  }

  history(jobId: string): readonly JobHistoryEntry[] {
    return this.byJob.get(jobId) ?? [];
  }

  /** Entries are immutable (each change replaces a job's array), so this is a consistent copy. */
  toState(): JobHistoryState {
    return Object.fromEntries(this.byJob);
  }

  /** Replaces the index; only before following a store. */
  restore(state: JobHistoryState): void {
    this.byJob.clear();
    for (const [jobId, entries] of Object.entries(state)) this.byJob.set(jobId, entries);
  }
}
