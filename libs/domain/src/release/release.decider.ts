import type { Decider, DomainCommand } from '../decider';
import { DomainError, ErrorCode } from '../errors';
import { GATE_DEFAULT_TIMEOUT_SECONDS, stepKey, type Pipeline, type PipelineStage, type PipelineStep } from '../pipeline/pipeline';
import { deployFrozen, type Freeze } from '../freeze/freeze';
import type { UpdateStrategy } from '../rollout/rollout-options';
import type { RolloutStatus } from '../rollout/rollout-state';
import {
  addSeconds,
  evolveReleaseState,
  RELEASE_ACTION_STATUSES,
  releaseOperatorActions,
  releaseSteps,
  type Release,
  type ReleaseEvent,
  type ReleaseOptions,
  type ReleaseStagePlan,
  type ReleaseState,
  type ReleaseStatus,
  type ReleaseStep,
  type ReleaseStepPlan,
} from './release';

interface ReleaseCommandBase<T extends string> extends DomainCommand<T> {
  readonly releaseId: string;
}

export interface StartRelease extends ReleaseCommandBase<'StartRelease'> {
  readonly service: string;
  readonly jobId: string;
  /** The service's pipeline; may be absent when `group` is given. */
  readonly pipeline?: Pipeline;
  /** Move this one group only (a pipeline step of that name keeps its options). */
  readonly group?: string;
  readonly autoRollback?: boolean;
  readonly timeout?: number;
  readonly autoCertifyDelay?: number;
  readonly autoAbandonDelay?: number;
  /** Deploy even to groups the job was rolled back from. */
  readonly force?: boolean;
  /** Update-strategy options for the group steps' rollouts. */
  readonly rolloutOptions?: UpdateStrategy;
  /** The freeze in force for the service or one of its groups now, if any. */
  readonly frozen?: { readonly freeze: Freeze; readonly until: string };
  /** Start anyway during a freeze, for this reason (recorded). */
  readonly freezeOverride?: string;
  /** Each deployment group's current job (its last stable one), where a rollback goes. */
  readonly previousJobs: Readonly<Record<string, string>>;
  /** Groups from which this job was rolled back before (bad versions). */
  readonly badGroups: readonly string[];
}

/** The process manager started the rolling update of a group step. */
export interface RecordStepRollout extends ReleaseCommandBase<'RecordStepRollout'> {
  readonly step: string;
  readonly rolloutId: string;
}

/** The process manager started the rollout taking a group back to its previous job. */
export interface RecordRollbackRollout extends ReleaseCommandBase<'RecordRollbackRollout'> {
  readonly group: string;
  readonly rolloutId: string;
}

export interface ObservedRollout {
  readonly rolloutId: string;
  readonly status: RolloutStatus;
  readonly error?: string;
}

/** Where the release's rollouts stand (the process manager sends the ones that finished). */
export interface ObserveReleaseRollouts extends ReleaseCommandBase<'ObserveReleaseRollouts'> {
  readonly rollouts: readonly ObservedRollout[];
}

/** An outside system's verdict on a gate. */
export interface ReportGate extends ReleaseCommandBase<'ReportGate'> {
  readonly gate: string;
  readonly passed: boolean;
  readonly message?: string;
}

/** The process manager could not start a group step's rollout (group or job gone, …): the step fails. */
export interface ReportStepError extends ReleaseCommandBase<'ReportStepError'> {
  readonly step: string;
  readonly error: string;
}

/** The process manager could not start a group's rollback rollout. */
export interface ReportRollbackError extends ReleaseCommandBase<'ReportRollbackError'> {
  readonly group: string;
  readonly error: string;
}

export type AdvanceRelease = ReleaseCommandBase<'AdvanceRelease'>;
export type CompleteRelease = ReleaseCommandBase<'CompleteRelease'>;
export type AbandonRelease = ReleaseCommandBase<'AbandonRelease'>;
export type TickRelease = ReleaseCommandBase<'TickRelease'>;

export interface RollbackRelease extends ReleaseCommandBase<'RollbackRelease'> {
  readonly reason?: string;
}

/** Pushes the automatic complete (deployed) or abandon (rolled_back) back. */
export interface SnoozeRelease extends ReleaseCommandBase<'SnoozeRelease'> {
  readonly seconds?: number;
}

