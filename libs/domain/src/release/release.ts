import type { DomainEvent } from '../decider';
import type { PipelineStepKind } from '../pipeline/pipeline';
import type { UpdateStrategy } from '../rollout/rollout-options';

/**
 * A release: one run of a service's pipeline for one job (PaaSTA's
 * mark-for-deployment). States follow PaaSTA's:
 *
 *   deploying ─last stage done─▶ deployed ─auto-certify delay / complete─▶ complete
 *   deploying ─step fails, no auto-rollback─▶ failed
 *   deploying | deployed | failed ─rollback (operator or auto-rollback)─▶ rolling_back ─▶ rolled_back
 *   rolled_back ─auto-abandon delay / abandon─▶ abandoned
 *   deploying | deployed | failed ─abandon─▶ abandoned
 *
 * Between stages with `trigger_next_step_manually` the release stays
 * `deploying` with `awaitingTrigger` until `advance`.
 */
export type ReleaseStatus = 'deploying' | 'deployed' | 'complete' | 'rolling_back' | 'rolled_back' | 'abandoned' | 'failed';

export type ReleaseStepStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED';

export interface ReleaseStepPlan {
  readonly key: string;
  readonly kind: PipelineStepKind;
  readonly name: string;
  readonly stage: number;
  /** Seconds; for group steps the release's timeout applies when the step has none. */
  readonly timeout?: number;
  readonly autoRollback: boolean;
  readonly ignoreFailure: boolean;
  readonly disabled: boolean;
  readonly waitForDeployment: boolean;
}

export interface ReleaseStep extends ReleaseStepPlan {
  readonly status: ReleaseStepStatus;
  readonly startedAt?: string;
  readonly rolloutId?: string;
  readonly error?: string;
  /** Failed, but `ignore_failure` let the pipeline go on. */
  readonly ignored?: boolean;
  readonly message?: string;
}

export interface ReleaseStagePlan {
  readonly steps: readonly string[];
  readonly triggerNextStepManually: boolean;
}

export type RollbackGroupStatus = 'RUNNING' | 'DONE' | 'FAILED';

export interface RollbackGroup {
  readonly group: string;
  readonly toJobId: string;
  readonly status: RollbackGroupStatus;
  readonly rolloutId?: string;
  readonly error?: string;
}

export interface ReleaseOptions {
  readonly autoRollback: boolean;
  /** Seconds a group step may take (PaaSTA --timeout); a step's own timeout wins. */
  readonly timeout?: number;
  readonly autoCertifyDelay: number;
  readonly autoAbandonDelay: number;
  readonly force: boolean;
  /** Update-strategy options for every group step's rollout, over the job's and the group's (release plans: prestage and quorum). */
  readonly rolloutOptions?: UpdateStrategy;
  /** Started through a freeze by an operator, with this reason: freezes do not hold its steps either. */
  readonly freezeOverride?: string;
}

interface ReleaseEventBase<T extends string> extends DomainEvent<T> {
  readonly releaseId: string;
  readonly time: string;
}

export interface ReleaseStarted extends ReleaseEventBase<'ReleaseStarted'> {
  readonly service: string;
  readonly jobId: string;
  /** Set when mark-for-deployment moved one group only. */
  readonly group?: string;
  readonly stages: readonly ReleaseStagePlan[];
  readonly steps: readonly ReleaseStepPlan[];
  readonly options: ReleaseOptions;
  /** Each group's job before the release: where a rollback takes it. */
  readonly previousJobs: Readonly<Record<string, string>>;
}

export interface ReleaseStageStarted extends ReleaseEventBase<'ReleaseStageStarted'> {
  readonly stage: number;
  /** Disabled steps of the stage, skipped. */
  readonly skipped: readonly string[];
}

export interface ReleaseStepRolloutStarted extends ReleaseEventBase<'ReleaseStepRolloutStarted'> {
  readonly step: string;
  readonly rolloutId: string;
}

export interface ReleaseStepSucceeded extends ReleaseEventBase<'ReleaseStepSucceeded'> {
  readonly step: string;
  readonly message?: string;
}

export interface ReleaseStepFailed extends ReleaseEventBase<'ReleaseStepFailed'> {
  readonly step: string;
  readonly error: string;
  readonly ignored: boolean;
}

export type ReleaseAwaitingTrigger = ReleaseEventBase<'ReleaseAwaitingTrigger'> & { readonly stage: number };

export interface ReleaseAdvanced extends ReleaseEventBase<'ReleaseAdvanced'> {
  readonly stage: number;
}

export type ReleaseDeployed = ReleaseEventBase<'ReleaseDeployed'>;

export interface ReleaseCompleted extends ReleaseEventBase<'ReleaseCompleted'> {
  readonly auto: boolean;
}

