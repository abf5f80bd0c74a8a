import { canonicalJson } from '../canonical-json';
import type { Decider, DomainCommand, DomainEvent } from '../decider';
import { DomainError, ErrorCode } from '../errors';
import type { RolloutReason } from '../rollout/rollout-events';
import { resolveRolloutOptions, type UpdateStrategy } from '../rollout/rollout-options';
import { parseHostSelectors, selectorsLogicallyEqual, type HostSelector } from '../selector/host-selector';

/**
 * The deployment group aggregate (id = group name): a name, host selectors,
 * default update strategy, and the Helios group status driven by its
 * rollouts. Rollouts are their own aggregates; the process manager records
 * here when one starts (StartGroupRollout) and how it ended
 * (FinishGroupRollout), so the group answers `deployment-group-status` and
 * knows its last stable job for autoRevert.
 *
 * Status: IDLE (never rolled out) → ROLLING_OUT → DONE (Helios's "ACTIVE") |
 * FAILED (+ error). Stop: FAILED "Stopped by user", containers untouched.
 *
 * Selectors: Helios makes you remove and re-create a group to change them.
 * Berth also accepts UpdateDeploymentGroupSelectors, which only records the
 * new selectors; the group reconcile then undeploys the group's jobs from
 * hosts that no longer match and starts a HOSTS_CHANGED rollout onto hosts
 * that now match, which is what remove + create + `rolling-update --migrate`
 * achieves, without a moment where the group does not exist.
 */

export type DeploymentGroupStatus = 'IDLE' | 'ROLLING_OUT' | 'DONE' | 'FAILED';

export const STOPPED_BY_USER = 'Stopped by user';

/** Selectors as parsed values or as text (`role=web`, `zone in (a, b)`), parsed by the decider. */
export type SelectorInput = HostSelector | string;

export interface CreateDeploymentGroup extends DomainCommand<'CreateDeploymentGroup'> {
  readonly name: string;
  readonly selectors: readonly SelectorInput[];
  readonly defaults?: UpdateStrategy;
}

export interface RemoveDeploymentGroup extends DomainCommand<'RemoveDeploymentGroup'> {
  readonly name: string;
}

export interface UpdateDeploymentGroupSelectors extends DomainCommand<'UpdateDeploymentGroupSelectors'> {
  readonly name: string;
  readonly selectors: readonly SelectorInput[];
}

export interface StopDeploymentGroup extends DomainCommand<'StopDeploymentGroup'> {
  readonly name: string;
}

export interface StartGroupRollout extends DomainCommand<'StartGroupRollout'> {
  readonly name: string;
  readonly rolloutId: string;
  readonly jobId: string;
  /** Default MANUAL. */
  readonly reason?: RolloutReason;
}

export interface FinishGroupRollout extends DomainCommand<'FinishGroupRollout'> {
  readonly name: string;
  readonly rolloutId: string;
  readonly status: 'DONE' | 'FAILED';
  readonly error?: string;
  /** The job the group's hosts are on now (the stable job after a revert); default: the rollout's job. */
  readonly jobId?: string;
  /** Every host healthy: the job becomes the last stable job. */
  readonly stable?: boolean;
}

export type DeploymentGroupCommand =
  | CreateDeploymentGroup
  | RemoveDeploymentGroup
  | UpdateDeploymentGroupSelectors
  | StopDeploymentGroup
  | StartGroupRollout
  | FinishGroupRollout;

interface GroupEventBase<T extends string> extends DomainEvent<T> {
  readonly name: string;
  readonly time: string;
}

export interface DeploymentGroupCreated extends GroupEventBase<'DeploymentGroupCreated'> {
  readonly selectors: readonly HostSelector[];
  readonly defaults?: UpdateStrategy;
}

export interface DeploymentGroupRemoved extends GroupEventBase<'DeploymentGroupRemoved'> {
  /** The rollout in flight, which the process manager stops; deployments stay, tagged with the old name (Helios). */
  readonly rolloutId?: string;
}

export interface DeploymentGroupSelectorsUpdated extends GroupEventBase<'DeploymentGroupSelectorsUpdated'> {
  readonly selectors: readonly HostSelector[];
}

