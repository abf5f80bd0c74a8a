import {
  DomainError,
  ErrorCode,
  hostsAwaitingVersion,
  pendingPlanServices,
  releasePlanDecider,
  rolloutDecider,
  type PlanService,
  type ReleasePlan,
  type ReleasePlanCommand,
  type UpdateStrategy,
} from '@berth/domain';
import { Aggregate, planServiceRollout, serviceCurrent, type BerthView } from '@berth/read-model';
import type { Logger } from '@berth/service';
import { SCHEDULER_ACTOR, type CommandExecutor, type Origin } from './command-executor';
import { markForDeployment } from './release-starter';

/** Release statuses after which a plan's service is over. */
const RELEASE_OVER = new Set(['complete', 'failed', 'abandoned', 'rolled_back']);

/**
 * Drives one multi-service release plan, level-triggered from the
 * projection (the release manager calls it in its passes): tells the plan
 * how its services' releases ended, and starts every service whose
 * dependencies are complete as a one-group release whose rollout prestages
 * the image and switches only once `quorum` hosts have it, with the
 * service's maxUnavailable. A release a dead leader started for the service
 * but did not record is adopted. Hosts that come back while a service's
 * rollout runs are started on the service's most popular version in
 * "current" (the rollout decides, StartReturnedHosts) until their turn.
 */
export class ReleasePlanDriver {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly view: BerthView,
    private readonly logger: Logger,
  ) {}

  /** Returns the ends of the freezes that held a service back (the caller wakes up then). */
  async drive(planId: string): Promise<number[]> {
    await this.observe(planId);
    const plan = this.view.releasePlan(planId);
    if (plan === undefined) return [];
    for (const service of Object.values(plan.services)) if (service.status === 'RUNNING') await this.startReturnedHosts(planId, service);
    const held: number[] = [];
    for (const service of pendingPlanServices(plan)) {
      const until = await this.startService(plan, service);
      if (until !== undefined) held.push(until);
    }
    return held;
  }

  private origin(planId: string): Origin {
    return { actor: SCHEDULER_ACTOR, correlationId: `release-plan:${planId}` };
  }

  private async send(planId: string, command: (time: string) => ReleasePlanCommand): Promise<void> {
    await this.executor.execute(Aggregate.RELEASE_PLAN, planId, releasePlanDecider, (_, time) => command(time), this.origin(planId));
  }

  private async observe(planId: string): Promise<void> {
    const plan = this.view.releasePlan(planId);
    if (plan === undefined) return;
    const releases = Object.values(plan.services).flatMap((s) => {
      const release = s.status === 'RUNNING' && s.releaseId !== undefined ? this.view.release(s.releaseId) : undefined;
      if (release === undefined || !RELEASE_OVER.has(release.status)) return [];
      return [{ releaseId: release.releaseId, status: release.status, ...(release.error === undefined ? {} : { error: release.error }) }];
    });
    if (releases.length > 0) await this.send(planId, (time) => ({ type: 'ObservePlanReleases', planId, releases, time }));
  }

  private async startReturnedHosts(planId: string, s: PlanService): Promise<void> {
    const rollout = planServiceRollout(this.view, s);
    if (rollout === undefined || hostsAwaitingVersion(rollout).length === 0) return;
    const { rolloutId } = rollout;
    const current = serviceCurrent(this.view, s).hosts;
    const { events } = await this.executor.execute(Aggregate.ROLLOUT, rolloutId, rolloutDecider, (_, time) => ({ type: 'StartReturnedHosts' as const, rolloutId, current, time }), this.origin(planId));
    for (const event of events) if (event.type === 'ReturnedHostsStarted') this.logger.info({ planId, service: s.service, rolloutId, hosts: event.hosts }, 'hosts back during the rollout: started on the most popular version');
  }

  /** Starts the service's release; a freeze holds it back (the end of the freeze is returned), other refusals fail it. */
  private async startService(plan: ReleasePlan, s: PlanService): Promise<number | undefined> {
    const { planId } = plan;
    let releaseId = this.adoptable(plan, s);
    if (releaseId === undefined) {
      const rolloutOptions: UpdateStrategy = {
        prestage: true,
        ...(s.quorum === undefined ? {} : { prestageQuorum: s.quorum }),
        ...(s.maxUnavailable === undefined ? {} : { maxUnavailable: s.maxUnavailable }),
      };
      try {
        releaseId = await markForDeployment(this.executor, this.view, { service: s.service, job: s.jobId, group: s.group, autoCertifyDelay: 0, rolloutOptions }, this.origin(planId));
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        if (err.code === ErrorCode.DEPLOY_FROZEN) return Date.parse(String(err.details['until']));
        this.logger.warn({ err, planId, service: s.service }, 'release plan service refused');
        const error = `${err.code}: ${err.message}`;
        await this.send(planId, (time) => ({ type: 'ReportPlanServiceError', planId, service: s.service, error, time }));
        return undefined;
      }
    }
    const id = releaseId;
    this.logger.info({ planId, service: s.service, releaseId: id }, 'release plan service started');
    await this.send(planId, (time) => ({ type: 'RecordPlanRelease', planId, service: s.service, releaseId: id, time }));
    return undefined;
  }

  private adoptable(plan: ReleasePlan, s: PlanService): string | undefined {
    return this.view.releases().find((r) => r.service === s.service && r.jobId === s.jobId && r.group === s.group && r.createdAt >= plan.createdAt)?.releaseId;
  }
}
