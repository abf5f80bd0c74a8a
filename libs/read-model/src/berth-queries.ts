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

/** Name and version from a job id `name:version:hash`. */
export function splitJobId(id: string): { name: string; version: string } {
  const [name = '', version = ''] = id.split(':');
  return { name, version };
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

  createdJobs(): Map<string, Job> {
    return this.view.jobs();
  }

  /** Jobs matching `filter`, sorted by id. */
  jobs(filter: JobFilter = {}): JobRow[] {
    const jobs = this.createdJobs();
    const ids = (filter.pattern ? matchJobs(filter.pattern, jobs.keys()) : [...jobs.keys()]).sort();
    // one pass over the hosts for all jobs, not one per job (10,000 jobs × every host per page otherwise)
    const deployments = this.deploymentsByJob();
    return ids
      .map((id): JobRow => ({ id, ...splitJobId(id), job: jobs.get(id) as Job, deployments: deployments.get(id) ?? [] }))
      .filter((row) => (filter.name === undefined || row.name === filter.name) && (filter.version === undefined || row.version === filter.version))
      .filter((row) => !filter.deployed || row.deployments.length > 0);
  }

  /** A job by reference (full id, name:version, name, prefix), resolved like Helios. */
  job(reference: string): JobRow {
    const jobs = this.createdJobs();
    const id = resolveJob(reference, jobs.keys());
    return this.jobRow(id, jobs.get(id) as Job);
  }

  deploymentsOfJob(jobId: string): DeploymentRow[] {
    return this.hostsWithDeployments().flatMap(([host, state]) => {
      const d = state.deployments[jobId];
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

  private jobRow(id: string, job: Job): JobRow {
    return { id, ...splitJobId(id), job, deployments: this.deploymentsOfJob(id) };
  }

  private hostRow(host: RegisteredHost): HostRow {
    const state = this.projection.get(Aggregate.DEPLOYMENT, host.host).state as DeploymentState;
    return { ...host, deployments: Object.values(state.deployments).map((d) => deploymentRow(host.host, d)) };
  }

  private registeredHosts(): RegisteredHost[] {
    return this.view.hosts();
  }

  /** Every job's deployments, in the same host order as deploymentsOfJob. */
  private deploymentsByJob(): Map<string, DeploymentRow[]> {
    const byJob = new Map<string, DeploymentRow[]>();
    for (const [host, state] of this.hostsWithDeployments()) {
      for (const [jobId, d] of Object.entries(state.deployments)) {
        const rows = byJob.get(jobId);
        if (rows) rows.push(deploymentRow(host, d));
        else byJob.set(jobId, [deploymentRow(host, d)]);
      }
    }
    return byJob;
  }

  private hostsWithDeployments(): [string, DeploymentState][] {
    return [...this.projection.all(Aggregate.DEPLOYMENT)].map(([host, view]) => [host, view.state as DeploymentState] as [string, DeploymentState]);
  }
}
