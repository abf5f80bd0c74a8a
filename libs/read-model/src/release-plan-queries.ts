import { DomainError, ErrorCode, groupMatches, naturalSort, planDeployQueue, type CurrentHost, type PlanService, type ReleasePlan, type Rollout } from '@berth/domain';
import { BerthView, type BerthProjection } from './berth-projection';
import { splitJobId } from './berth-queries';

export interface PlanServiceRow {
  readonly service: string;
  readonly jobId: string;
  readonly group: string;
  readonly quorum?: number;
  readonly maxUnavailable?: number | string;
  readonly dependsOn: readonly string[];
  readonly status: PlanService['status'];
  readonly releaseId?: string;
  readonly releaseStatus?: string;
  readonly error?: string;
}

/** The blog's /dc/current: per service, its group's hosts, online or not, and the version of the service each runs. */
export interface CurrentView {
  readonly service: string;
  readonly hosts: readonly CurrentHost[];
}

/** A plan service's /dc/current: its group's hosts in natural order, online or not, and the job of the service each is to run (goal START). */
export function serviceCurrent(view: BerthView, s: Pick<PlanService, 'service' | 'group'>): CurrentView {
  const group = view.group(s.group);
  const hosts = group === undefined ? [] : view.hosts().filter((host) => groupMatches(group, host.labels));
  const byName = new Map(hosts.map((host) => [host.host, host]));
  return {
    service: s.service,
    hosts: naturalSort(byName.keys()).map((name) => {
      const running = view.jobsOnHost(name).find((job) => splitJobId(job.jobId).name === s.service && job.goal === 'START');
      return { host: name, online: byName.get(name)?.status === 'UP', ...(running === undefined ? {} : { version: running.jobId }) };
    }),
  };
}

/** The rollout of a plan service's release (its one group step), once started. */
export function planServiceRollout(view: BerthView, s: Pick<PlanService, 'releaseId'>): Rollout | undefined {
  const release = s.releaseId === undefined ? undefined : view.release(s.releaseId);
  const rolloutId = release === undefined ? undefined : Object.values(release.steps).find((step) => step.kind === 'group')?.rolloutId;
  return rolloutId === undefined ? undefined : view.rollout(rolloutId);
}

/** The blog's /dc/staging: per service, the hosts that have the new version's image staged. */
export interface StagingView {
  readonly service: string;
  readonly jobId: string;
  readonly hosts: readonly string[];
}

export interface ReleasePlanDetail {
  readonly planId: string;
  readonly status: ReleasePlan['status'];
  readonly error?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly levels: readonly (readonly string[])[];
  readonly services: readonly PlanServiceRow[];
  readonly current: readonly CurrentView[];
  readonly staging: readonly StagingView[];
  /** The blog's /dc/deploy: services waiting, in dependency order. */
  readonly deployQueue: readonly string[];
}

/** Release plans with the three views of the datacentre blog, from one projection. */
export class ReleasePlanQueries {
  private readonly view: BerthView;

  constructor(projection: BerthProjection) {
    this.view = new BerthView(projection);
  }

  plan(id: string): ReleasePlanDetail {
    const plan = this.view.releasePlan(id);
    if (plan === undefined) throw new DomainError(ErrorCode.RELEASE_PLAN_NOT_FOUND, `Release plan not found: ${id}`, { planId: id });
    return this.detail(plan);
  }

  /** Newest first. */
  plans(): ReleasePlanDetail[] {
    return this.view
      .releasePlans()
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((plan) => this.detail(plan));
  }

  private detail(plan: ReleasePlan): ReleasePlanDetail {
    const ordered = plan.levels.flat().flatMap((name) => (plan.services[name] === undefined ? [] : [plan.services[name]]));
    return {
      planId: plan.planId,
      status: plan.status,
      ...(plan.error === undefined ? {} : { error: plan.error }),
      createdAt: plan.createdAt,
      updatedAt: plan.updatedAt,
      levels: plan.levels,
      services: ordered.map((s) => this.serviceRow(s)),
      current: ordered.map((s) => serviceCurrent(this.view, s)),
      staging: ordered.map((s) => this.staging(s)),
      deployQueue: planDeployQueue(plan),
    };
  }

  private serviceRow(s: PlanService): PlanServiceRow {
    const release = s.releaseId === undefined ? undefined : this.view.release(s.releaseId);
    return { ...s, ...(release === undefined ? {} : { releaseStatus: release.status }) };
  }

  private staging(s: PlanService): StagingView {
    const rollout = planServiceRollout(this.view, s);
    const staged = rollout === undefined ? [] : Object.values(rollout.hosts).filter((row) => row.imagePulled).map((row) => row.host);
    return { service: s.service, jobId: s.jobId, hosts: naturalSort(staged) };
  }
}
