import type { DeploymentState, JobState } from '@berth/domain';
import type { StoredEvent } from '@berth/contracts';
import { Aggregate, type BerthProjection } from './berth-projection';

const NO_JOBS: ReadonlySet<string> = new Set();

/**
 * What a page of `jobs` needs without a pass over every job or every host:
 * the created job ids kept sorted, and the hosts each job is deployed on.
 * Kept up to date from the projection's events (a job event moves one id in
 * or out, a deployment event re-reads that one host), so a page costs a
 * binary search plus its own rows, not a sort and a row for every job.
 */
export class JobListIndex {
  private static readonly byProjection = new WeakMap<BerthProjection, JobListIndex>();

  /** The index of `projection`, shared by every query over it; made and subscribed on first use. */
  static of(projection: BerthProjection): JobListIndex {
    let index = JobListIndex.byProjection.get(projection);
    if (index === undefined) {
      index = new JobListIndex(projection);
      JobListIndex.byProjection.set(projection, index);
    }
    return index;
  }

  /** created job ids, ascending in the order of Array.prototype.sort (what cursors compare with) */
  private ids: string[] = [];
  private readonly hostsByJob = new Map<string, Set<string>>();
  private readonly jobsByHost = new Map<string, ReadonlySet<string>>();
  /** position of each host in the projection's deployment map: the order deployments are listed in */
  private readonly hostOrder = new Map<string, number>();
  /**
   * The projection sequence this index reflects (-1: not built). Every applied
   * event passes through `apply`; a different sequence at a read means the
   * projection changed without one (a snapshot restore), so the index is
   * rebuilt. A restore followed by events before any read would go unseen:
   * restores come before following a store, and the scheduler and gateway
   * make them before they serve a query.
   */
  private observed = -1;

  private constructor(private readonly projection: BerthProjection) {
    projection.onEvent((event) => this.apply(event));
  }

  /** Created job ids, sorted. Owned by the index: read it, do not change it. */
  jobIds(): readonly string[] {
    this.sync();
    return this.ids;
  }

  isDeployed(jobId: string): boolean {
    this.sync();
    return (this.hostsByJob.get(jobId)?.size ?? 0) > 0;
  }

  /** The hosts `jobId` is deployed on, in the projection's host order. */
  hostsOf(jobId: string): string[] {
    this.sync();
    const hosts = this.hostsByJob.get(jobId);
    if (hosts === undefined) return [];
    return [...hosts].sort((a, b) => (this.hostOrder.get(a) ?? 0) - (this.hostOrder.get(b) ?? 0));
  }

  private sync(): void {
    if (this.observed !== this.projection.sequence) this.rebuild();
  }

  private rebuild(): void {
    this.ids = [];
    for (const [id, view] of this.projection.all(Aggregate.JOB)) if ((view.state as JobState).status === 'created') this.ids.push(id);
    this.ids.sort();
    this.hostsByJob.clear();
    this.jobsByHost.clear();
    this.hostOrder.clear();
    for (const host of this.projection.all(Aggregate.DEPLOYMENT).keys()) this.reindexHost(host);
    this.observed = this.projection.sequence;
  }

  private apply(event: StoredEvent): void {
    // not built yet: the first use builds it from the projection as it then stands
    if (this.observed === -1) return;
    if (event.aggregate === Aggregate.JOB) this.reindexJob(event.aggregateId);
    else if (event.aggregate === Aggregate.DEPLOYMENT) this.reindexHost(event.aggregateId);
    this.observed = this.projection.sequence;
  }

  private reindexJob(id: string): void {
    const created = (this.projection.get(Aggregate.JOB, id).state as JobState).status === 'created';
    const at = lowerBound(this.ids, id);
    const present = this.ids[at] === id;
    if (created && !present) this.ids.splice(at, 0, id);
    else if (!created && present) this.ids.splice(at, 1);
  }

  private reindexHost(host: string): void {
    if (!this.projection.all(Aggregate.DEPLOYMENT).has(host)) return;
    if (!this.hostOrder.has(host)) this.hostOrder.set(host, this.hostOrder.size);
    const now = Object.keys((this.projection.get(Aggregate.DEPLOYMENT, host).state as DeploymentState).deployments);
    const before = this.jobsByHost.get(host) ?? NO_JOBS;
    if (now.length === before.size && now.every((id) => before.has(id))) return;
    const after = new Set(now);
    for (const id of before) if (!after.has(id)) this.hostsByJob.get(id)?.delete(host);
    for (const id of after) {
      if (before.has(id)) continue;
      const hosts = this.hostsByJob.get(id);
      if (hosts) hosts.add(host);
      else this.hostsByJob.set(id, new Set([host]));
    }
    this.jobsByHost.set(host, after);
  }
}

/** First index whose id is not below `id` (ids sorted ascending). */
function lowerBound(ids: readonly string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] as string) < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
