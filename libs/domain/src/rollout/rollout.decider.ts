import { foldEvents, type Decider, type DomainCommand } from '../decider';
import { DomainError, ErrorCode } from '../errors';
import type { RolloutOptions } from '../job/job';
import { mostPopularVersion, type CurrentHost } from '../release-plan/current-version';
import { classifyHost, observedHost, sameObservedHost, type HostObservation } from './host-observation';
import { naturalSort } from './natural-order';
import type { HostsObserved, RolloutEvent, RolloutHost, RolloutPlan, RolloutReason, RolloutStarted } from './rollout-events';
import { limitsOf, resolveRolloutOptions, type ResolvedRolloutOptions, type UpdateStrategy } from './rollout-options';
import { failOrRevert, hostsAwaitingVersion, planRollout, rolloutHostRows } from './rollout-planner';
import { evolveRollout, isRolloutFinished, rolloutHost, rolloutHostClassesOf, withoutKeys, type Rollout, type RolloutState } from './rollout-state';
import { instant } from './rollout-time';

/**
 * The rollout aggregate (id = rolloutId). The process manager sends it the
 * start (with a snapshot of the group's hosts), observations of hosts, Ticks
 * at `nextDeadline`, and reports of refused deploys; operators send
 * promote/pause/resume/fail/stop/retry and, with `healthCheck: manual`,
 * health verdicts. Every command ends with the planner, so whatever became
 * due is decided in the same append.
 */

export interface StartRollout extends DomainCommand<'StartRollout'> {
  readonly rolloutId: string;
  readonly group: string;
  readonly jobId: string;
  /** Default MANUAL. */
  readonly reason?: RolloutReason;
  /** Every host matching the group's selectors (UP or DOWN), with its deployments. */
  readonly hosts: readonly HostObservation[];
  /** The request's options: win over the job's rolloutOptions, then the group's defaults. */
  readonly options?: UpdateStrategy;
  readonly jobOptions?: RolloutOptions;
  readonly groupDefaults?: UpdateStrategy;
  /** The group's last stable job, for autoRevert. */
  readonly revertTo?: string;
}

interface RolloutCommandBase<T extends string> extends DomainCommand<T> {
  readonly rolloutId: string;
}

export type Tick = RolloutCommandBase<'Tick'>;

export interface ObserveHosts extends RolloutCommandBase<'ObserveHosts'> {
  readonly observations: readonly HostObservation[];
}

/** The deployment aggregate refused a deploy or undeploy the rollout asked for. */
export interface ReportHostError extends RolloutCommandBase<'ReportHostError'> {
  readonly host: string;
  readonly message: string;
}

export type PromoteRollout = RolloutCommandBase<'PromoteRollout'>;
export type PauseRollout = RolloutCommandBase<'PauseRollout'>;
export type ResumeRollout = RolloutCommandBase<'ResumeRollout'>;
export type RetryRollout = RolloutCommandBase<'RetryRollout'>;

/** Mark the rollout failed (autoRevert applies, as in Nomad). */
export interface FailRollout extends RolloutCommandBase<'FailRollout'> {
  readonly error?: string;
}

/** Stop where it stands, no revert: Helios's stop-deployment-group, or superseded by a newer rollout. */
export interface StopRollout extends RolloutCommandBase<'StopRollout'> {
  readonly error?: string;
}

export interface SetHostHealth extends RolloutCommandBase<'SetHostHealth'> {
  readonly host: string;
  readonly healthy: boolean;
  readonly message?: string;
}

/**
 * Seed 004's returning machine: hosts that came back during the rollout are
 * started on the version most online hosts of the service run (`current`,
 * the blog's /dc/current of the group's hosts) until their turn.
 */
export interface StartReturnedHosts extends RolloutCommandBase<'StartReturnedHosts'> {
  readonly current: readonly CurrentHost[];
}

