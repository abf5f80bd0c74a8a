import {
  DomainError,
  ErrorCode,
  IN_FLIGHT_RELEASE_STATUSES,
  badGroupsOf,
  groupMatches,
  releaseSteps,
  stepTimeout,
  type Pipeline,
  type PipelineClusterFacts,
  type Release,
  type ReleaseStatus,
  type ReleaseStepStatus,
  type RollbackGroup,
} from '@berth/domain';
import { BerthView, type BerthProjection } from './berth-projection';
import { splitJobId } from './berth-queries';

export interface PipelineRow {
  readonly service: string;
  readonly pipeline: Pipeline;
  readonly source?: string;
  readonly revision: number;
  readonly updatedAt: string;
}

export interface ReleaseStepRow {
  readonly key: string;
  readonly kind: 'group' | 'gate';
  readonly name: string;
  readonly stage: number;
  readonly status: ReleaseStepStatus;
  readonly rolloutId?: string;
  readonly startedAt?: string;
  /** Seconds the step may take, when bounded. */
  readonly timeout?: number;
  readonly error?: string;
  readonly ignored?: boolean;
  readonly message?: string;
  readonly triggerNextStepManually: boolean;
}

export interface ReleaseDetail {
  readonly releaseId: string;
  readonly service: string;
  readonly jobId: string;
  readonly group?: string;
  readonly status: ReleaseStatus;
  readonly stage: number;
  readonly stages: number;
  readonly awaitingTrigger: boolean;
  readonly autoRollback: boolean;
  /** Started through a freeze: `<freeze>: <reason>`. */
  readonly freezeOverride?: string;
  readonly steps: ReleaseStepRow[];
  readonly rollback: RollbackGroup[];
  readonly rollbackReason?: string;
  readonly badGroups: readonly string[];
  readonly error?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deployedAt?: string;
  readonly certifyAt?: string;
  readonly abandonAt?: string;
}

export function releaseDetail(release: Release): ReleaseDetail {
  const steps = releaseSteps(release).map((step): ReleaseStepRow => {
    const timeout = stepTimeout(release, step);
    return {
      key: step.key,
      kind: step.kind,
      name: step.name,
      stage: step.stage,
      status: step.status,
      ...(step.rolloutId === undefined ? {} : { rolloutId: step.rolloutId }),
      ...(step.startedAt === undefined ? {} : { startedAt: step.startedAt }),
      ...(timeout === undefined ? {} : { timeout }),
      ...(step.error === undefined ? {} : { error: step.error, ignored: step.ignored === true }),
      ...(step.message === undefined ? {} : { message: step.message }),
      triggerNextStepManually: release.stages[step.stage]?.triggerNextStepManually === true && step.stage < release.stages.length - 1,
    };
  });
  const optional = <K extends keyof Release>(key: K) => (release[key] === undefined ? {} : { [key]: release[key] });
  return {
    releaseId: release.releaseId,
    service: release.service,
    jobId: release.jobId,
    ...optional('group'),
    status: release.status,
    stage: release.stage,
    stages: release.stages.length,
    awaitingTrigger: release.awaitingTrigger,
    autoRollback: release.options.autoRollback,
    ...(release.options.freezeOverride === undefined ? {} : { freezeOverride: release.options.freezeOverride }),
    steps,
    rollback: Object.values(release.rollback),
    ...optional('rollbackReason'),
    badGroups: release.badGroups,
    ...optional('error'),
    createdAt: release.createdAt,
    updatedAt: release.updatedAt,
    ...optional('deployedAt'),
    ...optional('certifyAt'),
    ...optional('abandonAt'),
  } as ReleaseDetail;
}

/** Pipeline and release questions of the scheduler's queries and the gateway's API. */
export class ReleaseQueries {
  private readonly view: BerthView;

  constructor(projection: BerthProjection) {
    this.view = new BerthView(projection);
  }

  pipeline(service: string): PipelineRow {
    const found = this.view.pipeline(service);
    if (found === undefined) throw new DomainError(ErrorCode.PIPELINE_NOT_FOUND, `No pipeline for service ${service}`, { service });
    const { pipeline, revision, updatedAt } = found;
    return { service, pipeline, ...(found.source === undefined ? {} : { source: found.source }), revision, updatedAt };
  }

  pipelines(): PipelineRow[] {
    return this.view
      .pipelines()
      .sort((a, b) => a.service.localeCompare(b.service))
      .map((p) => this.pipeline(p.service));
  }

  release(id: string): ReleaseDetail {
    const release = this.view.release(id);
    if (release === undefined) throw new DomainError(ErrorCode.RELEASE_NOT_FOUND, `Release not found: ${id}`, { releaseId: id });
    return releaseDetail(release);
  }

  /** Newest first. */
  releases(filter: { service?: string; status?: ReleaseStatus } = {}): ReleaseDetail[] {
    return this.view
      .releases()
      .filter((r) => (filter.service === undefined || r.service === filter.service) && (filter.status === undefined || r.status === filter.status))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.releaseId.localeCompare(a.releaseId))
      .map(releaseDetail);
  }

  /** The service's release that is deploying, deployed or rolling back, if any. */
  inFlight(service: string): Release | undefined {
    return this.view.releases().find((r) => r.service === service && IN_FLIGHT_RELEASE_STATUSES.includes(r.status));
  }

  badGroups(jobId: string): string[] {
    return badGroupsOf(this.view.releases(), jobId);
  }

  /** What `validate` checks a pipeline against: groups with their matching hosts, and the groups the service runs in. */
  clusterFacts(service: string): PipelineClusterFacts {
    const hosts = this.view.hosts();
    const groups = this.view.groups().map((group) => ({ name: group.name, hosts: hosts.filter((host) => groupMatches(group, host.labels)).length }));
    const serviceGroups = this.view.allDeployments().flatMap(([, state]) =>
      Object.values(state.deployments).flatMap((d) => (splitJobId(d.jobId).name === service && d.deploymentGroupName !== undefined ? [d.deploymentGroupName] : [])),
    );
    return { groups, serviceGroups };
  }
}
