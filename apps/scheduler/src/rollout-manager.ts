import {
  DomainError,
  ErrorCode,
  deploymentDecider,
  deploymentGroupDecider,
  groupFinishOf,
  groupReconcile,
  isRolloutFinished,
  nextDeadline,
  pendingActions,
  rolloutDecider,
  rolloutHost,
  rolloutHostRows,
  STOPPED_BY_USER,
  type DeploymentGroup,
  type HostObservation,
  type PortRange,
  type Rollout,
  type RolloutAction,
  type RolloutCommand,
  type RolloutEvent,
  type UpdateStrategy,
} from '@berth/domain';
import type { StoredEvent } from '@berth/contracts';
import { Aggregate, type BerthView } from '@berth/read-model';
import type { Logger } from '@berth/service';
import { SCHEDULER_ACTOR, type CommandExecutor, type Origin } from './command-executor';
import type { ImageStaging } from './image-staging';
import { RolloutActionRunner, type JobAction } from './rollout-action-runner';
import { startGroupRollout, stopRollout } from './rollout-starter';
import { SerialPassLoop } from './serial-pass-loop';

export interface RolloutManagerOptions {
  readonly defaultPortRange: PortRange;
  /** Asks hosts of prestaging rollouts for their image (ImageStaging); their answers come back as observations. */
  readonly images: ImageStaging;
  /** Changes seen within this window go to a rollout as one ObserveHosts. */
  readonly coalesceMs?: number;
  /** Level-triggered group reconcile, besides the one after host and group changes. */
  readonly reconcileIntervalMs?: number;
  readonly now?: () => number;
}

/** Deployment events that change what a rollout observes on a host. */
const OBSERVED = new Set(['JobDeployed', 'JobUndeployed', 'GoalChanged', 'TaskStatusChanged', 'HostDeploymentsCleared']);
/** Deployment events after which the group reconcile may have something to do. */
const RECONCILE_DEPLOYMENTS = new Set(['JobUndeployed', 'HostDeploymentsCleared']);
/** Hosts whose deploy/undeploy appends are in flight at once. */
const ACTIONS_IN_FLIGHT = 64;

/**
 * The leader's rollout process manager. Everything it does derives from the
 * projection, so a new leader simply starts one and carries on:
 * - observes hosts: deployment and host events become one ObserveHosts per
 *   rollout per coalescing window, with every changed host;
 * - carries out `pendingActions` of each live rollout (idempotent, see
 *   RolloutActionRunner) after every change;
 * - arms one timer at the earliest `nextDeadline` of the live rollouts and
 *   sends Tick (and Ticks every live rollout when it starts, for deadlines
 *   that passed while no leader was running);
 * - records a finished rollout on its group (FinishGroupRollout), records a
 *   rollout the group never heard of (StartGroupRollout), stops rollouts
 *   that were superseded or whose group is gone;
 * - automatic rollouts: `groupReconcile` of every group after host or group
 *   changes and periodically: new matching hosts get the group's job by a
 *   HOSTS_CHANGED rollout, hosts that stopped matching are undeployed directly.
 * All work runs in one serial loop of passes, so no two passes race.
 */
export class RolloutManager {
  private readonly runner: RolloutActionRunner;
  private readonly changedHosts = new Set<string>();
  private deadlines = new Map<string, number>();
  private tickEverything = true;
  private reconcileWanted = true;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private unlisten: (() => void) | undefined;
  private readonly loop: SerialPassLoop;
  private readonly coalesceMs: number;
  private readonly now: () => number;

  constructor(
    private readonly executor: CommandExecutor,
    private readonly view: BerthView,
    private readonly logger: Logger,
    private readonly options: RolloutManagerOptions,
  ) {
    this.runner = new RolloutActionRunner(executor, view, options.defaultPortRange);
    this.coalesceMs = options.coalesceMs ?? 100;
    this.now = options.now ?? Date.now;
    this.loop = new SerialPassLoop({ pass: () => this.passOverChanges(), onFailure: (err) => logger.warn({ err }, 'rollout pass failed; retrying'), now: this.now });
  }

  private get stopped(): boolean {
    return this.loop.isStopped;
  }