export interface DeploymentGroupStopped extends GroupEventBase<'DeploymentGroupStopped'> {
  readonly error: string;
  /** The rollout to stop, if one was in flight. */
  readonly rolloutId?: string;
}

export interface DeploymentGroupRolloutStarted extends GroupEventBase<'DeploymentGroupRolloutStarted'> {
  readonly rolloutId: string;
  readonly jobId: string;
  readonly reason: RolloutReason;
  /** A rollout still in flight that this one replaces (Helios: a newer rolling-update replaces the plan). */
  readonly supersedes?: string;
}

export interface DeploymentGroupRolloutFinished extends GroupEventBase<'DeploymentGroupRolloutFinished'> {
  readonly rolloutId: string;
  readonly status: 'DONE' | 'FAILED';
  readonly error?: string;
  readonly jobId: string;
  readonly stable: boolean;
}

export type DeploymentGroupEvent =
  | DeploymentGroupCreated
  | DeploymentGroupRemoved
  | DeploymentGroupSelectorsUpdated
  | DeploymentGroupStopped
  | DeploymentGroupRolloutStarted
  | DeploymentGroupRolloutFinished;

export interface DeploymentGroup {
  readonly kind: 'group';
  readonly name: string;
  readonly selectors: readonly HostSelector[];
  readonly defaults?: UpdateStrategy;
  readonly createdAt: string;
  readonly status: DeploymentGroupStatus;
  readonly error?: string;
  /** The job the group is (being) rolled to: Helios's `jobId`. */
  readonly jobId?: string;
  readonly rolloutId?: string;
  readonly reason?: RolloutReason;
  /** The last job a rollout brought every host to: where autoRevert goes. */
  readonly lastStableJobId?: string;
}

export type DeploymentGroupState = { readonly kind: 'none' } | DeploymentGroup;

function notFound(name: string): DomainError {
  return new DomainError(ErrorCode.DEPLOYMENT_GROUP_NOT_FOUND, `Deployment group not found: ${name}`, { name });
}

function parseSelectors(inputs: readonly SelectorInput[]): HostSelector[] {
  const texts = inputs.filter((input): input is string => typeof input === 'string');
  const parsed = parseHostSelectors(texts);
  let next = 0;
  const selectors = inputs.map((input) => (typeof input === 'string' ? parsed[next++] : input)).filter((s): s is HostSelector => s !== undefined);
  // a group without selectors would match no host (Helios's HostMatcher skips it): refuse it up front
  if (selectors.length === 0) {
    throw new DomainError(ErrorCode.INVALID_HOST_SELECTOR, 'A deployment group needs at least one host selector', { selectors: [] });
  }
  return selectors;
}

function create(command: CreateDeploymentGroup, state: DeploymentGroupState): DeploymentGroupEvent[] {
  if (command.name.trim() === '') throw new DomainError(ErrorCode.INVALID_HOST_SELECTOR, 'A deployment group needs a name', { name: command.name });
  const selectors = parseSelectors(command.selectors);
  if (command.defaults !== undefined) resolveRolloutOptions({ group: command.defaults });
  if (state.kind === 'group') {
    const sameDefaults = canonicalJson(state.defaults ?? {}) === canonicalJson(command.defaults ?? {});
    // the same definition again is Helios's "not modified", not an error
    if (selectorsLogicallyEqual(state.selectors, selectors) && sameDefaults) return [];
    throw new DomainError(ErrorCode.DEPLOYMENT_GROUP_ALREADY_EXISTS, `Deployment group already exists: ${command.name}`, {
      name: command.name,
    });
  }
  const defaults = command.defaults === undefined ? {} : { defaults: command.defaults };
  return [{ type: 'DeploymentGroupCreated', name: command.name, selectors, ...defaults, time: command.time }];
}

function stopGroup(group: DeploymentGroup, command: StopDeploymentGroup): DeploymentGroupEvent[] {
  const rolling = group.status === 'ROLLING_OUT' && group.rolloutId !== undefined;
  if (!rolling && group.status === 'FAILED' && group.error === STOPPED_BY_USER) return [];
  const rollout = rolling ? { rolloutId: group.rolloutId } : {};
  return [{ type: 'DeploymentGroupStopped', name: group.name, error: STOPPED_BY_USER, ...rollout, time: command.time }];
}

