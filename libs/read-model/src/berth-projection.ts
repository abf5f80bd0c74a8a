import {
  deploymentDecider,
  hostDecider,
  jobDecider,
  type DeploymentState,
  type HostDeployment,
  type HostState,
  type Job,
  type JobState,
  type RegisteredHost,
} from '@berth/domain';
import { AggregateProjection } from '@berth/event-store';

/** Aggregate kinds as they appear in subjects (`berth.evt.<kind>.<id>`). */
export const Aggregate = { JOB: 'job', HOST: 'host', DEPLOYMENT: 'deployment' } as const;

/**
 * Jobs, hosts and deployments folded from BERTH_EVENTS with the domain's
 * deciders: the scheduler's state and the gateway's read model are the same
 * projection.
 */
export function createBerthProjection() {
  return new AggregateProjection({
    [Aggregate.JOB]: jobDecider,
    [Aggregate.HOST]: hostDecider,
    [Aggregate.DEPLOYMENT]: deploymentDecider,
  });
}

export type BerthProjection = ReturnType<typeof createBerthProjection>;

/** Read helpers over the projection: what command handlers and queries ask. */
export class BerthView {
  constructor(readonly projection: BerthProjection) {}

  jobs(): Map<string, Job> {
    const jobs = new Map<string, Job>();
    for (const [id, view] of this.projection.all(Aggregate.JOB)) {
      const state = view.state as JobState;
      if (state.status === 'created') jobs.set(id, state.job);
    }
    return jobs;
  }

  job(id: string): Job | undefined {
    const state = this.projection.get(Aggregate.JOB, id).state as JobState;
    return state.status === 'created' ? state.job : undefined;
  }

  host(name: string): RegisteredHost | undefined {
    const state = this.projection.get(Aggregate.HOST, name).state as HostState;
    return state.kind === 'registered' ? state : undefined;
  }

  hosts(): RegisteredHost[] {
    return [...this.projection.all(Aggregate.HOST).values()]
      .map((v) => v.state as HostState)
      .filter((s): s is RegisteredHost => s.kind === 'registered');
  }

  deployments(host: string): DeploymentState {
    return this.projection.get(Aggregate.DEPLOYMENT, host).state as DeploymentState;
  }

  /** host → its deployments, for every host with at least one */
  allDeployments(): [string, DeploymentState][] {
    return [...this.projection.all(Aggregate.DEPLOYMENT)]
      .map(([host, view]) => [host, view.state as DeploymentState] as [string, DeploymentState])
      .filter(([, state]) => Object.keys(state.deployments).length > 0);
  }
}

/** One deployment as queries show it; UNKNOWN until the agent has reported (as Helios prints it). */
export function deploymentRow(host: string, d: HostDeployment) {
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

export type DeploymentRow = ReturnType<typeof deploymentRow>;