  start(): void {
    this.tickEverything = true;
    this.reconcileWanted = true;
    this.unlisten = this.view.projection.onEvent((event) => this.onEvent(event));
    this.reconcileTimer = setInterval(() => {
      this.reconcileWanted = true;
      this.loop.request(0);
    }, this.options.reconcileIntervalMs ?? 10_000);
    this.reconcileTimer.unref();
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.unlisten?.();
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    await this.loop.stop();
  }

  private onEvent(event: StoredEvent): void {
    if (event.aggregate === Aggregate.DEPLOYMENT && OBSERVED.has(event.type)) {
      this.changedHosts.add(event.aggregateId);
      if (RECONCILE_DEPLOYMENTS.has(event.type)) this.reconcileWanted = true;
    } else if (event.aggregate === Aggregate.HOST) {
      this.changedHosts.add(event.aggregateId);
      this.reconcileWanted = true;
    } else if (event.aggregate === Aggregate.DEPLOYMENT_GROUP) {
      this.reconcileWanted = true;
    } else if (event.aggregate !== Aggregate.ROLLOUT) {
      return;
    }
    this.loop.request(this.coalesceMs);
  }

  /** One pass over the hosts changed since the last; on failure they are kept for the retry. */
  private async passOverChanges(): Promise<void> {
    const hosts = [...this.changedHosts];
    this.changedHosts.clear();
    try {
      await this.pass(hosts);
    } catch (err) {
      for (const host of hosts) this.changedHosts.add(host);
      throw err;
    }
  }

  private async pass(changedHosts: readonly string[]): Promise<void> {
    const live = this.view.rollouts().filter((rollout) => !isRolloutFinished(rollout));
    const tickAll = this.tickEverything;
    this.tickEverything = false;
    const now = this.now();
    for (const rollout of live) {
      if (this.stopped) return;
      if (await this.settleOwnership(rollout)) continue;
      // a new term observes every host first: the previous leader may have died between
      // recording a host's change and telling the rollout (only differences become events)
      if (tickAll) await this.observe(rollout.rolloutId, rollout.order);
      const due = tickAll || (this.deadlines.get(rollout.rolloutId) ?? Infinity) <= now;
      if (due) await this.send(rollout, (time) => ({ type: 'Tick', rolloutId: rollout.rolloutId, time }));
      await this.observe(rollout.rolloutId, changedHosts);
    }
    this.options.images.prune();
    for (const rollout of this.actionable()) await this.carryOut(rollout);
    for (const rollout of this.view.rollouts()) await this.finishOnGroup(rollout);
    if (this.reconcileWanted) {
      this.reconcileWanted = false;
      await this.reconcileGroups();
    }
    this.armDeadline();
  }

  private origin(rolloutId: string): Origin {
    return { actor: SCHEDULER_ACTOR, correlationId: `rollout:${rolloutId}` };
  }

  private async send(rollout: Rollout, command: (time: string) => RolloutCommand): Promise<readonly RolloutEvent[]> {
    const { events } = await this.executor.execute(Aggregate.ROLLOUT, rollout.rolloutId, rolloutDecider, (_, time) => command(time), this.origin(rollout.rolloutId));
    return events;
  }

  /**
   * A live rollout whose group is gone or has moved on to a newer rollout is
   * stopped; one its group never recorded (the leader stopped between the two
   * appends of a rolling-update) is recorded now. True when it was stopped.
   */
  private async settleOwnership(rollout: Rollout): Promise<boolean> {
    const group = this.view.group(rollout.group);
    if (group?.rolloutId === rollout.rolloutId) return this.settleOwnRollout(group, rollout);
    const current = group?.rolloutId === undefined ? undefined : this.view.rollout(group.rolloutId);
    if (group !== undefined && (current === undefined || current.startedAt < rollout.startedAt)) {
      await this.recordOnGroup(group, rollout);
      return false;
    }
    const error = group === undefined ? `Deployment group ${rollout.group} removed` : `Superseded by rollout ${group.rolloutId ?? ''}`;
    await stopRollout(this.executor, rollout.rolloutId, error, this.origin(rollout.rolloutId));
    return true;
  }

  /**
   * The group's own rollout is live again while the group is not ROLLING_OUT:
   * either it was retried (the group follows it again) or the group was
   * stopped while no leader ran (the rollout is stopped now).
   */
  private async settleOwnRollout(group: DeploymentGroup, rollout: Rollout): Promise<boolean> {
    if (group.status === 'ROLLING_OUT') return false;
    if (group.status === 'FAILED' && group.error === STOPPED_BY_USER) {
      await stopRollout(this.executor, rollout.rolloutId, STOPPED_BY_USER, this.origin(rollout.rolloutId));
      return true;
    }
    await this.recordOnGroup(group, rollout);
    return false;
  }

