import { randomUUID } from 'node:crypto';
import {
  DomainError,
  ErrorCode,
  deploymentGroupDecider,
  groupMatches,
  resolveRolloutOptions,
  rolloutDecider,
  type DeploymentGroup,
  type RolloutReason,
  type UpdateStrategy,
} from '@berth/domain';
import { Aggregate, type BerthView } from '@berth/read-model';
import type { CommandExecutor, Origin } from './command-executor';

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
 * their deployments), start the rollout aggregate (a new uuid), then record
 * it on the group, then stop the rollout it supersedes. Everything that can
 * be refused (group, job, options) is checked before the first append, so a
 * refused request writes nothing. The rollout manager carries out the
 * actions its events ask for.
 */
export async function startGroupRollout(executor: CommandExecutor, view: BerthView, request: StartGroupRolloutRequest, origin: Origin): Promise<StartedRollout> {
  const group = existingGroup(view, request.group);
  const job = view.job(request.jobId);
  if (job === undefined) throw new DomainError(ErrorCode.JOB_NOT_FOUND, `Job not found: ${request.jobId}`, { jobId: request.jobId });
  const layers = { request: request.options, job: job.rolloutOptions, group: group.defaults };
  resolveRolloutOptions(layers);
  const rolloutId = randomUUID();
  const hosts = view
    .hosts()
    .filter((host) => groupMatches(group, host.labels))
    .map((host) => view.hostObservation(host.host));
  const reason = request.reason ?? 'MANUAL';
  await executor.execute(
    Aggregate.ROLLOUT,
    rolloutId,
    rolloutDecider,
    (_, time) => ({
      type: 'StartRollout' as const,
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
    }),
    origin,
  );
  const { events, sequence } = await executor.execute(
    Aggregate.DEPLOYMENT_GROUP,
    group.name,
    deploymentGroupDecider,
    (_, time) => ({ type: 'StartGroupRollout' as const, name: group.name, rolloutId, jobId: job.id, reason, time }),
    origin,
  );
  const started = events.find((event) => event.type === 'DeploymentGroupRolloutStarted');
  if (started?.type === 'DeploymentGroupRolloutStarted' && started.supersedes !== undefined) {
    await stopRollout(executor, started.supersedes, `Superseded by rollout ${rolloutId}`, origin);
  }
  return { rolloutId, group: group.name, jobId: job.id, status: view.rollout(rolloutId)?.status ?? 'UNKNOWN', sequence };
}

/** Stops a rollout where it stands (no revert); a finished or unknown one is left alone. */
export async function stopRollout(executor: CommandExecutor, rolloutId: string, error: string, origin: Origin): Promise<void> {
  try {
    await executor.execute(Aggregate.ROLLOUT, rolloutId, rolloutDecider, (_, time) => ({ type: 'StopRollout' as const, rolloutId, error, time }), origin);
  } catch (err) {
    if (!(err instanceof DomainError && err.code === ErrorCode.ROLLOUT_NOT_FOUND)) throw err;
  }
}
