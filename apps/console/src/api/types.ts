/** Shapes of the gateway's answers, as selected by ./documents.ts. */
import type { FreezeWindow, Pipeline } from '@berth/domain';

export interface RolloutHost {
  readonly host: string;
  /** PENDING, DEPLOYING, HEALTHY, FAILED, SKIPPED or UP_TO_DATE */
  readonly state: string;
  readonly batch: number | null;
  readonly canary: boolean;
  readonly up: boolean;
  readonly targetRunning: boolean;
  readonly deployRequestedAt?: string | null;
  readonly runningSince?: string | null;
  readonly failure: { readonly reason: string; readonly message: string } | null;
  /** how the host failed on the rollout's job before a revert (`failure` is the revert's own) */
  readonly failureBeforeRevert?: { readonly reason: string; readonly message: string } | null;
}

export interface RolloutProgressCounts {
  readonly total: number;
  readonly pending: number;
  readonly deploying: number;
  readonly healthy: number;
  readonly failed: number;
  readonly skipped: number;
  readonly upToDate: number;
  /** hosts that failed on the rollout's job before a revert started over */
  readonly failedBeforeRevert?: number;
}

export interface Rollout {
  readonly rolloutId: string;
  readonly group: string;
  readonly jobId: string;
  readonly targetJobId: string;
  /** PRESTAGING, ROLLING_OUT, AWAITING_PROMOTION, REVERTING, SUCCEEDED, FAILED or REVERTED */
  readonly status: string;
  readonly paused: boolean;
  readonly promoted: boolean;
  readonly finished: boolean;
  readonly startedAt: string;
  readonly error: string | null;
  readonly batches: number | null;
  readonly reason: string;
  readonly revertTo?: string | null;
  readonly options: Record<string, unknown> | null;
  readonly limits: Record<string, unknown> | null;
  readonly progress: RolloutProgressCounts;
  readonly hosts: readonly RolloutHost[] | null;
}

/** The task state a host last reported for a job. */
export interface GroupHostStatus {
  readonly host: string;
  readonly job: string | null;
  readonly state: string | null;
  readonly upToDate: boolean;
}

/** Hosts matching a group's selectors now, and the UP ones of them. */
export interface GroupHostCounts {
  readonly matching: number;
  readonly up: number;
}

export interface DeploymentGroupSummary {
  readonly name: string;
  readonly selectors: readonly string[];
  readonly status: string;
  readonly jobId: string | null;
  readonly rolloutId: string | null;
  readonly error: string | null;
  readonly createdAt: string;
  readonly hostCounts?: GroupHostCounts | null;
}

export interface JobSummary {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly deployments: readonly { readonly host: string; readonly state: string; readonly goal: string }[];
}

export interface JobPage {
  readonly totalCount: number;
  readonly nextCursor: string | null;
  readonly sequence: number;
  readonly items: readonly JobSummary[];
}

export interface BerthEvent {
  readonly position: number;
  readonly sequence: number;
  readonly time: string;
  readonly type: string;
  readonly aggregate: string;
  readonly aggregateId: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly data: unknown;
}

export interface DeploymentGroup {
  readonly name: string;
  readonly selectors: readonly string[];
  /** IDLE, ROLLING_OUT, DONE or FAILED */
  readonly status: string;
  readonly jobId: string | null;
  readonly rolloutId: string | null;
  readonly lastStableJobId: string | null;
  readonly error: string | null;
  readonly reason: string | null;
  readonly hostCounts?: GroupHostCounts | null;
}

/** An API token created by an admin (never its secret). */
export interface ApiToken {
  readonly subject: string;
  /** read, deploy or admin */
  readonly role: string;
  readonly createdAt: string;
  readonly revoked: boolean;
  readonly revokedAt: string | null;
}

/** A new token: `token` is shown this once and stored nowhere. */
export interface CreatedApiToken {
  readonly subject: string;
  readonly role: string;
  readonly token: string;
  readonly sequence: number;
}

