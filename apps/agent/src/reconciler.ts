import { type ContainerRuntime, RuntimeErrorCode, isContainerRuntimeError } from '@berth/container-runtime';
import type { DesiredState, DesiredTask } from '@berth/contracts';
import { BerthLabel, containerNamePrefix } from './job-container-spec';
import { type AgentLogger, silentLogger } from './logging';
import { type ReconcileAction, type SupervisedView, planReconcile } from './reconcile-plan';
import type { TaskSupervisor } from './task-supervisor';

export interface ReconcilerOptions {
  readonly runtime: ContainerRuntime;
  readonly agentId: string;
  /** A started supervisor for a new job, adopting `adoptContainerId` when given. */
  readonly createSupervisor: (task: DesiredTask, adoptContainerId: string | undefined) => TaskSupervisor;
  /** Job id → container id remembered from before a restart. */
  readonly knownContainers: () => Readonly<Record<string, string>>;
  /** A job has been undeployed and its supervisor dropped. */
  readonly onUndeployed?: (jobId: string) => void;
  /** A supervised job was deployed again (a new deployment of the same job): its status is news to the scheduler. */
  readonly onRedeployed?: (supervisor: TaskSupervisor) => void;
  readonly logger?: AgentLogger;
}

/**
 * Keeps the supervised tasks in line with the latest desired state (older
 * revisions are ignored). Runs are serialised; each lists this agent's
 * containers, plans (`planReconcile`) and applies the plan.
 */
export class Reconciler {
  private desired: DesiredState | undefined;
  private readonly supervisors = new Map<string, TaskSupervisor>();
  /** job id → the deployment time the supervisor was last told */
  private readonly deployedAt = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly logger: AgentLogger;

  constructor(private readonly options: ReconcilerOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  get desiredState(): DesiredState | undefined {
    return this.desired;
  }

  get tasks(): ReadonlyMap<string, TaskSupervisor> {
    return this.supervisors;
  }

  /** Takes a desired state unless it is older than the one held; true when taken. */
  setDesired(state: DesiredState): boolean {
    if (this.desired !== undefined && state.revision < this.desired.revision) {
      this.logger.info({ revision: state.revision, current: this.desired.revision }, 'ignoring stale desired state');
      return false;
    }
    this.desired = state;
    return true;
  }

  /** One serialised reconcile run; resolves with the actions it applied. Nothing happens before a desired state is known. */
  reconcile(): Promise<readonly ReconcileAction[]> {
    const run = this.queue.then(() => this.reconcileNow());
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops supervising; containers keep running. */
  close(): void {
    this.closed = true;
    for (const supervisor of this.supervisors.values()) supervisor.close();
  }

  private async reconcileNow(): Promise<readonly ReconcileAction[]> {
    const desired = this.desired;
    if (desired === undefined || this.closed) return [];
    const { runtime, agentId } = this.options;
    let containers;
    try {
      // Helios reaps by name prefix: a container with this agent's prefix but no agent label is ours too;
      // one labelled for another agent whose id extends ours ("a1" vs "a1-x") is not
      const named = await runtime.listContainers({ namePrefix: containerNamePrefix(agentId) });
      containers = named.filter((c) => (c.labels[BerthLabel.AGENT_ID] ?? agentId) === agentId);
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, 'cannot list containers; reconciling later');
      return [];
    }
    if (this.closed) return [];
    const supervised = new Map<string, SupervisedView>();
    for (const [jobId, s] of this.supervisors) {
      const deployedAt = this.deployedAt.get(jobId);
      supervised.set(jobId, { goal: s.goal, ...s.claims, ...(deployedAt === undefined ? {} : { deployedAt }) });
    }
    const actions = planReconcile({ desired: desired.tasks, supervised, containers, known: this.options.knownContainers() });
    for (const action of actions) {
      // One action failing (a task the agent cannot even supervise) must not hold up the others.
      await this.apply(action).catch((err: unknown) => this.logger.error({ action: action.kind, err: errorMessage(err) }, 'reconcile action failed'));
    }
    return actions;
  }

  private async apply(action: ReconcileAction): Promise<void> {
    switch (action.kind) {
      case 'supervise': {
        const supervisor = this.options.createSupervisor(action.task, action.adoptContainerId);
        this.supervisors.set(action.task.jobId, supervisor);
        if (action.task.deployedAt === undefined) this.deployedAt.delete(action.task.jobId);
        else this.deployedAt.set(action.task.jobId, action.task.deployedAt);
        void supervisor.whenUndeployed.then(() => {
          if (this.supervisors.get(action.task.jobId) !== supervisor) return;
          this.supervisors.delete(action.task.jobId);
          this.deployedAt.delete(action.task.jobId);
          this.options.onUndeployed?.(action.task.jobId);
        });
        this.logger.info({ jobId: action.task.jobId, goal: action.task.goal, adopt: action.adoptContainerId }, 'supervising task');
        return;
      }
      case 'set-goal':
        this.supervisors.get(action.jobId)?.setGoal(action.goal);
        return;
      case 'redeployed': {
        this.deployedAt.set(action.jobId, action.deployedAt);
        const supervisor = this.supervisors.get(action.jobId);
        if (supervisor === undefined) return;
        this.logger.info({ jobId: action.jobId, deployedAt: action.deployedAt }, 'task deployed again; reporting it');
        this.options.onRedeployed?.(supervisor);
        return;
      }
      case 'undeploy':
        this.logger.info({ jobId: action.jobId }, 'undeploying task');
        this.supervisors.get(action.jobId)?.setGoal('UNDEPLOY');
        return;
      case 'reap':
        this.logger.warn({ containerId: action.containerId, name: action.containerName }, 'reaping container no task owns');
        try {
          await this.options.runtime.removeContainer(action.containerId, { force: true });
        } catch (err) {
          if (!isContainerRuntimeError(err, RuntimeErrorCode.CONTAINER_NOT_FOUND)) {
            this.logger.warn({ containerId: action.containerId, err: errorMessage(err) }, 'reaping failed');
          }
        }
        return;
    }
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
