import type { StoredEvent } from '@berth/contracts';
import { Aggregate } from '@berth/read-model';

/**
 * Which batch each host of a rollout was last deployed in (1-based), from
 * BatchStarted events: the rollout's state keeps steps, not batch numbers,
 * and a rollout view wants both.
 */
export class RolloutBatchIndex {
  private readonly batches = new Map<string, Map<string, number>>();

  apply(event: StoredEvent): void {
    if (event.aggregate !== Aggregate.ROLLOUT || event.type !== 'BatchStarted') return;
    const data = event.data as { batch?: unknown; hosts?: unknown };
    if (typeof data.batch !== 'number' || !Array.isArray(data.hosts)) return;
    let hosts = this.batches.get(event.aggregateId);
    if (hosts === undefined) this.batches.set(event.aggregateId, (hosts = new Map()));
    for (const host of data.hosts) if (typeof host === 'string') hosts.set(host, data.batch + 1);
  }

  /** The 1-based batch `host` was deployed in by `rolloutId`; undefined when no batch included it. */
  batchOf(rolloutId: string, host: string): number | undefined {
    return this.batches.get(rolloutId)?.get(host);
  }
}
