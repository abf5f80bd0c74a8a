import { DomainError, activeFreeze, awaitedRollouts, isReleaseActive, isRolloutFinished, nextReleaseDeadline, pendingReleaseActions, releaseDecider, type Release, type ReleaseAction, type ReleaseCommand } from '@berth/domain';
import type { StoredEvent } from '@berth/contracts';
import { Aggregate, type BerthView } from '@berth/read-model';
import type { Logger } from '@berth/service';
import { SCHEDULER_ACTOR, type CommandExecutor, type Origin } from './command-executor';
import { ReleasePlanDriver } from './release-plan-driver';
import { startGroupRollout } from './rollout-starter';
import { SerialPassLoop } from './serial-pass-loop';

export interface ReleaseManagerOptions {
  /** Changes seen within this window are handled in one pass. */
  readonly coalesceMs?: number;
  readonly now?: () => number;
}

/** Aggregates whose events may give a release or a release plan something to do. */
const WATCHED: ReadonlySet<string> = new Set([Aggregate.RELEASE, Aggregate.RELEASE_PLAN, Aggregate.ROLLOUT, Aggregate.DEPLOYMENT_GROUP, Aggregate.FREEZE]);

/**
 * The leader's release process manager, level-triggered from the projection
 * like the rollout manager (so a new leader just starts one and carries on):
 * - starts the rolling updates a release asks for (`pendingReleaseActions`)
 *   with the scheduler's own rollout starter, and records them on the
 *   release; a rollout that a previous leader started but did not record is
 *   adopted instead of started twice;
 * - tells a release how its rollouts ended (ObserveReleaseRollouts);
 * - drives every running multi-service release plan (release-plan-driver.ts);
 * - arms one timer at the earliest `nextReleaseDeadline` (gate and step
 *   timeouts, auto-certify, auto-abandon: all derived from event times) and
 *   ticks every active release when it starts.
 * Passes run one after another, never concurrently.
 */
export class ReleaseManager {
  private tickEverything = true;
  private deadlines = new Map<string, number>();
  /** Ends of the freezes holding a release's next step: a pass then starts it. */
  private frozenUntil: number[] = [];
  private unlisten: (() => void) | undefined;
  private readonly loop: SerialPassLoop;
  private readonly coalesceMs: number;
  private readonly now: () => number;
  private readonly plans: ReleasePlanDriver;

  constructor(
    private readonly executor: CommandExecutor,
    private readonly view: BerthView,
    private readonly logger: Logger,
    options: ReleaseManagerOptions = {},
  ) {
    this.coalesceMs = options.coalesceMs ?? 50;
    this.now = options.now ?? Date.now;
    this.plans = new ReleasePlanDriver(executor, view, logger);
    this.loop = new SerialPassLoop({
      pass: () => this.pass(),
      onFailure: (err) => logger.warn({ err }, 'release pass failed; retrying'),
      now: this.now,
    });
  }

  private get stopped(): boolean {
    return this.loop.isStopped;
  }

  start(): void {
    this.tickEverything = true;
    this.unlisten = this.view.projection.onEvent((event) => this.onEvent(event));
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.unlisten?.();
    await this.loop.stop();
  }

  private onEvent(event: StoredEvent): void {
    if (WATCHED.has(event.aggregate)) this.loop.request(this.coalesceMs);
  }

  private async pass(): Promise<void> {
    const tickAll = this.tickEverything;
    this.tickEverything = false;
    this.frozenUntil = [];
    const now = this.now();
    for (const { releaseId } of this.view.releases().filter(isReleaseActive)) {
      if (this.stopped) return;
      if (tickAll || (this.deadlines.get(releaseId) ?? Infinity) <= now) await this.send(releaseId, (time) => ({ type: 'TickRelease', releaseId, time }));
      await this.observe(releaseId);
      await this.carryOut(releaseId);
    }
    for (const plan of this.view.releasePlans()) {
      if (this.stopped) return;
      if (plan.status === 'running') this.frozenUntil.push(...(await this.plans.drive(plan.planId)));
    }
    this.armDeadline();
  }

  private origin(releaseId: string): Origin {
    return { actor: SCHEDULER_ACTOR, correlationId: `release:${releaseId}` };
  }

