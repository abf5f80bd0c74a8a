import { BERTH_VERSION, type SchedulerPresence } from '@berth/contracts';
import type { SchedulerClient } from '@berth/scheduler-client';

/** The cluster's processes as they answer now (not from the event stream): Helios's `masters` and `version`. */
export class ClusterService {
  readonly version = BERTH_VERSION;

  constructor(private readonly client: SchedulerClient) {}

  /** every scheduler that answers within half a second, the leader first */
  schedulers(): Promise<SchedulerPresence[]> {
    return this.client.schedulers(500);
  }
}