export type RolloutCommand =
  | StartRollout
  | StartReturnedHosts
  | Tick
  | ObserveHosts
  | ReportHostError
  | PromoteRollout
  | PauseRollout
  | ResumeRollout
  | FailRollout
  | StopRollout
  | RetryRollout
  | SetHostHealth;

function conflict(rollout: Rollout, message: string): DomainError {
  return new DomainError(ErrorCode.ROLLOUT_STATE_CONFLICT, `Rollout ${rollout.rolloutId}: ${message}`, {
    rolloutId: rollout.rolloutId,
    status: rollout.status,
    paused: rollout.paused,
  });
}

function initialRow(observation: HostObservation, command: StartRollout, options: ResolvedRolloutOptions): RolloutHost {
  const classification = classifyHost(observation, command.group, command.jobId, options.migrate);
  const facts = observedHost(observation, { group: command.group, targetJobId: command.jobId, oldJobIds: classification.oldJobIds });
  const step = !facts.up ? 'SKIPPED' : classification.upToDate ? 'UP_TO_DATE' : 'PENDING';
  return {
    host: observation.host,
    step,
    canary: false,
    conflict: classification.conflict,
    touched: false,
    startJobIds: classification.startJobIds,
    oldJobIds: classification.oldJobIds,
    ...facts,
    ...(facts.targetRunning ? { runningSince: command.time } : {}),
  };
}

function planOf(rows: readonly RolloutHost[], parallelism: number): RolloutPlan {
  const named = (step: RolloutHost['step']): string[] => rows.filter((row) => row.step === step).map((row) => row.host);
  const canaries = rows.filter((row) => row.canary).map((row) => row.host);
  const rest = rows.filter((row) => row.step === 'PENDING' && !row.canary).map((row) => row.host);
  const batches: string[][] = canaries.length > 0 ? [canaries] : [];
  for (let i = 0; i < rest.length; i += parallelism) batches.push(rest.slice(i, i + parallelism));
  return { batches, canaries, skipped: named('SKIPPED'), upToDate: named('UP_TO_DATE') };
}

function startEvents(command: StartRollout): RolloutEvent[] {
  instant(command.time);
  const options = resolveRolloutOptions({ request: command.options, job: command.jobOptions, group: command.groupDefaults });
  const byName = new Map(command.hosts.map((observation) => [observation.host, observation]));
  let canariesLeft = options.canary;
  const rows = naturalSort(byName.keys()).flatMap((name) => {
    const observation = byName.get(name);
    if (observation === undefined) return [];
    const row = initialRow(observation, command, options);
    // canaries: the first hosts in natural order that need the update and are UP
    if (row.step !== 'PENDING' || canariesLeft === 0) return [row];
    canariesLeft -= 1;
    return [{ ...row, canary: true }];
  });
  const pending = rows.filter((row) => row.step === 'PENDING');
  const limits = limitsOf(options, rows.length, pending.length);
  const { rolloutId, group, jobId, time } = command;
  const started: RolloutStarted = {
    type: 'RolloutStarted',
    rolloutId,
    time,
    group,
    jobId,
    reason: command.reason ?? 'MANUAL',
    ...(command.revertTo === undefined ? {} : { revertTo: command.revertTo }),
    options,
    limits,
    hostClasses: rolloutHostClassesOf(rows),
    plan: planOf(rows, options.parallelism),
  };
  if (!options.prestage || pending.length === 0) return [started];
  return [started, { type: 'PrestageStarted', rolloutId, time, hosts: pending.map((row) => row.host), quorum: limits.prestageQuorum }];
}

/** The given events, then whatever the planner finds due after them. */
function thenPlan(rollout: Rollout, events: readonly RolloutEvent[], now: string): RolloutEvent[] {
  const after = foldEvents(rolloutDecider, events, rollout);
  return after.kind === 'rollout' ? [...events, ...planRollout(after, now)] : [...events];
}

