import type { ApiTokenEvent, ApiTokenState } from '../api-token/api-token.decider';
import type { DeploymentGroupEvent, DeploymentGroupState } from '../deployment-group/deployment-group.decider';
import type { DeploymentEvent, DeploymentState } from '../deployment/deployment.decider';
import type { FreezeEvent, FreezeState } from '../freeze/freeze';
import type { HostEvent, HostState } from '../host/host.decider';
import type { JobEvent, JobState } from '../job/job.decider';
import type { PipelineEvent, PipelineState } from '../pipeline/pipeline.decider';
import type { ReleasePlanEvent, ReleasePlanState } from '../release-plan/release-plan.decider';
import type { ReleaseEvent, ReleaseState } from '../release/release';
import type { RolloutEvent } from '../rollout/rollout-events';
import type { RolloutState } from '../rollout/rollout-state';
import type { EventCatalog } from './anomaly';

/*
 * One catalog per aggregate: the shape of each of its event types and why an
 * event may not fit the state. The misfits are what `decide` never writes
 * (so only a race, a bug, an old version or a hand edit can): an event for an
 * aggregate that does not exist (yet, or any more), a second creation, a
 * change to a deployment that is not there.
 */

function has(record: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}

export const jobEventCatalog: EventCatalog<JobEvent, JobState> = {
  shapes: {
    JobCreated: { job: 'object', 'job.id': 'string', 'job.image': 'string' },
    JobRemoved: { jobId: 'string' },
  },
  idOf: (event) => (event.type === 'JobCreated' ? event.job.id : event.jobId),
  misfit(state, event) {
    if (event.type === 'JobCreated') return state.status === 'created' ? `job ${state.job.id} already exists` : undefined;
    if (state.status === 'absent') return `job ${event.jobId} was never created`;
    return state.status === 'removed' ? `job ${event.jobId} was already removed` : undefined;
  },
};

export const hostEventCatalog: EventCatalog<HostEvent, HostState> = {
  shapes: {
    HostRegistered: { host: 'string', agentId: 'string', labels: 'object', info: 'object', time: 'string' },
    HostUpdated: { host: 'string', labels: 'object', info: 'object', time: 'string' },
    HostDeregistered: { host: 'string', time: 'string' },
    HostUp: { host: 'string', time: 'string' },
    HostDown: { host: 'string', time: 'string' },
  },
  idOf: (event) => event.host,
  misfit(state, event) {
    if (event.type === 'HostRegistered') return undefined;
    return state.kind === 'unregistered' ? `host ${event.host} is not registered` : undefined;
  },
};

export const deploymentEventCatalog: EventCatalog<DeploymentEvent, DeploymentState> = {
  shapes: {
    JobDeployed: { host: 'string', jobId: 'string', goal: 'string', ports: 'object', protocols: 'object', token: 'string', time: 'string' },
    JobUndeployed: { host: 'string', jobId: 'string', time: 'string' },
    GoalChanged: { host: 'string', jobId: 'string', goal: 'string', time: 'string' },
    TaskStatusChanged: { host: 'string', jobId: 'string', status: 'object', 'status.state': 'string', 'status.time': 'string' },
    HostDeploymentsCleared: { host: 'string', jobIds: 'array', time: 'string' },
  },
  idOf: (event) => event.host,
  misfit(state, event) {
    if (event.type === 'HostDeploymentsCleared') return undefined;
    const deployed = has(state.deployments, event.jobId);
    if (event.type === 'JobDeployed') return deployed ? `job ${event.jobId} is already deployed on host ${event.host}` : undefined;
    // an undeployed job's stop is recorded until its container stopped
    if (event.type === 'TaskStatusChanged' && has(state.stopping ?? {}, event.jobId)) return undefined;
    return deployed ? undefined : `job ${event.jobId} is not deployed on host ${event.host}`;
  },
};