export type ReleaseCommand =
  | StartRelease
  | RecordStepRollout
  | RecordRollbackRollout
  | ObserveReleaseRollouts
  | ReportGate
  | ReportStepError
  | ReportRollbackError
  | AdvanceRelease
  | CompleteRelease
  | AbandonRelease
  | RollbackRelease
  | SnoozeRelease
  | TickRelease;

const DEFAULT_AUTO_CERTIFY_WITH_ROLLBACK = 600;
const DEFAULT_AUTO_ABANDON = 600;
const DEFAULT_SNOOZE = 600;
const FAILED_ROLLOUT: readonly RolloutStatus[] = ['FAILED', 'REVERTED'];

function conflict(release: Release, message: string): DomainError {
  return new DomainError(ErrorCode.RELEASE_STATE_CONFLICT, message, { releaseId: release.releaseId, status: release.status });
}

function requireStatus(release: Release, allowed: readonly ReleaseStatus[], action: string): void {
  if (!allowed.includes(release.status)) throw conflict(release, `Cannot ${action} a release that is ${release.status}`);
}

function stepPlan(step: PipelineStep, stage: number): ReleaseStepPlan {
  const { kind, name, autoRollback, ignoreFailure, disabled, waitForDeployment } = step;
  return { key: stepKey(step), kind, name, stage, ...(step.timeout === undefined ? {} : { timeout: step.timeout }), autoRollback, ignoreFailure, disabled, waitForDeployment };
}

/** The stages a release runs: the pipeline, or one group (its pipeline step's options if it has one). */
function stagesOf(command: StartRelease): PipelineStage[] {
  if (command.group === undefined) {
    if (command.pipeline === undefined) throw new DomainError(ErrorCode.PIPELINE_NOT_FOUND, `No pipeline for service ${command.service}`, { service: command.service });
    return [...command.pipeline.stages];
  }
  const own = command.pipeline?.stages.flatMap((stage) => stage.steps).find((step) => step.kind === 'group' && step.name === command.group);
  const step: PipelineStep = own === undefined ? { kind: 'group', name: command.group, autoRollback: false, ignoreFailure: false, disabled: false, waitForDeployment: true } : { ...own, disabled: false };
  return [{ steps: [step], parallel: false, triggerNextStepManually: false }];
}

function start(command: StartRelease): ReleaseEvent[] {
  const stages = stagesOf(command);
  const steps = stages.flatMap((stage, i) => stage.steps.map((step) => stepPlan(step, i)));
  const groups = steps.filter((step) => step.kind === 'group' && !step.disabled).map((step) => step.name);
  const bad = groups.filter((group) => command.badGroups.includes(group));
  if (bad.length > 0 && command.force !== true) {
    throw new DomainError(ErrorCode.VERSION_MARKED_BAD, `${command.jobId} was rolled back from ${bad.join(', ')}; use force to deploy it there again`, { jobId: command.jobId, groups: bad });
  }
  const override = command.freezeOverride?.trim();
  if (command.frozen !== undefined && (override === undefined || override === '')) throw deployFrozen(command.frozen, `Release of ${command.service}`);
  const autoRollback = command.autoRollback ?? false;
  const anyRollback = autoRollback || steps.some((step) => step.autoRollback);
  const options: ReleaseOptions = {
    autoRollback,
    ...(command.timeout === undefined ? {} : { timeout: command.timeout }),
    autoCertifyDelay: command.autoCertifyDelay ?? command.pipeline?.autoCertifyDelay ?? (anyRollback ? DEFAULT_AUTO_CERTIFY_WITH_ROLLBACK : 0),
    autoAbandonDelay: command.autoAbandonDelay ?? command.pipeline?.autoAbandonDelay ?? DEFAULT_AUTO_ABANDON,
    force: command.force === true,
    ...(command.rolloutOptions === undefined ? {} : { rolloutOptions: command.rolloutOptions }),
    ...(command.frozen === undefined || override === undefined ? {} : { freezeOverride: `${command.frozen.freeze.name}: ${override}` }),
  };
  const stagePlans: ReleaseStagePlan[] = stages.map((stage, i) => ({ steps: steps.filter((step) => step.stage === i).map((step) => step.key), triggerNextStepManually: stage.triggerNextStepManually }));
  const previousJobs = Object.fromEntries(groups.flatMap((group) => (command.previousJobs[group] === undefined ? [] : [[group, command.previousJobs[group]]])));
  const { releaseId, service, jobId, time } = command;
  return [{ type: 'ReleaseStarted', releaseId, service, jobId, ...(command.group === undefined ? {} : { group: command.group }), stages: stagePlans, steps, options, previousJobs, time }];
}

