import { DomainError, ErrorCode } from '../errors';
import type { DeploymentState } from './deployment.decider';

/**
 * STILL_IN_USE (details: the hosts, sorted) when the job is deployed on any
 * host, whatever its goal. The scheduler calls it before RemoveJob; the job
 * aggregate cannot see deployments, which live in per-host streams.
 */
export function assertJobNotInUse(jobId: string, deploymentsByHost: Iterable<readonly [string, DeploymentState]>): void {
  const hosts: string[] = [];
  for (const [host, state] of deploymentsByHost) {
    if (Object.prototype.hasOwnProperty.call(state.deployments, jobId)) hosts.push(host);
  }
  if (hosts.length > 0) {
    hosts.sort();
    throw new DomainError(ErrorCode.STILL_IN_USE, `Job ${jobId} is still deployed on ${hosts.join(', ')}`, { jobId, hosts });
  }
}