export interface ReleaseStep {
  readonly key: string;
  /** group or gate */
  readonly kind: string;
  readonly name: string;
  readonly stage: number;
  /** PENDING, RUNNING, SUCCEEDED, FAILED or SKIPPED */
  readonly status: string;
  readonly startedAt: string | null;
  readonly error: string | null;
  readonly message: string | null;
  readonly rolloutId: string | null;
  readonly triggerNextStepManually: boolean;
  readonly ignored: boolean | null;
}

export interface ReleaseRollbackGroup {
  readonly group: string;
  readonly toJobId: string;
  /** RUNNING, DONE or FAILED */
  readonly status: string;
  readonly rolloutId: string | null;
  readonly error: string | null;
}

/** One run of a service's pipeline for one job. */
export interface Release {
  readonly releaseId: string;
  readonly service: string;
  readonly jobId: string;
  readonly group: string | null;
  /** deploying, deployed, complete, rolling_back, rolled_back, abandoned or failed */
  readonly status: string;
  /** index of the stage running (or last run); -1 before the first */
  readonly stage: number;
  readonly stages: number;
  readonly awaitingTrigger: boolean;
  readonly finished: boolean;
  readonly autoRollback: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deployedAt: string | null;
  readonly certifyAt: string | null;
  readonly abandonAt: string | null;
  readonly error: string | null;
  readonly rollbackReason: string | null;
  readonly freezeOverride: string | null;
  readonly badGroups: readonly string[];
  readonly steps: readonly ReleaseStep[];
  readonly rollback: readonly ReleaseRollbackGroup[];
}

/** A deploy freeze; `services`/`groups` null: all of them. */
export interface Freeze {
  readonly name: string;
  readonly services: readonly string[] | null;
  readonly groups: readonly string[] | null;
  readonly window: FreezeWindow;
  readonly reason: string;
  readonly setAt: string;
  /** in force now */
  readonly active: boolean;
  readonly until: string | null;
}

export interface ReleasePlanService {
  readonly service: string;
  readonly jobId: string;
  readonly group: string;
  readonly quorum: number | null;
  /** a host count or a percentage */
  readonly maxUnavailable: unknown;
  readonly dependsOn: readonly string[];
  /** WAITING, RUNNING, COMPLETE or FAILED */
  readonly status: string;
  readonly releaseId: string | null;
  readonly releaseStatus: string | null;
  readonly error: string | null;
}

/** A multi-service release (release.yaml) with the datacentre views: current, staging, deploy queue. */
export interface ReleasePlan {
  readonly planId: string;
  /** running, complete, failed or abandoned */
  readonly status: string;
  readonly error: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** dependency levels: a level's services run together */
  readonly levels: readonly (readonly string[])[];
  /** services waiting, in order */
  readonly deployQueue: readonly string[];
  readonly services: readonly ReleasePlanService[];
  readonly current: readonly { readonly service: string; readonly hosts: readonly { readonly host: string; readonly online: boolean; readonly version: string | null }[] }[];
  readonly staging: readonly { readonly service: string; readonly jobId: string; readonly hosts: readonly string[] }[];
}

/** A service's pipeline: the stages the scheduler read from its deploy.yaml, and that file as it was set. */
export interface ServicePipeline {
  readonly service: string;
  readonly pipeline: Pipeline;
  /** null when the pipeline was set without its text */
  readonly source: string | null;
  readonly revision: number;
  readonly updatedAt: string;
}

/** A problem in a deploy.yaml, with its 1-based line when the file has one for it. */
export interface PipelineProblem {
  readonly line: number | null;
  /** where in the file: pipeline[2].timeout ("" for the whole file) */
  readonly path: string;
  readonly message: string;
}

export interface PipelineValidation {
  readonly service: string;
  readonly valid: boolean;
  readonly problems: readonly PipelineProblem[];
}