function stageStartedEvent(release: Release, stage: number, time: string): ReleaseEvent {
  const keys = release.stages[stage]?.steps ?? [];
  const skipped = keys.filter((key) => release.steps[key]?.disabled === true);
  return { type: 'ReleaseStageStarted', releaseId: release.releaseId, stage, skipped, time };
}

function currentSteps(release: Release): ReleaseStep[] {
  return (release.stages[release.stage]?.steps ?? []).map((key) => release.steps[key]).filter((step): step is ReleaseStep => step !== undefined);
}

/** Groups a rollback must take back: every group step the release started. */
function rollbackStartedEvent(release: Release, reason: string, auto: boolean, time: string): ReleaseEvent {
  const touched = releaseSteps(release).filter((step) => step.kind === 'group' && (step.rolloutId !== undefined || step.status === 'RUNNING'));
  const groups: { group: string; toJobId: string }[] = [];
  const unrestorable: string[] = [];
  for (const step of touched) {
    const previous = release.previousJobs[step.name];
    if (previous === undefined) unrestorable.push(step.name);
    else if (previous !== release.jobId) groups.push({ group: step.name, toJobId: previous });
  }
  return { type: 'ReleaseRollbackStarted', releaseId: release.releaseId, reason, auto, groups, unrestorable, time };
}

function nextWhileDeploying(release: Release, time: string): ReleaseEvent | undefined {
  const base = { releaseId: release.releaseId, time };
  if (release.awaitingTrigger) return undefined;
  const steps = currentSteps(release);
  const failed = steps.find((step) => step.status === 'FAILED' && step.ignored !== true);
  if (failed !== undefined) {
    const reason = `step ${failed.name} failed: ${failed.error ?? 'unknown error'}`;
    if (failed.autoRollback || release.options.autoRollback) return rollbackStartedEvent(release, reason, true, time);
    return { type: 'ReleaseFailed', ...base, error: reason };
  }
  if (steps.some((step) => step.status === 'PENDING' || step.status === 'RUNNING')) return undefined;
  if (release.stage >= release.stages.length - 1) return { type: 'ReleaseDeployed', ...base };
  if (release.stages[release.stage]?.triggerNextStepManually === true) return { type: 'ReleaseAwaitingTrigger', ...base, stage: release.stage };
  return stageStartedEvent(release, release.stage + 1, time);
}

/** The event the release's state calls for by itself at `time`, if any. */
function nextEvent(release: Release, time: string): ReleaseEvent | undefined {
  const base = { releaseId: release.releaseId, time };
  switch (release.status) {
    case 'deploying':
      return nextWhileDeploying(release, time);
    case 'deployed':
      return release.certifyAt !== undefined && release.certifyAt <= time ? { type: 'ReleaseCompleted', ...base, auto: true } : undefined;
    case 'rolling_back': {
      const rows = Object.values(release.rollback);
      if (rows.some((row) => row.status === 'RUNNING')) return undefined;
      const failed = rows.filter((row) => row.status === 'FAILED');
      if (failed.length > 0) return { type: 'ReleaseFailed', ...base, error: `rollback failed for ${failed.map((row) => `${row.group} (${row.error ?? 'failed'})`).join(', ')}` };
      const badGroups = releaseSteps(release)
        .filter((step) => step.kind === 'group' && (step.rolloutId !== undefined || step.status === 'RUNNING') && release.previousJobs[step.name] !== release.jobId)
        .map((step) => step.name);
      return { type: 'ReleaseRolledBack', ...base, jobId: release.jobId, badGroups };
    }
    case 'rolled_back':
      return release.abandonAt !== undefined && release.abandonAt <= time ? { type: 'ReleaseAbandoned', ...base, auto: true } : undefined;
    default:
      return undefined;
  }
}

const MAX_SETTLE_EVENTS = 1000;

/** `events`, then everything the resulting state calls for by itself (next stages, deployed, rolled back, …). */
function settled(state: ReleaseState, events: readonly ReleaseEvent[], time: string): ReleaseEvent[] {
  const all = [...events];
  let current = events.reduce(evolveReleaseState, state);
  for (let i = 0; current.kind === 'release' && i < MAX_SETTLE_EVENTS; i++) {
    const next = nextEvent(current, time);
    if (next === undefined) break;
    all.push(next);
    current = evolveReleaseState(current, next);
  }
  return all;
}

