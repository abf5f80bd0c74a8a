import { ErrorCode } from '@berth/contracts';
import {
  DomainError,
  matchJobs,
  matchesAll,
  parseHostSelectors,
  resolveJob,
  type DeploymentState,
  type HostDeployment,
  type HostState,
  type Job,
  type JobState,
  type RegisteredHost,
  type TaskStatus,
} from '@berth/domain';
import { Aggregate, type GatewayProjection } from './gateway-read-model';

export interface DeploymentRow {
  readonly host: string;
  readonly jobId: string;
  readonly goal: string;
  /** the agent's last reported state; UNKNOWN until it reports (as Helios prints) */
  readonly state: string;
  readonly ports: Readonly<Record<string, number>>;
  readonly deploymentGroupName?: string;
  readonly deployedAt: string;
  readonly status?: TaskStatus;
}

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

function deploymentRow(host: string, d: HostDeployment): DeploymentRow {
  return {
    host,
    jobId: d.jobId,
    goal: d.goal,
    state: d.lastStatus?.state ?? 'UNKNOWN',
    ports: d.ports,
    ...(d.deploymentGroupName === undefined ? {} : { deploymentGroupName: d.deploymentGroupName }),
    deployedAt: d.deployedAt,
    ...(d.lastStatus === undefined ? {} : { status: d.lastStatus }),
  };
}

/** Name and version from a job id `name:version:hash`. */
export function splitJobId(id: string): { name: string; version: string } {
  const [name = '', version = ''] = id.split(':');
  return { name, version };
}

/** Read questions over the gateway's projection; every answer reflects `projection.sequence`. */
export class ReadViews {
  constructor(private readonly projection: GatewayProjection) {}

  createdJobs(): Map<string, Job> {
    const jobs = new Map<string, Job>();
    for (const [id, view] of this.projection.all(Aggregate.JOB)) {
      const state = view.state as JobState;
      if (state.status === 'created') jobs.set(id, state.job);
    }
    return jobs;
  }

  /** Jobs matching `filter`, sorted by id. */
  jobs(filter: JobFilter = {}): JobRow[] {
    const jobs = this.createdJobs();
    const ids = (filter.pattern ? matchJobs(filter.pattern, jobs.keys()) : [...jobs.keys()]).sort();
    return ids
      .map((id) => this.jobRow(id, jobs.get(id) as Job))
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
    return [...this.projection.all(Aggregate.HOST).values()]
      .map((v) => v.state as HostState)
      .filter((s): s is RegisteredHost => s.kind === 'registered');
  }

  private hostsWithDeployments(): [string, DeploymentState][] {
    return [...this.projection.all(Aggregate.DEPLOYMENT)].map(([host, view]) => [host, view.state as DeploymentState] as [string, DeploymentState]);
  }
}