export interface ReleaseSnoozed extends ReleaseEventBase<'ReleaseSnoozed'> {
  /** The new instant of the automatic complete or abandon. */
  readonly until: string;
}

export interface ReleaseRollbackStarted extends ReleaseEventBase<'ReleaseRollbackStarted'> {
  readonly reason: string;
  readonly auto: boolean;
  readonly groups: readonly { readonly group: string; readonly toJobId: string }[];
  /** Groups the release touched that had no job before it: nothing to go back to. */
  readonly unrestorable: readonly string[];
}

export interface ReleaseGroupRollbackStarted extends ReleaseEventBase<'ReleaseGroupRollbackStarted'> {
  readonly group: string;
  readonly rolloutId: string;
}

export interface ReleaseGroupRolledBack extends ReleaseEventBase<'ReleaseGroupRolledBack'> {
  readonly group: string;
  readonly ok: boolean;
  readonly error?: string;
}

/** The release's job is marked bad for `badGroups`: automation will not deploy it there again without force. */
export interface ReleaseRolledBack extends ReleaseEventBase<'ReleaseRolledBack'> {
  readonly jobId: string;
  readonly badGroups: readonly string[];
}

export interface ReleaseAbandoned extends ReleaseEventBase<'ReleaseAbandoned'> {
  readonly auto: boolean;
}

export interface ReleaseFailed extends ReleaseEventBase<'ReleaseFailed'> {
  readonly error: string;
}

export type ReleaseEvent =
  | ReleaseStarted
  | ReleaseStageStarted
  | ReleaseStepRolloutStarted
  | ReleaseStepSucceeded
  | ReleaseStepFailed
  | ReleaseAwaitingTrigger
  | ReleaseAdvanced
  | ReleaseDeployed
  | ReleaseCompleted
  | ReleaseSnoozed
  | ReleaseRollbackStarted
  | ReleaseGroupRollbackStarted
  | ReleaseGroupRolledBack
  | ReleaseRolledBack
  | ReleaseAbandoned
  | ReleaseFailed;

export interface Release {
  readonly kind: 'release';
  readonly releaseId: string;
  readonly service: string;
  readonly jobId: string;
  readonly group?: string;
  readonly status: ReleaseStatus;
  readonly options: ReleaseOptions;
  readonly stages: readonly ReleaseStagePlan[];
  /** Steps by key, in pipeline order. */
  readonly steps: Readonly<Record<string, ReleaseStep>>;
  readonly previousJobs: Readonly<Record<string, string>>;
  /** Index of the stage running (or last run); -1 before the first. */
  readonly stage: number;
  readonly stageStartedAt?: string;
  readonly awaitingTrigger: boolean;
  readonly rollback: Readonly<Record<string, RollbackGroup>>;
  readonly rollbackReason?: string;
  readonly rollbackStartedAt?: string;
  readonly badGroups: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deployedAt?: string;
  /** When `deployed` turns `complete` by itself. */
  readonly certifyAt?: string;
  /** When `rolled_back` turns `abandoned` by itself. */
  readonly abandonAt?: string;
  readonly error?: string;
}

export type ReleaseState = { readonly kind: 'none' } | Release;

/** States a release can still leave by itself (timers, rollouts). */
export const ACTIVE_RELEASE_STATUSES: readonly ReleaseStatus[] = ['deploying', 'deployed', 'rolling_back', 'rolled_back'];
/** States in which a service may not start another release. */
export const IN_FLIGHT_RELEASE_STATUSES: readonly ReleaseStatus[] = ['deploying', 'deployed', 'rolling_back'];

/** What an operator can ask of a release. */
export type ReleaseOperatorAction = 'advance' | 'complete' | 'abandon' | 'rollback' | 'snooze';

/** The states each operator action is accepted in (RELEASE_STATE_CONFLICT in any other); advance also needs a pending manual trigger. */
export const RELEASE_ACTION_STATUSES: Readonly<Record<ReleaseOperatorAction, readonly ReleaseStatus[]>> = {
  advance: ['deploying'],
  complete: ['deployed'],
  abandon: ['deploying', 'deployed', 'failed', 'rolled_back'],
  rollback: ['deploying', 'deployed', 'failed'],
  snooze: ['deployed', 'rolled_back'],
};

/** The operator actions a release accepts now: what the decider allows, and what a console offers. */
export function releaseOperatorActions(release: { readonly status: string; readonly awaitingTrigger: boolean }): ReleaseOperatorAction[] {
  return (Object.keys(RELEASE_ACTION_STATUSES) as ReleaseOperatorAction[]).filter(
    (action) => (RELEASE_ACTION_STATUSES[action] as readonly string[]).includes(release.status) && (action !== 'advance' || release.awaitingTrigger),
  );
}

export function isReleaseActive(release: Release): boolean {
  return ACTIVE_RELEASE_STATUSES.includes(release.status);
}

