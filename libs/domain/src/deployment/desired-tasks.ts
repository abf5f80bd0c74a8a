import type { Job } from '../job/job';
import type { DeploymentGoal, DeploymentState } from './deployment.decider';

/** One entry of a host's desired state, as sent to its agent. */
export interface DesiredTask {
  readonly jobId: string;
  readonly job: Job;
  readonly goal: DeploymentGoal;
  /** Port name → host port, as allocated at deploy time. */
  readonly ports: Readonly<Record<string, number>>;
  readonly deploymentGroupName?: string;
  /**
   * When this deployment was made: a new value for a job the agent already
   * runs means it was undeployed and deployed again (e.g. adopted by a
   * group's `--migrate`) while its container ran on, so the agent reports the
   * task again for the new deployment. Absent from older schedulers.
   */
  readonly deployedAt?: string;
}

/**
 * The host's full desired state, sorted by job id so that equal states give
 * equal messages. A deployment of a job the projection does not know (a
 * race of remove-job and deploy, or a hand-edited history: the projection
 * records it as an anomaly) yields no task: without its definition the job
 * cannot be started, and one bad deployment must not stop the host's others.
 */
export function desiredTasksOf(state: DeploymentState, jobsById: ReadonlyMap<string, Job>): DesiredTask[] {
  return Object.values(state.deployments)
    .sort((a, b) => (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0))
    .flatMap((deployment) => {
      const job = jobsById.get(deployment.jobId);
      if (job === undefined) return [];
      const { jobId, goal, ports, deploymentGroupName, deployedAt } = deployment;
      return [{ jobId, job, goal, ports, ...(deploymentGroupName === undefined ? {} : { deploymentGroupName }), deployedAt }];
    });
}