  /** StartGroupRollout: the group follows this rollout (again). */
  private async recordOnGroup(group: DeploymentGroup, rollout: Rollout): Promise<void> {
    const { rolloutId, jobId, reason } = rollout;
    await this.executor.execute(
      Aggregate.DEPLOYMENT_GROUP,
      group.name,
      deploymentGroupDecider,
      (_, time) => ({ type: 'StartGroupRollout' as const, name: group.name, rolloutId, jobId, reason, time }),
      this.origin(rolloutId),
    );
  }

  /** One ObserveHosts with every changed host of the rollout (images: only the agents' answers tell, see ImageStaging). */
  private async observe(rolloutId: string, changedHosts: readonly string[]): Promise<void> {
    const rollout = this.view.rollout(rolloutId);
    if (rollout === undefined || isRolloutFinished(rollout)) return;
    const names = changedHosts.filter((host) => rolloutHost(rollout, host) !== undefined);
    if (names.length === 0) return;
    const observations: HostObservation[] = names.map((host) => this.view.hostObservation(host));
    await this.send(rollout, (time) => ({ type: 'ObserveHosts', rolloutId, observations, time }));
  }

  /** Live rollouts, and finished ones still current on their group (cleanup of old jobs on healthy hosts). */
  private actionable(): Rollout[] {
    return this.view.rollouts().filter((rollout) => !isRolloutFinished(rollout) || this.view.group(rollout.group)?.rolloutId === rollout.rolloutId);
  }

