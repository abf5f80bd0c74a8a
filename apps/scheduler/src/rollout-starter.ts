import { randomUUID } from 'node:crypto';
import {
  DomainError,
  ErrorCode,
  deploymentGroupDecider,
  groupMatches,
  resolveRolloutOptions,
  rolloutDecider,
  type DeploymentGroup,
  type RolloutEvent,
  type RolloutReason,
  type RolloutState,
  type UpdateStrategy,
} from '@berth/domain';
import { Aggregate, type BerthView } from '@berth/read-model';
import type { CommandExecutor, Decision, DecisionContext, Origin } from './command-executor';

export interface StartGroupRolloutRequest {
  readonly group: string;
  readonly jobId: string;
  readonly options?: UpdateStrategy;
  readonly reason?: RolloutReason;
}

export interface StartedRollout {
  readonly rolloutId: string;
  readonly group: string;
  readonly jobId: string;
  readonly status: string;
  readonly sequence: number;
}

function existingGroup(view: BerthView, name: string): DeploymentGroup {
  const group = view.group(name);
  if (group === undefined) throw new DomainError(ErrorCode.DEPLOYMENT_GROUP_NOT_FOUND, `Deployment group not found: ${name}`, { name });
  return group;
}

/**
 * A rolling update: snapshot the group's matching hosts (UP or DOWN, with
 * their deployments), start the rollout aggregate (a new uuid), record it on
 * the group and stop the rollout it supersedes — all in ONE atomic append
 * with the group's expected version, so a refused or conflicting request
 * (another rolling update, the group's removal) writes nothing. The rollout
 * manager carries out the actions its events ask for.
 */
export async function startGroupRollout(executor: CommandExecutor, view: BerthView, request: StartGroupRolloutRequest, origin: Origin): Promise<StartedRollout> {
  const rolloutId = randomUUID();
  let decided: { group: string; jobId: string } = { group: request.group, jobId: request.jobId };
  const { sequence } = await executor.executeAtomic(async (context) => {
    const { group, jobId, decisions } = await decideRolloutStart(view, request, rolloutId, context);
    decided = { group, jobId };
    return decisions;
  }, origin);
  return { rolloutId, ...decided, status: view.rollout(rolloutId)?.status ?? 'UNKNOWN', sequence };
}

/** The rollout's start, the group's record of it and the stop of the rollout it supersedes, decided on the current views. */
async function decideRolloutStart(
  view: BerthView,
  request: StartGroupRolloutRequest,
  rolloutId: string,
  { time, load }: DecisionContext,
): Promise<{ group: string; jobId: string; decisions: Decision[] }> {
  const group = existingGroup(view, request.group);
  const job = view.job(request.jobId);
  if (job === undefined) throw new DomainError(ErrorCode.JOB_NOT_FOUND, `Job not found: ${request.jobId}`, { jobId: request.jobId });
  const reason = request.reason ?? 'MANUAL';
  const layers = { request: request.options, job: job.rolloutOptions, group: group.defaults };
  resolveRolloutOptions(layers);
  const hosts = view
    .hosts()
    .filter((host) => groupMatches(group, host.labels))
    .map((host) => view.hostObservation(host.host));
  const rollout = await load(Aggregate.ROLLOUT, rolloutId, rolloutDecider);
  const rolloutEvents = rolloutDecider.decide(
    {
      type: 'StartRollout',
      rolloutId,
      group: group.name,
      jobId: job.id,
      reason,
      hosts,
      ...(layers.request === undefined ? {} : { options: layers.request }),
      ...(layers.job === undefined ? {} : { jobOptions: layers.job }),
      ...(layers.group === undefined ? {} : { groupDefaults: layers.group }),
      ...(group.lastStableJobId === undefined ? {} : { revertTo: group.lastStableJobId }),
      time,
    },
    rollout.state,
  );
  const groupView = await load(Aggregate.DEPLOYMENT_GROUP, group.name, deploymentGroupDecider);
  const groupEvents = deploymentGroupDecider.decide({ type: 'StartGroupRollout', name: group.name, rolloutId, jobId: job.id, reason, time }, groupView.state);
  const decisions: Decision[] = [
    { aggregate: Aggregate.ROLLOUT, aggregateId: rolloutId, expectedVersion: rollout.version, events: rolloutEvents },
    { aggregate: Aggregate.DEPLOYMENT_GROUP, aggregateId: group.name, expectedVersion: groupView.version, events: groupEvents },
  ];
  const started = groupEvents.find((event) => event.type === 'DeploymentGroupRolloutStarted');
  if (started?.type === 'DeploymentGroupRolloutStarted' && started.supersedes !== undefined) {
    const superseded = await load(Aggregate.ROLLOUT, started.supersedes, rolloutDecider);
    const stop = stopEvents(superseded.state, started.supersedes, `Superseded by rollout ${rolloutId}`, time);
    decisions.push({ aggregate: Aggregate.ROLLOUT, aggregateId: started.supersedes, expectedVersion: superseded.version, events: stop });
  }
  return { group: group.name, jobId: job.id, decisions };
}

/** The events that stop a rollout where it stands (none for a finished or unknown one). */
export function stopEvents(state: RolloutState, rolloutId: string, error: string, time: string): readonly RolloutEvent[] {
  try {
    return rolloutDecider.decide({ type: 'StopRollout', rolloutId, error, time }, state);
  } catch (err) {
    if (err instanceof DomainError && err.code === ErrorCode.ROLLOUT_NOT_FOUND) return [];
    throw err;
  }
}

/** Stops a rollout where it stands (no revert); a finished or unknown one is left alone. */
export async function stopRollout(executor: CommandExecutor, rolloutId: string, error: string, origin: Origin): Promise<void> {
  try {
    await executor.execute(Aggregate.ROLLOUT, rolloutId, rolloutDecider, (_, time) => ({ type: 'StopRollout' as const, rolloutId, error, time }), origin);
  } catch (err) {
    if (!(err instanceof DomainError && err.code === ErrorCode.ROLLOUT_NOT_FOUND)) throw err;
  }
}