export function addSeconds(time: string, seconds: number): string {
  return new Date(Date.parse(time) + Math.round(seconds * 1000)).toISOString();
}

function withStep(release: Release, key: string, change: (step: ReleaseStep) => ReleaseStep): Release {
  const step = release.steps[key];
  return step === undefined ? release : { ...release, steps: { ...release.steps, [key]: change(step) } };
}

function withRollbackGroup(release: Release, group: string, change: (row: RollbackGroup) => RollbackGroup): Release {
  const row = release.rollback[group];
  return row === undefined ? release : { ...release, rollback: { ...release.rollback, [group]: change(row) } };
}

function started(event: ReleaseStarted): Release {
  return {
    kind: 'release',
    releaseId: event.releaseId,
    service: event.service,
    jobId: event.jobId,
    ...(event.group === undefined ? {} : { group: event.group }),
    status: 'deploying',
    options: event.options,
    stages: event.stages,
    steps: Object.fromEntries(event.steps.map((plan) => [plan.key, { ...plan, status: 'PENDING' as const }])),
    previousJobs: event.previousJobs,
    stage: -1,
    awaitingTrigger: false,
    rollback: {},
    badGroups: [],
    createdAt: event.time,
    updatedAt: event.time,
  };
}

function stageStarted(release: Release, event: ReleaseStageStarted): Release {
  const keys = release.stages[event.stage]?.steps ?? [];
  const steps = { ...release.steps };
  for (const key of keys) {
    const step = steps[key];
    if (step === undefined) continue;
    steps[key] = event.skipped.includes(key) ? { ...step, status: 'SKIPPED', startedAt: event.time } : { ...step, status: 'RUNNING', startedAt: event.time };
  }
  return { ...release, steps, stage: event.stage, stageStartedAt: event.time, awaitingTrigger: false };
}

function rollbackStarted(release: Release, event: ReleaseRollbackStarted): Release {
  const rollback = Object.fromEntries(event.groups.map(({ group, toJobId }) => [group, { group, toJobId, status: 'RUNNING' as const }]));
  return { ...release, status: 'rolling_back', rollback, rollbackReason: event.reason, rollbackStartedAt: event.time, awaitingTrigger: false };
}

function evolveRelease(release: Release, event: ReleaseEvent): Release {
  switch (event.type) {
    case 'ReleaseStageStarted':
      return stageStarted(release, event);
    case 'ReleaseStepRolloutStarted':
      return withStep(release, event.step, (step) => ({ ...step, rolloutId: event.rolloutId }));
    case 'ReleaseStepSucceeded':
      return withStep(release, event.step, (step) => ({ ...step, status: 'SUCCEEDED', ...(event.message === undefined ? {} : { message: event.message }) }));
    case 'ReleaseStepFailed':
      return withStep(release, event.step, (step) => ({ ...step, status: 'FAILED', error: event.error, ignored: event.ignored }));
    case 'ReleaseAwaitingTrigger':
      return { ...release, awaitingTrigger: true };
    case 'ReleaseAdvanced':
      return { ...release, awaitingTrigger: false };
    case 'ReleaseDeployed':
      return { ...release, status: 'deployed', deployedAt: event.time, certifyAt: addSeconds(event.time, release.options.autoCertifyDelay) };
    case 'ReleaseCompleted':
      return { ...release, status: 'complete' };
    case 'ReleaseSnoozed':
      return release.status === 'deployed' ? { ...release, certifyAt: event.until } : { ...release, abandonAt: event.until };
    case 'ReleaseRollbackStarted':
      return rollbackStarted(release, event);
    case 'ReleaseGroupRollbackStarted':
      return withRollbackGroup(release, event.group, (row) => ({ ...row, rolloutId: event.rolloutId }));
    case 'ReleaseGroupRolledBack':
      return withRollbackGroup(release, event.group, (row) => ({ ...row, status: event.ok ? 'DONE' : 'FAILED', ...(event.error === undefined ? {} : { error: event.error }) }));
    case 'ReleaseRolledBack':
      return { ...release, status: 'rolled_back', badGroups: event.badGroups, abandonAt: addSeconds(event.time, release.options.autoAbandonDelay) };
    case 'ReleaseAbandoned':
      return { ...release, status: 'abandoned' };
    case 'ReleaseFailed':
      return { ...release, status: 'failed', error: event.error };
    default:
      return release;
  }
}

export function evolveReleaseState(state: ReleaseState, event: ReleaseEvent): ReleaseState {
  if (event.type === 'ReleaseStarted') return started(event);
  if (state.kind === 'none') return state;
  return { ...evolveRelease(state, event), updatedAt: event.time };
}

/** The release's steps in pipeline order. */
export function releaseSteps(release: Release): ReleaseStep[] {
  return release.stages.flatMap((stage) => stage.steps.map((key) => release.steps[key]).filter((step): step is ReleaseStep => step !== undefined));
}