  /**
   * Hosts are independent aggregates, so their actions run concurrently (a
   * batch of 1,000 deploys is 1,000 appends: in flight together they share
   * the server's fsyncs); one host's actions stay in order (undeploy, then
   * deploy).
   */
  private async carryOut(rollout: Rollout): Promise<void> {
    const byHost = new Map<string, RolloutAction[]>();
    for (const action of pendingActions(rollout)) {
      if (action.type === 'PrepareImage') {
        this.options.images.request(action);
        continue;
      }
      byHost.set(action.host, [...(byHost.get(action.host) ?? []), action]);
    }
    const hosts = [...byHost.values()];
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < hosts.length && !this.stopped; i = next++) await this.carryOutOnHost(rollout.rolloutId, hosts[i] ?? []);
    };
    await Promise.all(Array.from({ length: Math.min(ACTIONS_IN_FLIGHT, hosts.length) }, worker));
  }

  private async carryOutOnHost(rolloutId: string, actions: readonly RolloutAction[]): Promise<void> {
    const rollout = this.view.rollout(rolloutId);
    const jobActions = actions.filter((action): action is JobAction => action.type !== 'PrepareImage');
    if (rollout === undefined || this.stopped || isRolloutFinished(rollout)) return this.carryOutOneByOne(rolloutId, actions);
    if (jobActions.length === actions.length && (await this.runner.runTogether(rollout, jobActions, this.origin(rolloutId)))) return;
    await this.carryOutOneByOne(rolloutId, actions);
  }

  private async carryOutOneByOne(rolloutId: string, actions: readonly RolloutAction[]): Promise<void> {
    for (const action of actions) {
      if (this.stopped) return;
      const current = this.view.rollout(rolloutId);
      // an earlier action's report may have failed the host or finished the rollout
      if (current === undefined || (isRolloutFinished(current) && action.type === 'DeployJob')) return;
      if (action.type === 'PrepareImage' || this.runner.isDone(current, action)) continue;
      await this.runner.run(current, action, this.origin(rolloutId));
    }
  }

  private async finishOnGroup(rollout: Rollout): Promise<void> {
    if (!isRolloutFinished(rollout)) return;
    const group = this.view.group(rollout.group);
    if (group?.rolloutId !== rollout.rolloutId || group.status !== 'ROLLING_OUT') return;
    const finish = groupFinishOf(terminalEventOf(rollout), rollout);
    if (finish === undefined) return;
    await this.executor.execute(
      Aggregate.DEPLOYMENT_GROUP,
      group.name,
      deploymentGroupDecider,
      (_, time) => ({ type: 'FinishGroupRollout' as const, ...finish, time }),
      this.origin(rollout.rolloutId),
    );
  }

  private async reconcileGroups(): Promise<void> {
    const hosts = this.view.hosts().map(({ host, labels, status }) => ({ host, labels, status }));
    const deploymentsByHost = Object.fromEntries(this.view.allDeployments().map(([host]) => [host, this.view.jobsOnHost(host)]));
    for (const group of this.view.groups()) {
      if (this.stopped) return;
      const plan = groupReconcile(group, hosts, deploymentsByHost);
      for (const { host, jobId } of plan.undeploy) await this.undeployFromGroup(group, host, jobId);
      if (plan.deployTo.length === 0 || group.jobId === undefined) continue;
      this.logger.info({ group: group.name, hosts: plan.deployTo, jobId: group.jobId }, 'new matching hosts: automatic rollout');
      try {
        const origin = { actor: SCHEDULER_ACTOR, correlationId: `group:${group.name}` };
        await startGroupRollout(this.executor, this.view, { group: group.name, jobId: group.jobId, options: this.automaticOptions(group), reason: 'HOSTS_CHANGED' }, origin);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        this.logger.warn({ err, group: group.name }, 'automatic rollout refused');
      }
    }
  }

  /**
   * An automatic (HOSTS_CHANGED) rollout reuses the Helios options and health
   * settings of the group's last rollout (its token above all), without
   * canaries or prestaging: the job is already the group's.
   */
  private automaticOptions(group: DeploymentGroup): UpdateStrategy {
    const last = group.rolloutId === undefined ? undefined : this.view.rollout(group.rolloutId);
    if (last === undefined) return {};
    const { parallelism, timeout, overlap, migrate, token, ignoreFailures, healthCheck, minHealthyTime } = last.options;
    return { parallelism, timeout, overlap, migrate, token, ignoreFailures, healthCheck, minHealthyTime, canary: 0, prestage: false };
  }

  private async undeployFromGroup(group: DeploymentGroup, host: string, jobId: string): Promise<void> {
    const deployment = this.view.deployments(host).deployments[jobId];
    if (deployment === undefined) return;
    this.logger.info({ group: group.name, host, jobId }, 'host left the deployment group: undeploying');
    try {
      await this.executor.execute(
        Aggregate.DEPLOYMENT,
        host,
        deploymentDecider,
        (_, time) => ({
          type: 'Undeploy' as const,
          host,
          hostRegistered: this.view.host(host) !== undefined,
          jobId,
          token: deployment.token,
          deploymentGroupName: group.name,
          time,
        }),
        { actor: SCHEDULER_ACTOR, correlationId: `group:${group.name}` },
      );
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (err.code !== ErrorCode.JOB_NOT_DEPLOYED && err.code !== ErrorCode.HOST_NOT_FOUND) this.logger.warn({ err, host, jobId }, 'undeploy refused');
    }
  }

  /** One timer, at the earliest deadline of any live rollout. */
  private armDeadline(): void {
    const nowIso = new Date(this.now()).toISOString();
    this.deadlines = new Map();
    for (const rollout of this.view.rollouts()) {
      if (isRolloutFinished(rollout)) continue;
      const deadline = nextDeadline(rollout, nowIso);
      if (deadline !== undefined) this.deadlines.set(rollout.rolloutId, Date.parse(deadline));
    }
    this.loop.wakeAt(this.deadlines.values());
  }
}

/** The terminal event a finished rollout's state stands for, for groupFinishOf (level-triggered: also after a restart). */
function terminalEventOf(rollout: Rollout): RolloutEvent {
  const base = { rolloutId: rollout.rolloutId, time: rollout.lastProgressAt };
  const rows = rolloutHostRows(rollout);
  const failedHosts = rows.filter((row) => row.step === 'FAILED').map((row) => row.host);
  if (rollout.status === 'SUCCEEDED') {
    const skippedHosts = rows.filter((row) => row.step === 'SKIPPED').map((row) => row.host);
    return { type: 'RolloutSucceeded', ...base, failedHosts, skippedHosts, stable: failedHosts.length === 0 };
  }
  if (rollout.status === 'REVERTED') return { type: 'RolloutReverted', ...base, toJobId: rollout.targetJobId, error: rollout.error ?? '', failedHosts };
  return { type: 'RolloutFailed', ...base, error: rollout.error ?? 'Rollout failed', failedHosts, stopped: false };
}
