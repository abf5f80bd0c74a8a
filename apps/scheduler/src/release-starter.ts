import { randomUUID } from 'node:crypto';
import { DomainError, ErrorCode, activeFreeze, pipelineGroups, releaseDecider, resolveJob, type UpdateStrategy } from '@berth/domain';
import { Aggregate, ReleaseQueries, splitJobId, type BerthView } from '@berth/read-model';
import type { CommandExecutor, Origin } from './command-executor';

export interface MarkForDeployment {
  readonly service: string;
  /** a job reference of the service */
  readonly job: string;
  readonly group?: string;
  readonly autoRollback?: boolean;
  readonly timeout?: number;
  readonly autoCertifyDelay?: number;
  readonly autoAbandonDelay?: number;
  readonly force?: boolean;
  readonly rolloutOptions?: UpdateStrategy;
  /** Start even inside a freeze, for this reason. */
  readonly overrideFreeze?: string;
}

/** A job of the service: `2` (a version), `svc:2`, a full id or a prefix, resolved among the service's jobs only. */
export function resolveServiceJob(view: BerthView, service: string, reference: string): string {
  const ids = [...view.jobs().keys()].filter((id) => splitJobId(id).name === service);
  return resolveJob(reference.includes(':') ? reference : `${service}:${reference}`, ids);
}

/**
 * mark-for-deployment: resolves the job among the service's own, refuses a
 * second release in flight, and starts a release of the service's pipeline
 * (or of one group) with each group's current stable job as the rollback
 * target and the groups this job was rolled back from as bad. The release
 * manager then drives it.
 */
export async function markForDeployment(executor: CommandExecutor, view: BerthView, request: MarkForDeployment, origin: Origin): Promise<string> {
  const queries = new ReleaseQueries(view.projection);
  const jobId = resolveServiceJob(view, request.service, request.job);
  const pipeline = view.pipeline(request.service)?.pipeline;
  if (pipeline === undefined && request.group === undefined) {
    throw new DomainError(ErrorCode.PIPELINE_NOT_FOUND, `No pipeline for service ${request.service}: set one (pipeline set) or name a --group`, { service: request.service });
  }
  // checked on every attempt; the append's guard (no other release of the service started since) makes it hold against a racing start
  const refuseInFlight = () => {
    const inFlight = queries.inFlight(request.service);
    if (inFlight !== undefined) {
      throw new DomainError(ErrorCode.RELEASE_IN_PROGRESS, `Release ${inFlight.releaseId} of ${request.service} is ${inFlight.status}: complete, abandon or roll it back first`, {
        releaseId: inFlight.releaseId,
        status: inFlight.status,
      });
    }
  };
  refuseInFlight();
  const previousJobs: Record<string, string> = {};
  for (const group of view.groups()) {
    const current = group.lastStableJobId ?? group.jobId;
    if (current !== undefined) previousJobs[group.name] = current;
  }
  const groups = request.group === undefined ? (pipeline === undefined ? [] : pipelineGroups(pipeline)) : [request.group];
  const frozen = activeFreeze(view.freezes(), { service: request.service, groups }, executor.now());
  const releaseId = randomUUID();
  await executor.execute(
    Aggregate.RELEASE,
    releaseId,
    releaseDecider,
    (_, time) => {
      refuseInFlight();
      return {
        type: 'StartRelease' as const,
        releaseId,
        service: request.service,
        jobId,
        ...(pipeline === undefined ? {} : { pipeline }),
        ...(request.group === undefined ? {} : { group: request.group }),
        ...(request.autoRollback === undefined ? {} : { autoRollback: request.autoRollback }),
        ...(request.timeout === undefined ? {} : { timeout: request.timeout }),
        ...(request.autoCertifyDelay === undefined ? {} : { autoCertifyDelay: request.autoCertifyDelay }),
        ...(request.autoAbandonDelay === undefined ? {} : { autoAbandonDelay: request.autoAbandonDelay }),
        ...(request.force === undefined ? {} : { force: request.force }),
        ...(request.rolloutOptions === undefined ? {} : { rolloutOptions: request.rolloutOptions }),
        ...(frozen === undefined ? {} : { frozen }),
        ...(request.overrideFreeze === undefined ? {} : { freezeOverride: request.overrideFreeze }),
        previousJobs,
        badGroups: queries.badGroups(jobId),
        time,
      };
    },
    origin,
  );
  return releaseId;
}