export const deploymentGroupEventCatalog: EventCatalog<DeploymentGroupEvent, DeploymentGroupState> = {
  shapes: {
    DeploymentGroupCreated: { name: 'string', selectors: 'array', time: 'string' },
    DeploymentGroupRemoved: { name: 'string', time: 'string' },
    DeploymentGroupSelectorsUpdated: { name: 'string', selectors: 'array', time: 'string' },
    DeploymentGroupStopped: { name: 'string', error: 'string', time: 'string' },
    DeploymentGroupRolloutStarted: { name: 'string', rolloutId: 'string', jobId: 'string', reason: 'string', time: 'string' },
    DeploymentGroupRolloutFinished: { name: 'string', rolloutId: 'string', status: 'string', jobId: 'string', stable: 'boolean', time: 'string' },
  },
  idOf: (event) => event.name,
  misfit(state, event) {
    if (event.type === 'DeploymentGroupCreated') return state.kind === 'group' ? `deployment group ${event.name} already exists` : undefined;
    return state.kind === 'none' ? `deployment group ${event.name} does not exist` : undefined;
  },
};

const ROLLOUT = { rolloutId: 'string', time: 'string' } as const;

export const rolloutEventCatalog: EventCatalog<RolloutEvent, RolloutState> = {
  shapes: {
    RolloutStarted: {
      ...ROLLOUT,
      group: 'string',
      jobId: 'string',
      reason: 'string',
      options: 'object',
      limits: 'object',
      hostClasses: 'array',
      plan: 'object',
      'plan.canaries': 'array',
    },
    PrestageStarted: { ...ROLLOUT, hosts: 'array', quorum: 'number' },
    PrestageCompleted: { ...ROLLOUT, pulled: 'number', quorum: 'number' },
    HostsObserved: { ...ROLLOUT, hosts: 'array' },
    BatchStarted: { ...ROLLOUT, batch: 'number', hosts: 'array', canary: 'boolean' },
    HostsHealthy: { ...ROLLOUT, hosts: 'array' },
    HostsFailed: { ...ROLLOUT, failures: 'array' },
    HostsSkipped: { ...ROLLOUT, hosts: 'array' },
    HostsReturned: { ...ROLLOUT, hosts: 'array' },
    ReturnedHostsStarted: { ...ROLLOUT, hosts: 'array' },
    CanaryAwaitingPromotion: { ...ROLLOUT, canaries: 'array' },
    RolloutPromoted: { ...ROLLOUT, auto: 'boolean' },
    RolloutPaused: ROLLOUT,
    RolloutResumed: ROLLOUT,
    RevertStarted: { ...ROLLOUT, fromJobId: 'string', toJobId: 'string', error: 'string' },
    RolloutFailed: { ...ROLLOUT, error: 'string', failedHosts: 'array', stopped: 'boolean' },
    RolloutReverted: { ...ROLLOUT, toJobId: 'string', error: 'string', failedHosts: 'array' },
    RolloutSucceeded: { ...ROLLOUT, failedHosts: 'array', skippedHosts: 'array', stable: 'boolean' },
    RolloutRetried: { ...ROLLOUT, hosts: 'array' },
  },
  idOf: (event) => event.rolloutId,
  misfit(state, event) {
    if (event.type === 'RolloutStarted') return state.kind === 'rollout' ? `rollout ${event.rolloutId} was already started` : undefined;
    return state.kind === 'none' ? `rollout ${event.rolloutId} was never started` : undefined;
  },
};

export const pipelineEventCatalog: EventCatalog<PipelineEvent, PipelineState> = {
  shapes: {
    PipelineSet: { service: 'string', pipeline: 'object', time: 'string' },
    PipelineRemoved: { service: 'string', time: 'string' },
  },
  idOf: (event) => event.service,
  misfit(state, event) {
    return event.type === 'PipelineRemoved' && state.kind === 'none' ? `service ${event.service} has no pipeline` : undefined;
  },
};

const RELEASE = { releaseId: 'string', time: 'string' } as const;

function releaseMisfit(state: ReleaseState, event: ReleaseEvent): string | undefined {
  if (event.type === 'ReleaseStarted') return state.kind === 'release' ? `release ${event.releaseId} was already started` : undefined;
  if (state.kind === 'none') return `release ${event.releaseId} was never started`;
  switch (event.type) {
    case 'ReleaseStepRolloutStarted':
    case 'ReleaseStepSucceeded':
    case 'ReleaseStepFailed':
      return has(state.steps, event.step) ? undefined : `release ${event.releaseId} has no step ${event.step}`;
    case 'ReleaseGroupRollbackStarted':
    case 'ReleaseGroupRolledBack':
      return has(state.rollback, event.group) ? undefined : `release ${event.releaseId} is not rolling back group ${event.group}`;
    default:
      return undefined;
  }
}

