import type { ContainerSummary } from '@berth/container-runtime';
import type { DesiredTask } from '@berth/contracts';
import type { Goal } from '@berth/domain';
import { BerthLabel } from './job-container-spec';

/** What the agent currently supervises, per job. */
export interface SupervisedView {
  readonly goal: Goal;
  readonly containerId?: string;
  /** Name of a container being created (its id is not known yet). */
  readonly containerName?: string;
  /** The deployment's time in the desired state it was last told (DesiredTask.deployedAt). */
  readonly deployedAt?: string;
}

export type ReconcileAction =
  | { readonly kind: 'supervise'; readonly task: DesiredTask; readonly adoptContainerId?: string }
  | { readonly kind: 'set-goal'; readonly jobId: string; readonly goal: Goal }
  | { readonly kind: 'undeploy'; readonly jobId: string }
  /** the job was deployed again while supervised (undeploy + deploy seen as one desired state): report it for the new deployment */
  | { readonly kind: 'redeployed'; readonly jobId: string; readonly deployedAt: string }
  | { readonly kind: 'reap'; readonly containerId: string; readonly containerName: string };

export interface ReconcileInput {
  readonly desired: readonly DesiredTask[];
  readonly supervised: ReadonlyMap<string, SupervisedView>;
  /** This agent's containers on the engine (its name prefix and agent-id label). */
  readonly containers: readonly ContainerSummary[];
  /** Job id → container id remembered in the state dir. */
  readonly known: Readonly<Record<string, string>>;
}

/**
 * Desired vs observed, as a list of actions (the reconciler applies them):
 * supervise new jobs (adopting a container of theirs that is already there),
 * pass goal changes on, have a job deployed again reported again, undeploy
 * jobs no longer desired, and reap every
 * container of this agent that no supervisor owns.
 */
export function planReconcile(input: ReconcileInput): ReconcileAction[] {
  const actions: ReconcileAction[] = [];
  const claimedIds = new Set<string>();
  const claimedNames = new Set<string>();
  for (const view of input.supervised.values()) {
    if (view.containerId !== undefined) claimedIds.add(view.containerId);
    if (view.containerName !== undefined) claimedNames.add(view.containerName);
  }
  const desiredIds = new Set<string>();
  for (const task of input.desired) {
    desiredIds.add(task.jobId);
    const view = input.supervised.get(task.jobId);
    if (view === undefined) {
      const adopt = chooseAdoption(task.jobId, input.containers, input.known[task.jobId]);
      if (adopt !== undefined) claimedIds.add(adopt);
      actions.push(adopt === undefined ? { kind: 'supervise', task } : { kind: 'supervise', task, adoptContainerId: adopt });
    } else {
      if (view.goal !== task.goal) actions.push({ kind: 'set-goal', jobId: task.jobId, goal: task.goal });
      if (task.deployedAt !== undefined && task.deployedAt !== view.deployedAt) actions.push({ kind: 'redeployed', jobId: task.jobId, deployedAt: task.deployedAt });
    }
  }
  for (const [jobId, view] of input.supervised) {
    if (!desiredIds.has(jobId) && view.goal !== 'UNDEPLOY') actions.push({ kind: 'undeploy', jobId });
  }
  for (const c of input.containers) {
    if (!claimedIds.has(c.id) && !claimedNames.has(c.name)) actions.push({ kind: 'reap', containerId: c.id, containerName: c.name });
  }
  return actions;
}

/** The remembered container if it is running, else a running one of the job, else the remembered one. */
function chooseAdoption(jobId: string, containers: readonly ContainerSummary[], known: string | undefined): string | undefined {
  const ofJob = containers.filter((c) => c.labels[BerthLabel.JOB_ID] === jobId);
  const remembered = ofJob.find((c) => c.id === known);
  if (remembered?.running === true) return remembered.id;
  return ofJob.find((c) => c.running)?.id ?? remembered?.id;
}
