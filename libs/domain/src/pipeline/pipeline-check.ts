import type { Problem } from '../errors';
import { pipelineSteps, type Pipeline } from './pipeline';

/** What `berth validate` needs to know of the cluster. */
export interface PipelineClusterFacts {
  /** Every deployment group, with how many registered hosts its selectors match. */
  readonly groups: readonly { readonly name: string; readonly hosts: number }[];
  /** Groups that deployments of the service's jobs belong to. */
  readonly serviceGroups: readonly string[];
}

/**
 * A pipeline checked against the cluster (PaaSTA's `paasta validate`): steps
 * naming no deployment group, steps whose group matches no host, and groups
 * where the service runs that no step covers (they would never get a new
 * version). Problems carry the path of the step, or `pipeline` for the file.
 */
export function checkPipelineAgainstCluster(pipeline: Pipeline, cluster: PipelineClusterFacts): Problem[] {
  const problems: Problem[] = [];
  const hostsOf = new Map(cluster.groups.map((group) => [group.name, group.hosts]));
  const covered = new Set<string>();
  for (const { step, path } of pipelineSteps(pipeline)) {
    if (step.kind !== 'group') continue;
    covered.add(step.name);
    const hosts = hostsOf.get(step.name);
    if (hosts === undefined) problems.push({ path, message: `unknown deployment group "${step.name}" (use "gate:" for a check that is not a deployment)` });
    else if (hosts === 0 && !step.disabled) problems.push({ path, message: `deployment group "${step.name}" matches no host: the step would reach nothing` });
  }
  for (const group of [...new Set(cluster.serviceGroups)].sort()) {
    if (!covered.has(group)) problems.push({ path: 'pipeline', message: `deployment group "${group}" runs this service but no step covers it` });
  }
  return problems;
}
