import {
  deploymentDecider,
  deploymentGroupDecider,
  hostDecider,
  jobDecider,
  pipelineDecider,
  releaseDecider,
  releasePlanDecider,
  freezeDecider,
  apiTokenDecider,
  type ApiTokenState,
  rolloutDecider,
  type DeploymentGroup,
  type DeploymentGroupState,
  type DeploymentState,
  type HostObservation,
  type JobOnHost,
  type Rollout,
  type RolloutState,
  type HostDeployment,
  type HostState,
  type Job,
  type JobState,
  type RegisteredHost,
  type PipelineState,
  type Release,
  type ReleaseState,
  type ServicePipeline,
  type ReleasePlan,
  type ReleasePlanState,
  type Freeze,
  type FreezeState,
} from '@berth/domain';
import { AggregateProjection } from '@berth/event-store';

/** Aggregate kinds as they appear in subjects (`berth.evt.<kind>.<id>`). */
export const Aggregate = { JOB: 'job', HOST: 'host', DEPLOYMENT: 'deployment', DEPLOYMENT_GROUP: 'deployment-group', ROLLOUT: 'rollout', PIPELINE: 'pipeline', RELEASE: 'release', RELEASE_PLAN: 'release-plan', FREEZE: 'freeze', API_TOKEN: 'api-token' } as const;

/**
 * Jobs, hosts, deployments, deployment groups and rollouts folded from BERTH_EVENTS with the domain's
 * deciders: the scheduler's state and the gateway's read model are the same
 * projection.
 */
export function createBerthProjection() {
  return new AggregateProjection({
    [Aggregate.JOB]: jobDecider,
    [Aggregate.HOST]: hostDecider,
    [Aggregate.DEPLOYMENT]: deploymentDecider,
    [Aggregate.DEPLOYMENT_GROUP]: deploymentGroupDecider,
    [Aggregate.ROLLOUT]: rolloutDecider,
    [Aggregate.PIPELINE]: pipelineDecider,
    [Aggregate.RELEASE]: releaseDecider,
    [Aggregate.RELEASE_PLAN]: releasePlanDecider,
    [Aggregate.FREEZE]: freezeDecider,
    [Aggregate.API_TOKEN]: apiTokenDecider,
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

  /** The host's deployments as a rollout sees them: desired goal, owning group, last reported state. */
  jobsOnHost(host: string): JobOnHost[] {
    return Object.values(this.deployments(host).deployments).map((d) => ({
      jobId: d.jobId,
      goal: d.goal,
      ...(d.deploymentGroupName === undefined ? {} : { deploymentGroupName: d.deploymentGroupName }),
      ...(d.lastStatus === undefined ? {} : { state: d.lastStatus.state }),
    }));
  }

  /** What a rollout is told about a host; a host no longer registered counts as DOWN. */
  hostObservation(host: string): HostObservation {
    return { host, status: this.host(host)?.status ?? 'DOWN', jobs: this.jobsOnHost(host) };
  }

  group(name: string): DeploymentGroup | undefined {
    const state = this.projection.get(Aggregate.DEPLOYMENT_GROUP, name).state as DeploymentGroupState;
    return state.kind === 'group' ? state : undefined;
  }

  groups(): DeploymentGroup[] {
    return [...this.projection.all(Aggregate.DEPLOYMENT_GROUP).values()]
      .map((v) => v.state as DeploymentGroupState)
      .filter((s): s is DeploymentGroup => s.kind === 'group');
  }

  rollout(id: string): Rollout | undefined {
    const state = this.projection.get(Aggregate.ROLLOUT, id).state as RolloutState;
    return state.kind === 'rollout' ? state : undefined;
  }

  rollouts(): Rollout[] {
    return [...this.projection.all(Aggregate.ROLLOUT).values()]
      .map((v) => v.state as RolloutState)
      .filter((s): s is Rollout => s.kind === 'rollout');
  }

  pipeline(service: string): ServicePipeline | undefined {
    const state = this.projection.get(Aggregate.PIPELINE, service).state as PipelineState;
    return state.kind === 'pipeline' ? state : undefined;
  }

  pipelines(): ServicePipeline[] {
    return [...this.projection.all(Aggregate.PIPELINE).values()]
      .map((v) => v.state as PipelineState)
      .filter((s): s is ServicePipeline => s.kind === 'pipeline');
  }

  release(id: string): Release | undefined {
    const state = this.projection.get(Aggregate.RELEASE, id).state as ReleaseState;
    return state.kind === 'release' ? state : undefined;
  }

  releases(): Release[] {
    return [...this.projection.all(Aggregate.RELEASE).values()]
      .map((v) => v.state as ReleaseState)
      .filter((s): s is Release => s.kind === 'release');
  }

  releasePlan(id: string): ReleasePlan | undefined {
    const state = this.projection.get(Aggregate.RELEASE_PLAN, id).state as ReleasePlanState;
    return state.kind === 'plan' ? state : undefined;
  }

  releasePlans(): ReleasePlan[] {
    return [...this.projection.all(Aggregate.RELEASE_PLAN).values()]
      .map((v) => v.state as ReleasePlanState)
      .filter((s): s is ReleasePlan => s.kind === 'plan');
  }

  freezes(): Freeze[] {
    return [...this.projection.all(Aggregate.FREEZE).values()]
      .map((v) => v.state as FreezeState)
      .filter((s): s is Freeze => s.kind === 'freeze')
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every API token created by an admin, live or revoked, by subject. */
  apiTokens(): Exclude<ApiTokenState, { kind: 'none' }>[] {
    return [...this.projection.all(Aggregate.API_TOKEN).values()]
      .map((v) => v.state as ApiTokenState)
      .filter((s): s is Exclude<ApiTokenState, { kind: 'none' }> => s.kind !== 'none')
      .sort((a, b) => a.subject.localeCompare(b.subject));
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