function startRollout(group: DeploymentGroup, command: StartGroupRollout): DeploymentGroupEvent[] {
  // the same rollout again is a no-op while it runs, and a retry once it has finished
  if (group.rolloutId === command.rolloutId && group.status === 'ROLLING_OUT') return [];
  const supersedes = group.status === 'ROLLING_OUT' && group.rolloutId !== undefined ? { supersedes: group.rolloutId } : {};
  const { name, rolloutId, jobId, time } = command;
  return [{ type: 'DeploymentGroupRolloutStarted', name, rolloutId, jobId, reason: command.reason ?? 'MANUAL', ...supersedes, time }];
}

function finishRollout(group: DeploymentGroup, command: FinishGroupRollout): DeploymentGroupEvent[] {
  // a superseded or stopped rollout reporting late must not overwrite the group's status
  if (group.rolloutId !== command.rolloutId || group.status !== 'ROLLING_OUT') return [];
  const { name, rolloutId, status, time } = command;
  const error = command.error === undefined ? {} : { error: command.error };
  const jobId = command.jobId ?? group.jobId ?? '';
  return [{ type: 'DeploymentGroupRolloutFinished', name, rolloutId, status, ...error, jobId, stable: command.stable === true, time }];
}

function decideOnGroup(group: DeploymentGroup, command: Exclude<DeploymentGroupCommand, CreateDeploymentGroup>): DeploymentGroupEvent[] {
  switch (command.type) {
    case 'RemoveDeploymentGroup': {
      const rollout = group.status === 'ROLLING_OUT' && group.rolloutId !== undefined ? { rolloutId: group.rolloutId } : {};
      return [{ type: 'DeploymentGroupRemoved', name: group.name, ...rollout, time: command.time }];
    }
    case 'UpdateDeploymentGroupSelectors': {
      const selectors = parseSelectors(command.selectors);
      if (selectorsLogicallyEqual(group.selectors, selectors)) return [];
      return [{ type: 'DeploymentGroupSelectorsUpdated', name: group.name, selectors, time: command.time }];
    }
    case 'StopDeploymentGroup':
      return stopGroup(group, command);
    case 'StartGroupRollout':
      return startRollout(group, command);
    case 'FinishGroupRollout':
      return finishRollout(group, command);
  }
}

function decide(command: DeploymentGroupCommand, state: DeploymentGroupState): DeploymentGroupEvent[] {
  if (command.type === 'CreateDeploymentGroup') return create(command, state);
  if (state.kind === 'none') throw notFound(command.name);
  return decideOnGroup(state, command);
}

function evolveGroup(group: DeploymentGroup, event: Exclude<DeploymentGroupEvent, DeploymentGroupCreated>): DeploymentGroupState {
  const { error: _error, ...rest } = group;
  switch (event.type) {
    case 'DeploymentGroupRemoved':
      return { kind: 'none' };
    case 'DeploymentGroupSelectorsUpdated':
      return { ...group, selectors: event.selectors };
    case 'DeploymentGroupStopped':
      return { ...group, status: 'FAILED', error: event.error };
    case 'DeploymentGroupRolloutStarted':
      return { ...rest, status: 'ROLLING_OUT', jobId: event.jobId, rolloutId: event.rolloutId, reason: event.reason };
    case 'DeploymentGroupRolloutFinished': {
      const error = event.error === undefined ? {} : { error: event.error };
      const stable = event.stable ? { lastStableJobId: event.jobId } : {};
      return { ...rest, status: event.status, ...error, jobId: event.jobId, ...stable };
    }
  }
}

function evolve(state: DeploymentGroupState, event: DeploymentGroupEvent): DeploymentGroupState {
  if (event.type === 'DeploymentGroupCreated') {
    const defaults = event.defaults === undefined ? {} : { defaults: event.defaults };
    return { kind: 'group', name: event.name, selectors: event.selectors, ...defaults, createdAt: event.time, status: 'IDLE' };
  }
  return state.kind === 'none' ? state : evolveGroup(state, event);
}

export const deploymentGroupDecider: Decider<DeploymentGroupCommand, DeploymentGroupEvent, DeploymentGroupState> = {
  initialState: { kind: 'none' },
  decide,
  evolve,
};
