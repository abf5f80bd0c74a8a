import type { RolloutEvent, RolloutHost } from './rollout-events';
import { prestageHosts, rolloutHostRows, unavailableCount } from './rollout-planner';
import { isRolloutFinished, rolloutHost, type Rollout, type RolloutState } from './rollout-state';

/**
 * What the process manager must do for a rollout: commands to the deployment
 * aggregate (Deploy / Undeploy with the group's name and the job's token: new or old)
 * and PrepareImage requests to agents. Each is idempotent on the receiving
 * side (JOB_ALREADY_DEPLOYED and "not deployed" count as done), so re-issuing
 * `pendingActions` after a restart never deploys a host twice.
 */
export type RolloutAction =
  | { readonly type: 'PrepareImage'; readonly rolloutId: string; readonly host: string; readonly jobId: string }
  | {
      readonly type: 'DeployJob' | 'UndeployJob';
      readonly rolloutId: string;
      readonly host: string;
      readonly jobId: string;
      readonly deploymentGroupName: string;
      readonly token: string;
    };

/** The new job's token for the job the rollout was started for; the old jobs' token for every other (also while reverting). */
export function tokenFor(rollout: Rollout, jobId: string): string {
  return jobId === rollout.jobId ? rollout.options.token : (rollout.options.oldJobToken ?? rollout.options.token);
}

function jobAction(rollout: Rollout, type: 'DeployJob' | 'UndeployJob', host: string, jobId: string): RolloutAction {
  return { type, rolloutId: rollout.rolloutId, host, jobId, deploymentGroupName: rollout.group, token: tokenFor(rollout, jobId) };
}

/**
 * Helios's order: without overlap, undeploy the old jobs then deploy the new
 * one; with overlap, deploy first and undeploy once healthy (see
 * cleanupActions). A migrated copy of the target itself is always undeployed
 * first: a job cannot be deployed twice on one host.
 */
export function deployActions(rollout: Rollout, row: RolloutHost): RolloutAction[] {
  if (!row.up) return [];
  const target = rollout.targetJobId;
  const first = rollout.options.overlap ? row.presentOldJobIds.filter((id) => id === target) : row.presentOldJobIds;
  const undeploys = first.map((id) => jobAction(rollout, 'UndeployJob', row.host, id));
  return row.targetPresent ? undeploys : [...undeploys, jobAction(rollout, 'DeployJob', row.host, target)];
}

/**
 * A host that came back, until its turn: onto its interim version at once
 * (ReturnedHostsStarted). The target goes as in its turn; another version
 * replaces the host's other old jobs and stays until the turn replaces it.
 */
export function interimActions(rollout: Rollout, row: RolloutHost): RolloutAction[] {
  const interim = row.interimJobId;
  if (interim === undefined || row.step !== 'PENDING' || !row.up) return [];
  if (interim === rollout.targetJobId) return deployActions(rollout, row);
  const undeploys = row.presentOldJobIds.filter((id) => id !== interim).map((id) => jobAction(rollout, 'UndeployJob', row.host, id));
  return row.presentOldJobIds.includes(interim) ? undeploys : [...undeploys, jobAction(rollout, 'DeployJob', row.host, interim)];
}

/**
 * The interim switches that may run now. A host that serves costs one unit
 * of maxUnavailable, as in a batch (none when overlap deploys the target
 * first), so a switch out of turn never takes more hosts down than the
 * rollout may: it waits for room, and its turn may come first. A host that
 * does not serve anyway switches at once.
 */
function interimWork(rollout: Rollout, rows: readonly RolloutHost[]): RolloutAction[] {
  const max = rollout.limits.maxUnavailable;
  let budget = max === null ? Infinity : max - unavailableCount(rollout);
  const work: RolloutAction[] = [];
  for (const row of rows) {
    const actions = interimActions(rollout, row);
    if (actions.length === 0) continue;
    const overlapping = rollout.options.overlap && row.interimJobId === rollout.targetJobId;
    const cost = row.available && !overlapping ? 1 : 0;
    if (cost > budget) continue;
    budget -= cost;
    work.push(...actions);
  }
  return work;
}

/** Old jobs left on a healthy host (overlap). Blue/green: canaries keep the old job until promotion. */
export function cleanupActions(rollout: Rollout, row: RolloutHost): RolloutAction[] {
  if (row.step !== 'HEALTHY' || !row.up) return [];
  if (rollout.options.overlap && row.canary && !rollout.promoted) return [];
  return row.presentOldJobIds.map((id) => jobAction(rollout, 'UndeployJob', row.host, id));
}

function prepareActions(rollout: Rollout, rows: readonly RolloutHost[]): RolloutAction[] {
  return rows.filter((row) => !row.imagePulled && row.up).map((row) => ({ type: 'PrepareImage', rolloutId: rollout.rolloutId, host: row.host, jobId: rollout.targetJobId }));
}

function rowsNamed(rollout: Rollout, names: readonly string[]): RolloutHost[] {
  return names.flatMap((name) => {
    const row = rolloutHost(rollout, name);
    return row === undefined ? [] : [row];
  });
}

/** Work an event asks for, given the state right after it: what the process manager does live. */
export function actionsOf(event: RolloutEvent, after: RolloutState): RolloutAction[] {
  if (after.kind === 'none') return [];
  switch (event.type) {
    case 'PrestageStarted':
      return prepareActions(after, rowsNamed(after, event.hosts));
    case 'BatchStarted':
      return rowsNamed(after, event.hosts).flatMap((row) => deployActions(after, row));
    case 'HostsHealthy':
      return rowsNamed(after, event.hosts).flatMap((row) => cleanupActions(after, row));
    case 'ReturnedHostsStarted':
      return interimWork(after, rowsNamed(after, event.hosts.map((started) => started.host)));
    case 'RolloutPromoted':
      return rolloutHostRows(after).filter((row) => row.canary).flatMap((row) => cleanupActions(after, row));
    default:
      return [];
  }
}

/**
 * Everything still to do according to the state alone: what a restarted
 * scheduler re-issues. A failed or stopped rollout asks for no more deploys
 * (Helios leaves containers as they are) but still cleans up old jobs on
 * hosts that are healthy on the new one.
 */
export function pendingActions(state: RolloutState): RolloutAction[] {
  if (state.kind === 'none') return [];
  const active = !isRolloutFinished(state);
  const prepares = state.status === 'PRESTAGING' ? prepareActions(state, prestageHosts(state)) : [];
  const work: RolloutAction[] = [...prepares];
  const interim: RolloutHost[] = [];
  // a plain loop: this runs after every change, over every host of the rollout
  for (const row of rolloutHostRows(state)) {
    if (active && row.step === 'DEPLOYING') work.push(...deployActions(state, row));
    if (active && row.interimJobId !== undefined) interim.push(row);
    if (row.step === 'HEALTHY') work.push(...cleanupActions(state, row));
  }
  return interim.length === 0 ? work : [...work, ...interimWork(state, interim)];
}
