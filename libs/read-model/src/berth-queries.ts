import { ErrorCode } from '@berth/contracts';
import {
  DomainError,
  matchJobs,
  matchesAll,
  parseHostSelectors,
  resolveJob,
  type DeploymentState,
  type HostState,
  type Job,
  type RegisteredHost,
} from '@berth/domain';
import { Aggregate, BerthView, deploymentRow, type BerthProjection, type DeploymentRow } from './berth-projection';
import { JobListIndex } from './job-list-index';

export interface JobRow {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly job: Job;
  readonly deployments: DeploymentRow[];
}

export interface HostRow extends RegisteredHost {
  readonly deployments: DeploymentRow[];
}

export interface JobFilter {
  /** Helios matching: exact id, name:version, name, id prefix, substring */
  readonly pattern?: string;
  readonly name?: string;
  readonly version?: string;
  /** only jobs deployed on at least one host */
  readonly deployed?: boolean;
}

export interface HostFilter {
  readonly selectors?: readonly string[];
  readonly status?: 'UP' | 'DOWN';
  /** substring of the host name */
  readonly pattern?: string;
}

/** Name and version from a job id `name:version:hash` (the first two `:`-separated parts; '' when missing). */
export function splitJobId(id: string): { name: string; version: string } {
  // indexOf, not split: the name and version filters run this over every job id of a page request
  const end = id.indexOf(':');
  if (end < 0) return { name: id, version: '' };
  const versionEnd = id.indexOf(':', end + 1);
  return { name: id.slice(0, end), version: id.slice(end + 1, versionEnd < 0 ? undefined : versionEnd) };
}

/**
 * The read questions of the scheduler's queries and the gateway's API, over
 * one projection; every answer reflects `projection.sequence`.
 */
export class BerthQueries {
  private readonly view: BerthView;

  constructor(private readonly projection: BerthProjection) {
    this.view = new BerthView(projection);
  }

  /** Jobs matching `filter`, sorted by id. */
  jobs(filter: JobFilter = {}): JobRow[] {
    return this.jobRows(this.jobIds(filter));
  }

  /**
   * Ids of the jobs matching `filter`, sorted, from per-id checks alone (no
   * rows built): page these, then build rows for the page only. The array may
   * be the index's own: read it, do not change it.
   */
  jobIds(filter: JobFilter = {}): readonly string[] {
    const index = JobListIndex.of(this.projection);
    let ids = index.jobIds();
    if (filter.pattern) ids = matchJobs(filter.pattern, ids);
    if (filter.name !== undefined || filter.version !== undefined) {
      ids = ids.filter((id) => {
        const { name, version } = splitJobId(id);
        return (filter.name === undefined || name === filter.name) && (filter.version === undefined || version === filter.version);
      });
    }
    if (filter.deployed) ids = ids.filter((id) => index.isDeployed(id));
    return ids;
  }

  /** The rows of created jobs `ids` (as `jobIds` gives them), in that order, each with its deployments. */
  jobRows(ids: readonly string[]): JobRow[] {
    return ids.map((id) => this.jobRow(id));
  }

  /** A job by reference (full id, name:version, name, prefix), resolved like Helios. */
  job(reference: string): JobRow {
    const id = resolveJob(reference, JobListIndex.of(this.projection).jobIds());
    return this.jobRow(id);
  }

  /** The job's deployments, in the projection's host order. */
  deploymentsOfJob(jobId: string): DeploymentRow[] {
    return JobListIndex.of(this.projection)
      .hostsOf(jobId)
      .flatMap((host) => {
        const d = this.view.deployments(host).deployments[jobId];
        return d ? [deploymentRow(host, d)] : [];
      });
  }

  hosts(filter: HostFilter = {}): HostRow[] {
    const selectors = parseHostSelectors(filter.selectors ?? []);
    return this.registeredHosts()
      .filter((h) => (filter.pattern ? h.host.includes(filter.pattern) : true))
      .filter((h) => (filter.status ? h.status === filter.status : true))
      .filter((h) => matchesAll(selectors, h.labels))
      .sort((a, b) => a.host.localeCompare(b.host, 'en', { numeric: true }))
      .map((h) => this.hostRow(h));
  }

  host(name: string): HostRow {
    const row = this.findHost(name);
    if (!row) throw new DomainError(ErrorCode.HOST_NOT_FOUND, `Host not found: ${name}`, { host: name });
    return row;
  }

  findHost(name: string): HostRow | undefined {
    const state = this.projection.get(Aggregate.HOST, name).state as HostState;
    return state.kind === 'registered' ? this.hostRow(state) : undefined;
  }

  /** The deployment row of `jobId` on `host`, or undefined when it is not deployed there. */
  deployment(host: string, jobId: string): DeploymentRow | undefined {
    const d = (this.projection.get(Aggregate.DEPLOYMENT, host).state as DeploymentState).deployments[jobId];
    return d ? deploymentRow(host, d) : undefined;
  }

  /** `id` must be a created job's. */
  private jobRow(id: string): JobRow {
    return { id, ...splitJobId(id), job: this.view.job(id) as Job, deployments: this.deploymentsOfJob(id) };
  }

  private hostRow(host: RegisteredHost): HostRow {
    const state = this.projection.get(Aggregate.DEPLOYMENT, host.host).state as DeploymentState;
    return { ...host, deployments: Object.values(state.deployments).map((d) => deploymentRow(host.host, d)) };
  }

  private registeredHosts(): RegisteredHost[] {
    return this.view.hosts();
  }
}