/** Seconds a running step may take, if it is bounded. */
export function stepTimeout(release: Release, step: ReleaseStepPlan): number | undefined {
  return step.kind === 'gate' ? (step.timeout ?? GATE_DEFAULT_TIMEOUT_SECONDS) : (step.timeout ?? release.options.timeout);
}

function stepFailed(release: Release, step: ReleaseStep, error: string, time: string): ReleaseEvent {
  return { type: 'ReleaseStepFailed', releaseId: release.releaseId, step: step.key, error, ignored: step.ignoreFailure, time };
}

function tick(release: Release, time: string): ReleaseEvent[] {
  if (release.status !== 'deploying') return [];
  return currentSteps(release).flatMap((step) => {
    const timeout = stepTimeout(release, step);
    if (step.status !== 'RUNNING' || timeout === undefined || step.startedAt === undefined || addSeconds(step.startedAt, timeout) > time) return [];
    return [stepFailed(release, step, `timed out after ${timeout}s`, time)];
  });
}

function observe(release: Release, command: ObserveReleaseRollouts): ReleaseEvent[] {
  const byId = new Map(command.rollouts.map((rollout) => [rollout.rolloutId, rollout]));
  const events: ReleaseEvent[] = [];
  const base = { releaseId: release.releaseId, time: command.time };
  if (release.status === 'deploying') {
    for (const step of currentSteps(release)) {
      const seen = step.rolloutId === undefined ? undefined : byId.get(step.rolloutId);
      if (step.status !== 'RUNNING' || seen === undefined) continue;
      if (seen.status === 'SUCCEEDED') events.push({ type: 'ReleaseStepSucceeded', ...base, step: step.key });
      else if (FAILED_ROLLOUT.includes(seen.status)) events.push(stepFailed(release, step, `rollout ${seen.status.toLowerCase()}: ${seen.error ?? 'no detail'}`, command.time));
    }
  }
  if (release.status === 'rolling_back') {
    for (const row of Object.values(release.rollback)) {
      const seen = row.rolloutId === undefined ? undefined : byId.get(row.rolloutId);
      if (row.status !== 'RUNNING' || seen === undefined) continue;
      if (seen.status === 'SUCCEEDED') events.push({ type: 'ReleaseGroupRolledBack', ...base, group: row.group, ok: true });
      else if (FAILED_ROLLOUT.includes(seen.status)) events.push({ type: 'ReleaseGroupRolledBack', ...base, group: row.group, ok: false, error: seen.error ?? seen.status });
    }
  }
  return events;
}

function recordStepRollout(release: Release, command: RecordStepRollout): ReleaseEvent[] {
  const step = release.steps[command.step];
  if (step === undefined || step.kind !== 'group') throw conflict(release, `No group step ${command.step} in release ${release.releaseId}`);
  if (step.rolloutId === command.rolloutId || step.status !== 'RUNNING' || release.status !== 'deploying') return [];
  const base = { releaseId: release.releaseId, step: step.key, time: command.time };
  const started: ReleaseEvent = { type: 'ReleaseStepRolloutStarted', ...base, rolloutId: command.rolloutId };
  return step.waitForDeployment ? [started] : [started, { type: 'ReleaseStepSucceeded', ...base, message: 'not waiting for the deployment (wait_for_deployment: false)' }];
}

function recordRollbackRollout(release: Release, command: RecordRollbackRollout): ReleaseEvent[] {
  const row = release.rollback[command.group];
  if (release.status !== 'rolling_back' || row === undefined || row.status !== 'RUNNING' || row.rolloutId === command.rolloutId) return [];
  return [{ type: 'ReleaseGroupRollbackStarted', releaseId: release.releaseId, group: command.group, rolloutId: command.rolloutId, time: command.time }];
}