export const releaseEventCatalog: EventCatalog<ReleaseEvent, ReleaseState> = {
  shapes: {
    ReleaseStarted: { ...RELEASE, service: 'string', jobId: 'string', stages: 'array', steps: 'array', options: 'object', previousJobs: 'object' },
    ReleaseStageStarted: { ...RELEASE, stage: 'number', skipped: 'array' },
    ReleaseStepRolloutStarted: { ...RELEASE, step: 'string', rolloutId: 'string' },
    ReleaseStepSucceeded: { ...RELEASE, step: 'string' },
    ReleaseStepFailed: { ...RELEASE, step: 'string', error: 'string', ignored: 'boolean' },
    ReleaseAwaitingTrigger: { ...RELEASE, stage: 'number' },
    ReleaseAdvanced: { ...RELEASE, stage: 'number' },
    ReleaseDeployed: RELEASE,
    ReleaseCompleted: { ...RELEASE, auto: 'boolean' },
    ReleaseSnoozed: { ...RELEASE, until: 'string' },
    ReleaseRollbackStarted: { ...RELEASE, reason: 'string', auto: 'boolean', groups: 'array', unrestorable: 'array' },
    ReleaseGroupRollbackStarted: { ...RELEASE, group: 'string', rolloutId: 'string' },
    ReleaseGroupRolledBack: { ...RELEASE, group: 'string', ok: 'boolean' },
    ReleaseRolledBack: { ...RELEASE, jobId: 'string', badGroups: 'array' },
    ReleaseAbandoned: { ...RELEASE, auto: 'boolean' },
    ReleaseFailed: { ...RELEASE, error: 'string' },
  },
  idOf: (event) => event.releaseId,
  misfit: releaseMisfit,
};

const PLAN = { planId: 'string', time: 'string' } as const;

export const releasePlanEventCatalog: EventCatalog<ReleasePlanEvent, ReleasePlanState> = {
  shapes: {
    ReleasePlanStarted: { ...PLAN, services: 'array', levels: 'array' },
    PlanServiceStarted: { ...PLAN, service: 'string', releaseId: 'string' },
    PlanServiceFinished: { ...PLAN, service: 'string', ok: 'boolean' },
    ReleasePlanCompleted: PLAN,
    ReleasePlanFailed: { ...PLAN, error: 'string' },
    ReleasePlanAbandoned: PLAN,
  },
  idOf: (event) => event.planId,
  misfit(state, event) {
    if (event.type === 'ReleasePlanStarted') return state.kind === 'plan' ? `release plan ${event.planId} was already started` : undefined;
    if (state.kind === 'none') return `release plan ${event.planId} was never started`;
    if (event.type === 'PlanServiceStarted' || event.type === 'PlanServiceFinished') {
      return has(state.services, event.service) ? undefined : `release plan ${event.planId} has no service ${event.service}`;
    }
    return undefined;
  },
};

export const freezeEventCatalog: EventCatalog<FreezeEvent, FreezeState> = {
  shapes: {
    FreezeSet: { name: 'string', window: 'object', 'window.kind': 'string', reason: 'string', time: 'string' },
    FreezeRemoved: { name: 'string', time: 'string' },
    FreezeOverridden: { name: 'string', reason: 'string', subject: 'string', time: 'string' },
  },
  idOf: (event) => event.name,
  misfit(state, event) {
    return event.type !== 'FreezeSet' && state.kind === 'none' ? `freeze ${event.name} does not exist` : undefined;
  },
};

export const apiTokenEventCatalog: EventCatalog<ApiTokenEvent, ApiTokenState> = {
  shapes: {
    ApiTokenCreated: { subject: 'string', role: 'string', tokenSha256: 'string', time: 'string' },
    ApiTokenRevoked: { subject: 'string', time: 'string' },
  },
  idOf: (event) => event.subject,
  misfit(state, event) {
    if (event.type === 'ApiTokenCreated') return state.kind === 'token' ? `an API token for ${event.subject} already exists` : undefined;
    return state.kind === 'token' ? undefined : `no live API token for ${event.subject}`;
  },
};
