import type { ReadService } from '../read-model/read.service';
import type { DeploymentGroupRow, DeploymentGroupStatus, RolloutDetail, RolloutSummary } from '@berth/read-model';
import { formatSelector, type DeploymentGroup } from '@berth/domain';
import type { DeploymentGroupModel, DeploymentGroupStatusModel } from './models/deployment-group.model';
import type { RolloutModel } from './models/rollout.model';

const FINISHED: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'REVERTED']);

/** The batch a host of a rollout was deployed in, if any. */
export type BatchOf = (rolloutId: string, host: string) => number | undefined;

/** A group as GraphQL shows it; selectors as text (DeploymentGroupRow has them, a replayed state does not). */
export function toGroupModel(group: DeploymentGroup | DeploymentGroupRow): DeploymentGroupModel {
  const selectors = 'selectorText' in group ? [...group.selectorText] : group.selectors.map(formatSelector);
  return {
    name: group.name,
    selectors,
    ...(group.defaults === undefined ? {} : { defaults: { ...group.defaults } }),
    createdAt: group.createdAt,
    status: group.status,
    ...(group.error === undefined ? {} : { error: group.error }),
    ...(group.jobId === undefined ? {} : { jobId: group.jobId }),
    ...(group.rolloutId === undefined ? {} : { rolloutId: group.rolloutId }),
    ...(group.reason === undefined ? {} : { reason: group.reason }),
    ...(group.lastStableJobId === undefined ? {} : { lastStableJobId: group.lastStableJobId }),
  };
}

export function toGroupStatusModel(status: DeploymentGroupStatus, sequence: number): DeploymentGroupStatusModel {
  return { ...status, hosts: status.hosts.map((h) => ({ ...h })), sequence };
}

export function isRolloutFinished(status: string): boolean {
  return FINISHED.has(status);
}

/** A rollout summary, or a detail with per-host rows (their batch from the gateway's index). */
export function toRolloutModel(rollout: RolloutSummary | RolloutDetail, batchOf?: BatchOf): RolloutModel {
  const { progress } = rollout;
  const summary: RolloutModel = {
    rolloutId: rollout.rolloutId,
    group: rollout.group,
    jobId: rollout.jobId,
    targetJobId: rollout.targetJobId,
    reason: rollout.reason,
    status: rollout.status,
    finished: isRolloutFinished(rollout.status),
    paused: rollout.paused,
    promoted: rollout.promoted,
    ...(rollout.error === undefined ? {} : { error: rollout.error }),
    startedAt: rollout.startedAt,
    progress: {
      pending: progress.PENDING,
      upToDate: progress.UP_TO_DATE,
      deploying: progress.DEPLOYING,
      healthy: progress.HEALTHY,
      failed: progress.FAILED,
      skipped: progress.SKIPPED,
      total: progress.total,
      failedBeforeRevert: progress.failedBeforeRevert,
    },
  };
  if (!('hosts' in rollout)) return summary;
  return {
    ...summary,
    options: { ...rollout.options },
    limits: { ...rollout.limits },
    ...(rollout.revertTo === undefined ? {} : { revertTo: rollout.revertTo }),
    batches: rollout.batches,
    hosts: rollout.hosts.map((h) => {
      const batch = batchOf?.(rollout.rolloutId, h.host);
      return {
        host: h.host,
        state: h.step,
        ...(batch === undefined ? {} : { batch }),
        canary: h.canary,
        up: h.up,
        targetRunning: h.targetRunning,
        imagePulled: h.imagePulled,
        ...(h.imageError === undefined ? {} : { imageError: h.imageError }),
        ...(h.failure === undefined ? {} : { failure: { reason: h.failure.reason, message: h.failure.message } }),
        ...(h.failureBeforeRevert === undefined ? {} : { failureBeforeRevert: { reason: h.failureBeforeRevert.reason, message: h.failureBeforeRevert.message } }),
        ...(h.deployRequestedAt === undefined ? {} : { deployRequestedAt: h.deployRequestedAt }),
        ...(h.runningSince === undefined ? {} : { runningSince: h.runningSince }),
        ...(h.interimJobId === undefined ? {} : { interimJobId: h.interimJobId }),
      };
    }),
  };
}

/** A rollout with per-host rows as the gateway's read model has it now (ROLLOUT_NOT_FOUND otherwise). */
export function currentRollout(reads: ReadService, id: string): RolloutModel {
  const batches = reads.model.rolloutBatches;
  return toRolloutModel(reads.groups.rollout(id), (rolloutId, host) => batches.batchOf(rolloutId, host));
}
