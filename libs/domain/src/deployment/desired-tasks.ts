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
}

/**
 * The host's full desired state, sorted by job id so that equal states give
 * equal messages. A job missing from `jobsById` is a broken invariant (a job
 * cannot be removed while deployed: STILL_IN_USE), so this throws rather than
 * silently telling the agent to stop the job.
 */
export function desiredTasksOf(state: DeploymentState, jobsById: ReadonlyMap<string, Job>): DesiredTask[] {
  return Object.values(state.deployments)
    .sort((a, b) => (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0))
    .map((deployment) => {
      const job = jobsById.get(deployment.jobId);
      if (job === undefined) throw new Error(`Deployed job ${deployment.jobId} is unknown`);
      const { jobId, goal, ports, deploymentGroupName } = deployment;
      return { jobId, job, goal, ports, ...(deploymentGroupName === undefined ? {} : { deploymentGroupName }) };
    });
}