function reportGate(release: Release, command: ReportGate): ReleaseEvent[] {
  const key = stepKey({ kind: 'gate', name: command.gate });
  const step = release.steps[key];
  if (release.status !== 'deploying' || step === undefined || step.status !== 'RUNNING') {
    throw new DomainError(ErrorCode.GATE_NOT_PENDING, `Release ${release.releaseId} is not waiting on gate ${command.gate}`, {
      releaseId: release.releaseId,
      gate: command.gate,
      ...(step === undefined ? {} : { step: step.status }),
    });
  }
  const message = command.message === undefined ? {} : { message: command.message };
  if (command.passed) return [{ type: 'ReleaseStepSucceeded', releaseId: release.releaseId, step: key, ...message, time: command.time }];
  return [stepFailed(release, step, command.message ?? 'gate failed', command.time)];
}

function operate(release: Release, command: Exclude<ReleaseCommand, StartRelease>): ReleaseEvent[] {
  const base = { releaseId: release.releaseId, time: command.time };
  switch (command.type) {
    case 'RecordStepRollout':
      return recordStepRollout(release, command);
    case 'RecordRollbackRollout':
      return recordRollbackRollout(release, command);
    case 'ObserveReleaseRollouts':
      return observe(release, command);
    case 'ReportGate':
      return reportGate(release, command);
    case 'ReportStepError': {
      const step = release.steps[command.step];
      return release.status === 'deploying' && step?.status === 'RUNNING' ? [stepFailed(release, step, command.error, command.time)] : [];
    }
    case 'ReportRollbackError':
      return release.status === 'rolling_back' && release.rollback[command.group]?.status === 'RUNNING'
        ? [{ type: 'ReleaseGroupRolledBack', ...base, group: command.group, ok: false, error: command.error }]
        : [];
    case 'TickRelease':
      return tick(release, command.time);
    case 'AdvanceRelease':
      if (!releaseOperatorActions(release).includes('advance')) throw conflict(release, 'The release is not waiting for a manual trigger');
      return [{ type: 'ReleaseAdvanced', ...base, stage: release.stage }, stageStartedEvent(release, release.stage + 1, command.time)];
    case 'CompleteRelease':
      requireStatus(release, RELEASE_ACTION_STATUSES.complete, 'complete');
      return [{ type: 'ReleaseCompleted', ...base, auto: false }];
    case 'AbandonRelease':
      requireStatus(release, RELEASE_ACTION_STATUSES.abandon, 'abandon');
      return [{ type: 'ReleaseAbandoned', ...base, auto: false }];
    case 'RollbackRelease':
      requireStatus(release, RELEASE_ACTION_STATUSES.rollback, 'roll back');
      return [rollbackStartedEvent(release, command.reason ?? 'rolled back by an operator', false, command.time)];
    case 'SnoozeRelease': {
      requireStatus(release, RELEASE_ACTION_STATUSES.snooze, 'snooze');
      const delay = release.status === 'deployed' ? release.options.autoCertifyDelay : release.options.autoAbandonDelay;
      const seconds = command.seconds ?? (delay > 0 ? delay : DEFAULT_SNOOZE);
      return [{ type: 'ReleaseSnoozed', ...base, until: addSeconds(command.time, seconds) }];
    }
  }
}

/**
 * The release aggregate (id = a uuid). It decides what each step's outcome
 * means for the release; the scheduler's release manager starts the
 * rollouts it asks for (`pendingReleaseActions`), reports how they end and
 * ticks it at `nextReleaseDeadline`. Every decision ends by settling: the
 * stage that is done starts the next one, the last one makes it deployed,
 * and so on, in the same append.
 */
export const releaseDecider: Decider<ReleaseCommand, ReleaseEvent, ReleaseState> = {
  initialState: { kind: 'none' },
  decide(command, state) {
    if (command.type === 'StartRelease') {
      if (state.kind !== 'none') throw new DomainError(ErrorCode.RELEASE_ALREADY_EXISTS, `Release already exists: ${command.releaseId}`, { releaseId: command.releaseId });
      const startedEvents = start(command);
      const release = startedEvents.reduce(evolveReleaseState, state) as Release;
      return settled(state, [...startedEvents, stageStartedEvent(release, 0, command.time)], command.time);
    }
    if (state.kind === 'none') throw new DomainError(ErrorCode.RELEASE_NOT_FOUND, `Release not found: ${command.releaseId}`, { releaseId: command.releaseId });
    const events = operate(state, command);
    // commands that change nothing stay silent, but a tick may still find a timer due
    if (events.length === 0 && command.type !== 'TickRelease') return [];
    return settled(state, events, command.time);
  },
  evolve: evolveReleaseState,
};
