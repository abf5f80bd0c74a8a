import type { HostLiveness } from '../host/host.decider';
import type { JobOnHost } from '../rollout/host-observation';
import { naturalSort } from '../rollout/natural-order';
import type { RolloutEvent } from '../rollout/rollout-events';
import type { RolloutState } from '../rollout/rollout-state';
import { matchesAll, type HostLabels } from '../selector/host-selector';
import type { DeploymentGroupState, FinishGroupRollout } from './deployment-group.decider';

/** A registered host as the host projection knows it. */
export interface RegisteredHostView {
  readonly host: string;
  readonly labels: HostLabels;
  readonly status: HostLiveness;
}

export interface GroupReconciliation {
  /** Matching UP hosts without the group's job: start a rollout with reason HOSTS_CHANGED for them. */
  readonly deployTo: readonly string[];
  /** The group's deployments on hosts that stopped matching or are no longer registered. */
  readonly undeploy: readonly { readonly host: string; readonly jobId: string }[];
  readonly reason: 'HOSTS_CHANGED';
}

/** A group without selectors matches nothing (Helios's HostMatcher). */
export function groupMatches(state: DeploymentGroupState, labels: HostLabels): boolean {
  return state.kind === 'group' && state.selectors.length > 0 && matchesAll(state.selectors, labels);
}

/**
 * Automatic rollouts (Helios's hostUpdate reactor), level-triggered: compare
 * the group with the fleet and say what to change. Nothing while a rollout is
 * in flight (it brings returning hosts itself); no deploys after a failed
 * MANUAL rollout until a human acts (Helios PR #932), but hosts that left the
 * group are still cleaned up. A stopped (goal STOP) copy of the group's job
 * counts as present, so an operator's stop is not undone behind their back.
 */
export function groupReconcile(
  state: DeploymentGroupState,
  hosts: readonly RegisteredHostView[],
  deploymentsByHost: Readonly<Record<string, readonly JobOnHost[]>>,
): GroupReconciliation {
  const none: GroupReconciliation = { deployTo: [], undeploy: [], reason: 'HOSTS_CHANGED' };
  if (state.kind === 'none' || state.status === 'ROLLING_OUT') return none;
  const matching = new Map(hosts.filter((host) => groupMatches(state, host.labels)).map((host) => [host.host, host]));
  const jobsOn = (host: string): readonly JobOnHost[] =>
    Object.prototype.hasOwnProperty.call(deploymentsByHost, host) ? (deploymentsByHost[host] ?? []) : [];
  const undeploy = naturalSort(Object.keys(deploymentsByHost))
    .filter((host) => !matching.has(host))
    .flatMap((host) => jobsOn(host).filter((job) => job.deploymentGroupName === state.name).map((job) => ({ host, jobId: job.jobId })));
  const automatic = state.status !== 'FAILED' || state.reason === 'HOSTS_CHANGED';
  const jobId = state.jobId;
  if (jobId === undefined || !automatic) return { ...none, undeploy };
  const deployTo = naturalSort(matching.keys()).filter((host) => {
    const up = matching.get(host)?.status === 'UP';
    return up && !jobsOn(host).some((job) => job.jobId === jobId && job.deploymentGroupName === state.name);
  });
  return { deployTo, undeploy, reason: 'HOSTS_CHANGED' };
}

/**
 * The FinishGroupRollout a terminal rollout event calls for (undefined for
 * other events): DONE on success, FAILED otherwise; after a revert the group
 * is on the stable job again.
 */
export function groupFinishOf(event: RolloutEvent, rollout: RolloutState): Omit<FinishGroupRollout, 'type' | 'time'> | undefined {
  if (rollout.kind === 'none') return undefined;
  const base = { name: rollout.group, rolloutId: rollout.rolloutId };
  switch (event.type) {
    case 'RolloutSucceeded':
      return { ...base, status: 'DONE', jobId: rollout.jobId, stable: event.stable, ...(event.stable ? {} : { error: `Failed hosts: ${event.failedHosts.join(', ')}` }) };
    case 'RolloutFailed':
      return { ...base, status: 'FAILED', error: event.error, jobId: rollout.targetJobId };
    case 'RolloutReverted':
      return { ...base, status: 'FAILED', error: `${event.error} - reverted to ${event.toJobId}`, jobId: event.toJobId };
    default:
      return undefined;
  }
}