/** Only what changed becomes an event; a host that is not part of the rollout is the group reconcile's business. */
function observe(rollout: Rollout, command: ObserveHosts): RolloutEvent[] {
  const changes: HostsObserved['hosts'][number][] = [];
  for (const observation of command.observations) {
    const row = rolloutHost(rollout, observation.host);
    if (row === undefined) continue;
    const observed = observedHost(observation, { group: rollout.group, targetJobId: rollout.targetJobId, oldJobIds: row.oldJobIds });
    // no word about the image: what the rollout knows stands (only the agent's answer to PrepareImage says it)
    const image = { imagePulled: row.imagePulled, ...(row.imageError === undefined ? {} : { imageError: row.imageError }) };
    const facts = observation.imagePulled === undefined ? { ...withoutKeys(observed, 'imageError'), ...image } : observed;
    if (!sameObservedHost(facts, row)) changes.push({ host: observation.host, ...facts });
  }
  const events: RolloutEvent[] = changes.length === 0 ? [] : [{ type: 'HostsObserved', rolloutId: rollout.rolloutId, time: command.time, hosts: changes }];
  return isRolloutFinished(rollout) ? events : thenPlan(rollout, events, command.time);
}

/**
 * Every host awaiting a version, in one event. Only the other hosts vote
 * (a returned host's own version is what missed the deploy); a tie goes to
 * the version the rollout moves away from. A host that already has the
 * target keeps it: taking it back to an older version only to bring it to
 * the target in its turn would take it down twice.
 */
function startReturnedHosts(rollout: Rollout, command: StartReturnedHosts): RolloutEvent[] {
  const waiting = hostsAwaitingVersion(rollout);
  if (waiting.length === 0) return [];
  const names = new Set(waiting.map((row) => row.host));
  const voters = command.current.filter((host) => !names.has(host.host));
  const popular = mostPopularVersion(voters, { movingTo: rollout.targetJobId, ...(rollout.revertTo === undefined ? {} : { movingFrom: rollout.revertTo }) });
  const hosts = waiting.map(({ host, targetPresent }) => {
    const jobId = targetPresent ? rollout.targetJobId : popular;
    return jobId === undefined ? { host } : { host, jobId };
  });
  return thenPlan(rollout, [{ type: 'ReturnedHostsStarted', rolloutId: rollout.rolloutId, time: command.time, hosts }], command.time);
}

function hostVerdict(rollout: Rollout, host: string, healthy: boolean, reason: 'unhealthy' | 'error', message: string, time: string): RolloutEvent[] {
  const row = rolloutHost(rollout, host);
  if (row === undefined) throw new DomainError(ErrorCode.HOST_NOT_FOUND, `Host ${host} is not part of rollout ${rollout.rolloutId}`, { host, rolloutId: rollout.rolloutId });
  // a late verdict about a host that is no longer deploying changes nothing
  if (row.step !== 'DEPLOYING' || isRolloutFinished(rollout)) return [];
  const base = { rolloutId: rollout.rolloutId, time };
  const event: RolloutEvent = healthy ? { type: 'HostsHealthy', ...base, hosts: [host] } : { type: 'HostsFailed', ...base, failures: [{ host, reason, message }] };
  return thenPlan(rollout, [event], time);
}

function setHostHealth(rollout: Rollout, command: SetHostHealth): RolloutEvent[] {
  if (rollout.options.healthCheck !== 'manual') throw conflict(rollout, 'health verdicts need healthCheck: manual');
  const message = command.message ?? `${command.host}: marked unhealthy`;
  return hostVerdict(rollout, command.host, command.healthy, 'unhealthy', message, command.time);
}

function promote(rollout: Rollout, command: PromoteRollout): RolloutEvent[] {
  if (isRolloutFinished(rollout)) throw conflict(rollout, 'it has finished');
  if (rollout.promoted) return [];
  if (rollout.status !== 'AWAITING_PROMOTION') throw conflict(rollout, 'its canaries are not done yet');
  return thenPlan(rollout, [{ type: 'RolloutPromoted', rolloutId: rollout.rolloutId, time: command.time, auto: false }], command.time);
}

