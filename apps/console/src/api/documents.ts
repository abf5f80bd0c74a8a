/** The GraphQL documents the console sends (schema: apps/gateway/schema.gql). */
import type { ReleaseOperatorAction } from '@berth/domain';

export const ROLLOUT_FIELDS = `
  rolloutId group jobId targetJobId status paused promoted finished startedAt error batches reason revertTo options limits
  progress { total pending deploying healthy failed skipped upToDate failedBeforeRevert }
  hosts { host state batch canary up targetRunning deployRequestedAt runningSince failure { reason message } failureBeforeRevert { reason message } }
`;

/** Every host in the first message, then only the hosts whose row changed (merge them: mergeRolloutProgress). */
export const ROLLOUT_PROGRESS_SUBSCRIPTION = `
  subscription RolloutProgress($rolloutId: String!) {
    rolloutProgress(rolloutId: $rolloutId, changedHostsOnly: true) { event sequence rollout { ${ROLLOUT_FIELDS} } }
  }
`;

export const DEPLOYMENT_GROUPS_QUERY = `
  query DeploymentGroups { deploymentGroups { sequence items { name selectors status jobId rolloutId error createdAt hostCounts { matching up } } } }
`;

export const DEPLOYMENT_GROUP_QUERY = `
  query DeploymentGroup($name: String!) { deploymentGroup(name: $name) { sequence group { name selectors status jobId rolloutId lastStableJobId error reason hostCounts { matching up } } } }
`;

/** Task state changes only (not the whole group table per change: that is O(hosts) per event at 1,000 hosts). */
export const TASK_STATUS_EVENTS = `
  subscription TaskStates { events(filter: { aggregate: "deployment", type: "TaskStatusChanged" }) { aggregateId data } }
`;

export const CREATE_DEPLOYMENT_GROUP = `
  mutation CreateDeploymentGroup($name: String!, $selectors: [String!]!) {
    createDeploymentGroup(name: $name, selectors: $selectors) { name status sequence }
  }
`;

export const ROLLING_UPDATE = `
  mutation RollingUpdate($group: String!, $job: String!, $options: RolloutOptions) {
    rollingUpdate(group: $group, job: $job, options: $options) { rolloutId changed sequence }
  }
`;

export type RolloutAction = 'promote' | 'pause' | 'resume' | 'fail' | 'retry';

export function rolloutActionMutation(action: RolloutAction): string {
  return `mutation Rollout($rollout: String!) { ${action}(rollout: $rollout) { rolloutId changed sequence } }`;
}

export const JOBS_QUERY = `
  query Jobs($first: Int, $after: String, $filter: JobFilter) {
    jobs(first: $first, after: $after, filter: $filter) {
      totalCount nextCursor sequence
      items { id name version deployments { host state goal } }
    }
  }
`;

export const CREATE_JOB = `mutation CreateJob($job: JSON!) { createJob(job: $job) { jobId status sequence } }`;

export const EVENTS_QUERY = `
  query Events($aggregate: String, $id: String, $type: String, $actor: String, $fromTime: String, $toTime: String, $first: Int, $after: String) {
    events(aggregate: $aggregate, id: $id, type: $type, actor: $actor, fromTime: $fromTime, toTime: $toTime, first: $first, after: $after) {
      totalCount nextCursor sequence
      items { position sequence time type aggregate aggregateId actor correlationId data }
    }
  }
`;

export const EVENTS_SUBSCRIPTION = `
  subscription EventFeed($filter: EventFeedFilter, $fromSequence: Int) {
    events(filter: $filter, fromSequence: $fromSequence) { position sequence time type aggregate aggregateId actor correlationId data }
  }
`;

export const API_TOKENS_QUERY = `query ApiTokens { apiTokens { sequence items { subject role createdAt revoked revokedAt } } }`;

export const CREATE_API_TOKEN = `
  mutation CreateApiToken($subject: String!, $role: String!) { createApiToken(subject: $subject, role: $role) { subject role token sequence } }
`;

export const REVOKE_API_TOKEN = `mutation RevokeApiToken($subject: String!) { revokeApiToken(subject: $subject) { subject sequence } }`;

export const RELEASE_FIELDS = `
  releaseId service jobId group status stage stages awaitingTrigger finished autoRollback createdAt updatedAt deployedAt certifyAt abandonAt
  error rollbackReason freezeOverride badGroups
  steps { key kind name stage status startedAt error message rolloutId triggerNextStepManually ignored }
  rollback { group toJobId status rolloutId error }
`;

export const RELEASES_QUERY = `
  query Releases($service: String, $status: String) { releases(service: $service, status: $status) { sequence items { ${RELEASE_FIELDS} } } }
`;

export const RELEASE_PROGRESS_SUBSCRIPTION = `
  subscription ReleaseProgress($releaseId: String!) { releaseProgress(releaseId: $releaseId) { event sequence release { ${RELEASE_FIELDS} } } }
`;

const FREEZE_FIELDS = 'name services groups window reason setAt active until';

export const FREEZES_QUERY = `query Freezes { freezes { sequence items { ${FREEZE_FIELDS} } } }`;

/** Sets (or replaces) a freeze by name; services/groups null: all. */
export const SET_FREEZE = `
  mutation SetFreeze($name: String!, $services: [String!], $groups: [String!], $window: JSON!, $reason: String!) {
    setFreeze(name: $name, services: $services, groups: $groups, window: $window, reason: $reason) { ${FREEZE_FIELDS} }
  }
`;

export const REMOVE_FREEZE = `mutation RemoveFreeze($name: String!) { removeFreeze(name: $name) }`;