  private async send(releaseId: string, command: (time: string) => ReleaseCommand): Promise<void> {
    await this.executor.execute(Aggregate.RELEASE, releaseId, releaseDecider, (_, time) => command(time), this.origin(releaseId));
  }

  /** The release's rollouts that have finished, in one ObserveReleaseRollouts. */
  private async observe(releaseId: string): Promise<void> {
    const release = this.view.release(releaseId);
    if (release === undefined) return;
    const finished = awaitedRollouts(release).flatMap((rolloutId) => {
      const rollout = this.view.rollout(rolloutId);
      if (rollout === undefined || !isRolloutFinished(rollout)) return [];
      return [{ rolloutId, status: rollout.status, ...(rollout.error === undefined ? {} : { error: rollout.error }) }];
    });
    if (finished.length > 0) await this.send(releaseId, (time) => ({ type: 'ObserveReleaseRollouts', releaseId, rollouts: finished, time }));
  }

  private async carryOut(releaseId: string): Promise<void> {
    const release = this.view.release(releaseId);
    if (release === undefined) return;
    for (const action of pendingReleaseActions(release)) {
      if (this.stopped) return;
      if (this.heldByFreeze(release, action)) continue;
      await this.run(releaseId, action);
    }
  }

  private async run(releaseId: string, action: ReleaseAction): Promise<void> {
    const release = this.view.release(releaseId);
    if (release === undefined) return;
    let rolloutId: string;
    try {
      rolloutId = this.adoptable(release, action) ?? (await startGroupRollout(this.executor, this.view, { group: action.group, jobId: action.jobId, ...(action.type === 'StartStepRollout' && action.options !== undefined ? { options: action.options } : {}) }, this.origin(releaseId)))
          .rolloutId;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      this.logger.warn({ err, releaseId, group: action.group }, 'release rollout refused');
      const error = `${err.code}: ${err.message}`;
      await this.send(releaseId, (time) =>
        action.type === 'StartStepRollout' ? { type: 'ReportStepError', releaseId, step: action.step, error, time } : { type: 'ReportRollbackError', releaseId, group: action.group, error, time },
      );
      return;
    }
    this.logger.info({ releaseId, group: action.group, jobId: action.jobId, rolloutId, action: action.type }, 'release rollout started');
    await this.send(releaseId, (time) =>
      action.type === 'StartStepRollout'
        ? { type: 'RecordStepRollout', releaseId, step: action.step, rolloutId, time }
        : { type: 'RecordRollbackRollout', releaseId, group: action.group, rolloutId, time },
    );
  }

  /**
   * A step's rollout does not start inside a freeze of the service or the
   * group (the release waits at that step boundary), unless the release was
   * started with an override; rollbacks are never held.
   */
  private heldByFreeze(release: Release, action: ReleaseAction): boolean {
    if (action.type !== 'StartStepRollout' || release.options.freezeOverride !== undefined) return false;
    const frozen = activeFreeze(this.view.freezes(), { service: release.service, groups: [action.group] }, new Date(this.now()).toISOString());
    if (frozen === undefined) return false;
    this.frozenUntil.push(Date.parse(frozen.until));
    this.logger.info({ releaseId: release.releaseId, group: action.group, freeze: frozen.freeze.name, until: frozen.until }, 'release step held by a freeze');
    return true;
  }

  /**
   * The group's current rollout, when it is this action's (same job, started
   * after the step or rollback began): a previous leader started it and
   * stopped before recording it on the release.
   */
  private adoptable(release: Release, action: ReleaseAction): string | undefined {
    const group = this.view.group(action.group);
    const rollout = group?.rolloutId === undefined ? undefined : this.view.rollout(group.rolloutId);
    if (rollout === undefined || rollout.jobId !== action.jobId) return undefined;
    const since = action.type === 'StartStepRollout' ? release.steps[action.step]?.startedAt : release.rollbackStartedAt;
    return since !== undefined && rollout.startedAt >= since ? rollout.rolloutId : undefined;
  }

  /** One timer, at the earliest deadline of any active release. */
  private armDeadline(): void {
    this.deadlines = new Map();
    for (const release of this.view.releases()) {
      const deadline = nextReleaseDeadline(release);
      if (deadline !== undefined) this.deadlines.set(release.releaseId, Date.parse(deadline));
    }
    this.loop.wakeAt([...this.deadlines.values(), ...this.frozenUntil]);
  }
}
