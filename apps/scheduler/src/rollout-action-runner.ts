import {
  DomainError,
  ErrorCode,
  deploymentDecider,
  inSequence,
  rolloutDecider,
  type DeploymentCommand,
  type PortRange,
  type Rollout,
  type RolloutAction,
} from '@berth/domain';
import { Aggregate, type BerthView } from '@berth/read-model';
import type { CommandExecutor, Origin } from './command-executor';

export type JobAction = Exclude<RolloutAction, { readonly type: 'PrepareImage' }>;

/**
 * Carries out one rollout action against the deployment aggregate,
 * idempotently: a deploy the group already owns, or an undeploy of a job that
 * is gone, counts as done. So the actions `pendingActions` re-derives after a
 * restart or failover never deploy a host twice. A refusal (FORBIDDEN,
 * PORT_CONFLICT, a host gone, …) is reported to the rollout as a host error.
 * (PrepareImage goes to the agents: ImageStaging.)
 */
export class RolloutActionRunner {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly view: BerthView,
    private readonly defaultPortRange: PortRange,
  ) {}

  async run(rollout: Rollout, action: JobAction, origin: Origin): Promise<void> {
    if (!this.isCurrent(rollout, action)) return;
    try {
      if (action.type === 'DeployJob') await this.deploy(rollout, action, origin);
      else await this.undeploy(rollout, action, origin);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      // superseded, stopped or removed while deciding: nothing to report to
      if (this.isDone(rollout, action) || !this.isCurrent(rollout, action)) return;
      await this.report(rollout, action.host, err.message, origin);
    }
  }

  /** The rollout is still its group's latest (a deploy on the group's behalf is guarded on the group: libs/domain rules). */
  private isCurrent(rollout: Rollout, action: JobAction): boolean {
    return this.view.group(action.deploymentGroupName)?.rolloutId === rollout.rolloutId;
  }

  /** Already what the action wants: the group owns the job on the host (deploy), or the old copy is gone (undeploy). */
  isDone(rollout: Rollout, action: JobAction): boolean {
    const present = this.view.deployments(action.host).deployments[action.jobId];
    const owned = present !== undefined && present.deploymentGroupName === action.deploymentGroupName;
    if (action.type === 'DeployJob') return owned;
    // the rollout's own new copy of its target is never an old job, however stale the rollout's last observation is
    const ownTarget = owned && present.goal === 'START' && action.jobId === rollout.targetJobId;
    return present === undefined || ownTarget;
  }

  /**
   * A host's undeploys and deploy in one append, their events in the order
   * they would have had one by one: half the appends of a rolling update.
   * False when they must run one by one instead (fewer than two to do, or
   * one is refused: run alone, each refusal is handled as before).
   */
  async runTogether(rollout: Rollout, actions: readonly JobAction[], origin: Origin): Promise<boolean> {
    const todo = actions.filter((action) => !this.isDone(rollout, action));
    const host = todo[0]?.host;
    if (todo.length < 2 || host === undefined || todo.some((action) => action.host !== host)) return false;
    try {
      await this.executor.execute(Aggregate.DEPLOYMENT, host, inSequence(deploymentDecider), (_, time) => todo.map((action) => this.command(rollout, action, time)), origin);
      return true;
    } catch (err) {
      if (err instanceof DomainError) return false;
      throw err;
    }
  }

  private async deploy(rollout: Rollout, action: JobAction, origin: Origin): Promise<void> {
    if (this.isDoneDeploy(action)) return;
    await this.executor.execute(Aggregate.DEPLOYMENT, action.host, deploymentDecider, (_, time) => this.command(rollout, action, time), origin);
  }

  private isDoneDeploy(action: JobAction): boolean {
    return this.view.deployments(action.host).deployments[action.jobId]?.deploymentGroupName === action.deploymentGroupName;
  }

  private async undeploy(rollout: Rollout, action: JobAction, origin: Origin): Promise<void> {
    if (this.isDone(rollout, action)) return;
    await this.executor.execute(Aggregate.DEPLOYMENT, action.host, deploymentDecider, (_, time) => this.command(rollout, action, time), origin);
  }

  /** The deployment aggregate's command for an action, decided at `time` (again on every attempt). */
  private command(rollout: Rollout, action: JobAction, time: string): DeploymentCommand {
    if (!this.isCurrent(rollout, action)) {
      throw new DomainError(ErrorCode.ROLLOUT_STATE_CONFLICT, `Rollout ${rollout.rolloutId} is no longer the current rollout of ${action.deploymentGroupName}`, { rolloutId: rollout.rolloutId });
    }
    const host = this.view.host(action.host);
    const owned = { token: action.token, deploymentGroupName: action.deploymentGroupName, time };
    if (action.type === 'UndeployJob') return { type: 'Undeploy', host: action.host, hostRegistered: host !== undefined, jobId: action.jobId, ...owned };
    const job = this.view.job(action.jobId);
    if (job === undefined) throw new DomainError(ErrorCode.JOB_NOT_FOUND, `Job not found: ${action.jobId}`, { jobId: action.jobId });
    const portRange = host?.portRange ?? this.defaultPortRange;
    return { type: 'Deploy', host: action.host, hostRegistered: host !== undefined, job, goal: 'START', portRange, ...owned };
  }

  private async report(rollout: Rollout, host: string, message: string, origin: Origin): Promise<void> {
    await this.executor.execute(
      Aggregate.ROLLOUT,
      rollout.rolloutId,
      rolloutDecider,
      (_, time) => ({ type: 'ReportHostError' as const, rolloutId: rollout.rolloutId, host, message, time }),
      origin,
    );
  }
}
