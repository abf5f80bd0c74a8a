import {
  deploymentDecider,
  hostDecider,
  jobDecider,
  type DeploymentState,
  type HostState,
  type Job,
  type JobState,
  type RegisteredHost,
} from '@berth/domain';
import { AggregateProjection } from '@berth/event-store';

/** Aggregate kinds as they appear in subjects (`berth.evt.<kind>.<id>`). */
export const Aggregate = { JOB: 'job', HOST: 'host', DEPLOYMENT: 'deployment' } as const;

export function createSchedulerProjection() {
  return new AggregateProjection({
    [Aggregate.JOB]: jobDecider,
    [Aggregate.HOST]: hostDecider,
    [Aggregate.DEPLOYMENT]: deploymentDecider,
  });
}

export type SchedulerProjection = ReturnType<typeof createSchedulerProjection>;

/** Read helpers over the projection: what handlers and queries ask. */
export class SchedulerView {
  constructor(readonly projection: SchedulerProjection) {}

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