function pauseOrResume(rollout: Rollout, command: PauseRollout | ResumeRollout): RolloutEvent[] {
  if (isRolloutFinished(rollout)) throw conflict(rollout, 'it has finished');
  const pause = command.type === 'PauseRollout';
  if (rollout.paused === pause) return [];
  const base = { rolloutId: rollout.rolloutId, time: command.time };
  return pause ? [{ type: 'RolloutPaused', ...base }] : thenPlan(rollout, [{ type: 'RolloutResumed', ...base }], command.time);
}

function retry(rollout: Rollout, command: RetryRollout): RolloutEvent[] {
  const failed = rolloutHostRows(rollout).filter((row) => row.step === 'FAILED' || (row.step === 'DEPLOYING' && rollout.status === 'FAILED'));
  const retryable = rollout.status === 'FAILED' || (rollout.status === 'SUCCEEDED' && failed.length > 0);
  if (!retryable) throw conflict(rollout, 'only a failed rollout, or one that finished with failed hosts, can be retried');
  if (rollout.targetJobId !== rollout.jobId) throw conflict(rollout, 'its revert failed: start a new rollout instead');
  const event: RolloutEvent = { type: 'RolloutRetried', rolloutId: rollout.rolloutId, time: command.time, hosts: failed.map((row) => row.host) };
  return thenPlan(rollout, [event], command.time);
}

function stop(rollout: Rollout, command: StopRollout): RolloutEvent[] {
  if (isRolloutFinished(rollout)) return [];
  const failedHosts = rolloutHostRows(rollout).filter((row) => row.step === 'FAILED').map((row) => row.host);
  return [{ type: 'RolloutFailed', rolloutId: rollout.rolloutId, time: command.time, error: command.error ?? 'Stopped by user', failedHosts, stopped: true }];
}

function decideOnRollout(rollout: Rollout, command: Exclude<RolloutCommand, StartRollout>): RolloutEvent[] {
  instant(command.time);
  switch (command.type) {
    case 'Tick':
      return isRolloutFinished(rollout) ? [] : planRollout(rollout, command.time);
    case 'ObserveHosts':
      return observe(rollout, command);
    case 'StartReturnedHosts':
      return startReturnedHosts(rollout, command);
    case 'ReportHostError':
      return hostVerdict(rollout, command.host, false, 'error', `${command.host}: ${command.message}`, command.time);
    case 'SetHostHealth':
      return setHostHealth(rollout, command);
    case 'PromoteRollout':
      return promote(rollout, command);
    case 'PauseRollout':
    case 'ResumeRollout':
      return pauseOrResume(rollout, command);
    case 'FailRollout':
      if (isRolloutFinished(rollout)) throw conflict(rollout, 'it has finished');
      return thenPlan(rollout, failOrRevert(rollout, command.time, command.error ?? 'Failed by user'), command.time);
    case 'StopRollout':
      return stop(rollout, command);
    case 'RetryRollout':
      return retry(rollout, command);
  }
}

function decide(command: RolloutCommand, state: RolloutState): RolloutEvent[] {
  if (command.type === 'StartRollout') {
    if (state.kind !== 'none') {
      throw new DomainError(ErrorCode.ROLLOUT_ALREADY_EXISTS, `Rollout ${command.rolloutId} already exists`, { rolloutId: command.rolloutId });
    }
    const events = startEvents(command);
    const started = foldEvents(rolloutDecider, events, state);
    return started.kind === 'rollout' ? [...events, ...planRollout(started, command.time)] : events;
  }
  if (state.kind === 'none') {
    throw new DomainError(ErrorCode.ROLLOUT_NOT_FOUND, `Rollout not found: ${command.rolloutId}`, { rolloutId: command.rolloutId });
  }
  return decideOnRollout(state, command);
}

export const rolloutDecider: Decider<RolloutCommand, RolloutEvent, RolloutState> = {
  initialState: { kind: 'none' },
  decide,
  evolve: evolveRollout,
};