const RELEASE_CHANGE = '{ changed sequence release { releaseId status } }';

/** One document per operator action on a release (each declares only the variables it uses). */
export const RELEASE_ACTION_MUTATIONS: Readonly<Record<ReleaseOperatorAction, string>> = {
  advance: `mutation AdvanceRelease($release: String!) { advanceRelease(release: $release) ${RELEASE_CHANGE} }`,
  complete: `mutation CompleteRelease($release: String!) { completeRelease(release: $release) ${RELEASE_CHANGE} }`,
  abandon: `mutation AbandonRelease($release: String!) { abandonRelease(release: $release) ${RELEASE_CHANGE} }`,
  rollback: `mutation RollbackRelease($release: String!, $reason: String) { rollbackRelease(release: $release, reason: $reason) ${RELEASE_CHANGE} }`,
  snooze: `mutation SnoozeRelease($release: String!, $seconds: Float) { snoozeRelease(release: $release, seconds: $seconds) ${RELEASE_CHANGE} }`,
};

export const PLAN_FIELDS = `
  planId status error createdAt updatedAt levels deployQueue
  services { service jobId group quorum maxUnavailable dependsOn status releaseId releaseStatus error }
  current { service hosts { host online version } }
  staging { service jobId hosts }
`;

export const RELEASE_PLANS_QUERY = `query ReleasePlans { releasePlans { sequence items { ${PLAN_FIELDS} } } }`;

export const RELEASE_PLAN_QUERY = `query ReleasePlan($id: String!) { releasePlan(id: $id) { sequence plan { ${PLAN_FIELDS} } } }`;

export const ABANDON_RELEASE_PLAN = `mutation AbandonReleasePlan($plan: String!) { abandonReleasePlan(plan: $plan) { sequence plan { planId status } } }`;

const PIPELINE_FIELDS = 'service pipeline source revision updatedAt';

export const PIPELINES_QUERY = `query Pipelines { pipelines { sequence items { ${PIPELINE_FIELDS} } } }`;

/** PIPELINE_NOT_FOUND when the service has none. */
export const PIPELINE_QUERY = `query Pipeline($service: String!) { pipeline(service: $service) { sequence pipeline { ${PIPELINE_FIELDS} } } }`;

/** Checks deploy.yaml text (the schema and the cluster); stores nothing. */
export const VALIDATE_PIPELINE = `
  query ValidatePipeline($service: String!, $source: String!) {
    validatePipeline(service: $service, source: $source) { service valid problems { line path message } }
  }
`;

/** INVALID_PIPELINE (details.problems, each with its line) when the text is refused: nothing is stored then. */
export const SET_PIPELINE = `
  mutation SetPipeline($service: String!, $source: String!) {
    setPipeline(service: $service, source: $source) { changed sequence pipeline { ${PIPELINE_FIELDS} } }
  }
`;

export const REMOVE_PIPELINE = `mutation RemovePipeline($service: String!) { removePipeline(service: $service) }`;

/**
 * Starts a release of the service's pipeline, or of one group of it
 * (`group`); RELEASE_IN_PROGRESS, VERSION_MARKED_BAD (unless `force`),
 * DEPLOY_FROZEN (unless an admin's `overrideFreeze` reason) when refused.
 */
export const MARK_FOR_DEPLOYMENT = `
  mutation MarkForDeployment($service: String!, $job: String!, $group: String, $autoRollback: Boolean, $force: Boolean, $overrideFreeze: String) {
    markForDeployment(service: $service, job: $job, group: $group, autoRollback: $autoRollback, force: $force, overrideFreeze: $overrideFreeze) ${RELEASE_CHANGE}
  }
`;

/** An operator's verdict on a gate the release is running (GATE_NOT_PENDING otherwise). */
export const REPORT_GATE = `
  mutation ReportGate($release: String!, $gate: String!, $passed: Boolean!, $message: String) {
    reportGate(release: $release, gate: $gate, passed: $passed, message: $message) ${RELEASE_CHANGE}
  }
`;

/** Removes a job that is deployed nowhere (STILL_IN_USE otherwise; FORBIDDEN when its token is not given). */
export const REMOVE_JOB = `mutation RemoveJob($job: String!, $token: String) { removeJob(job: $job, token: $token) { jobId status sequence } }`;

const GROUP_CHANGE = '{ name status sequence }';

/** Changes a group's selectors in place (admin): UPDATED, or NOT_MODIFIED for the same ones. */
export const UPDATE_DEPLOYMENT_GROUP = `
  mutation UpdateDeploymentGroup($name: String!, $selectors: [String!]!) { updateDeploymentGroup(name: $name, selectors: $selectors) ${GROUP_CHANGE} }
`;

/** Stops the group's rollout where it stands (deploy): the group is FAILED "Stopped by user". */
export const STOP_DEPLOYMENT_GROUP = `mutation StopDeploymentGroup($name: String!) { stopDeploymentGroup(name: $name) ${GROUP_CHANGE} }`;

/** Removes the group and stops its rollout (admin); its deployments stay. */
export const REMOVE_DEPLOYMENT_GROUP = `mutation RemoveDeploymentGroup($name: String!) { removeDeploymentGroup(name: $name) ${GROUP_CHANGE} }`;

/** Starts a release plan from release.yaml text; INVALID_RELEASE_PLAN (details.problems, each with its path and line) when refused. */
export const START_RELEASE_PLAN = `mutation StartReleasePlan($source: String!) { startReleasePlan(source: $source) { sequence plan { planId status } } }`;
