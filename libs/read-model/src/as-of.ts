import type { StoredEvent } from '@berth/contracts';
import { matchesAll, parseHostSelectors } from '@berth/domain';
import { Aggregate, BerthView, createBerthProjection, type BerthProjection, type DeploymentRow } from './berth-projection';
import { BerthQueries, type JobRow } from './berth-queries';

/** The aggregates that say what ran where: jobs, hosts (their labels, for selectors) and each host's deployments with goals and task states. */
export const STATUS_AGGREGATES: readonly string[] = [Aggregate.JOB, Aggregate.HOST, Aggregate.DEPLOYMENT];

/**
 * A fresh projection of `events` (in stream order), as the live one was when
 * it had applied them: the same deciders, so the same answers. What it
 * cannot apply is an anomaly there as here (and is kept out of the state).
 */
export function replayProjection(events: Iterable<StoredEvent>): BerthProjection {
  const projection = createBerthProjection();
  for (const event of events) projection.apply(event);
  return projection;
}

export interface StatusFilter {
  /** Helios host selectors (`k=v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`) on the host's labels as they were */
  readonly selectors?: readonly string[];
  /** Helios job matching (id, name:version, name, prefix, substring), as `berth status -j` */
  readonly job?: string;
  /** substring of the host name, as `berth status --host` */
  readonly host?: string;
}

export interface StatusRows {
  /** the created jobs matching `job`, sorted by id, each with its deployments on matching hosts; with `host` or `selectors`, only jobs deployed on one */
  readonly jobs: JobRow[];
  /** every deployment of those jobs, by job then in the projection's host order */
  readonly deployments: DeploymentRow[];
}

/** What ran where in `projection`: what `berth status` shows, from the same rows the live queries give. INVALID_HOST_SELECTOR for a bad selector. */
export function statusOf(projection: BerthProjection, filter: StatusFilter = {}): StatusRows {
  const selectors = parseHostSelectors(filter.selectors ?? []);
  const view = new BerthView(projection);
  const onHost = filter.host !== undefined || selectors.length > 0;
  const hostMatches = (host: string): boolean => {
    if (filter.host !== undefined && !host.includes(filter.host)) return false;
    if (selectors.length === 0) return true;
    const registered = view.host(host);
    return registered !== undefined && matchesAll(selectors, registered.labels);
  };
  const jobs = new BerthQueries(projection)
    .jobs(filter.job === undefined ? {} : { pattern: filter.job })
    .map((row) => (onHost ? { ...row, deployments: row.deployments.filter((d) => hostMatches(d.host)) } : row))
    .filter((row) => !onHost || row.deployments.length > 0);
  return { jobs, deployments: jobs.flatMap((row) => row.deployments) };
}
