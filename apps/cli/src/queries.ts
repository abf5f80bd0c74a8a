import type { GatewayApi } from './gateway-client';

/** The gateway's GraphQL documents and result shapes the CLI uses (see apps/gateway/schema.gql). */

export interface TaskStatusView {
  readonly jobId: string;
  readonly goal: string;
  readonly state: string;
  readonly throttled: string;
  readonly containerId?: string | null;
  readonly containerError?: string | null;
  readonly exitCode?: number | null;
  readonly ports: Record<string, number>;
  /** the container's effective environment */
  readonly env?: Record<string, string> | null;
  readonly time: string;
}

export interface DeploymentView {
  readonly host: string;
  readonly jobId: string;
  readonly goal: string;
  readonly state: string;
  readonly ports: Record<string, number>;
  readonly deploymentGroupName?: string | null;
  readonly deployedAt: string;
  readonly status?: TaskStatusView | null;
}

export interface JobView {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly job: Record<string, unknown>;
  readonly deployments: readonly DeploymentView[];
}

export interface HostView {
  readonly host: string;
  readonly agentId: string;
  readonly status: string;
  readonly labels: Record<string, string>;
  readonly info: Record<string, unknown>;
  readonly registeredAt: string;
  readonly downSince?: string | null;
  readonly jobCount: number;
  /** load and memory from the agent's latest heartbeat; null until one arrives (or after a minute of silence) */
  readonly stats?: { readonly loadAvg: readonly number[]; readonly memoryTotalBytes: number; readonly memoryFreeBytes: number; readonly memoryUsage: number; readonly receivedAt: string } | null;
  readonly deployments: readonly DeploymentView[];
}

export interface EventView {
  readonly position: number;
  readonly sequence: number;
  readonly id: string;
  readonly type: string;
  readonly aggregate: string;
  readonly aggregateId: string;
  readonly version: number;
  readonly time: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly schemaVersion: number;
  readonly data: unknown;
}

export interface ChangeView {
  readonly sequence: number;
  readonly jobId?: string | null;
  readonly host?: string | null;
  readonly status?: string | null;
  readonly ports?: Record<string, number> | null;
  readonly result: Record<string, unknown>;
}

const TASK_STATUS = 'jobId goal state throttled containerId containerError exitCode ports env time';
export const DEPLOYMENT_FIELDS = `host jobId goal state ports deploymentGroupName deployedAt status { ${TASK_STATUS} }`;
const JOB_FIELDS = `id name version job deployments { ${DEPLOYMENT_FIELDS} }`;
const HOST_FIELDS = `host agentId status labels info registeredAt downSince jobCount stats { loadAvg memoryTotalBytes memoryFreeBytes memoryUsage receivedAt } deployments { ${DEPLOYMENT_FIELDS} }`;
export const EVENT_FIELDS = 'position sequence id type aggregate aggregateId version time actor correlationId causationId schemaVersion data';
export const CHANGE_FIELDS = 'sequence jobId host status ports result';

export interface JobFilter {
  readonly pattern?: string;
  readonly deployed?: boolean;
}

/** Every job matching the filter, all pages, sorted by id. */
export async function listJobs(gateway: GatewayApi, filter: JobFilter, atLeastSequence?: number): Promise<JobView[]> {
  const items: JobView[] = [];
  let after: string | null | undefined;
  do {
    const { jobs } = await gateway.request<{ jobs: { items: JobView[]; nextCursor?: string | null } }>(
      `query Jobs($filter: JobFilter, $after: String, $atLeastSequence: Int) {
        jobs(filter: $filter, first: 1000, after: $after, atLeastSequence: $atLeastSequence) { items { ${JOB_FIELDS} } nextCursor }
      }`,
      { filter, ...(after ? { after } : {}), ...(atLeastSequence !== undefined ? { atLeastSequence } : {}) },
    );
    items.push(...jobs.items);
    after = jobs.nextCursor;
  } while (after);
  return items;
}

/** Every job matching the filter as it stood at `time` (ISO-8601), with its deployments and task states then, sorted by id. */
export async function listJobsAsOf(gateway: GatewayApi, time: string, filter: Pick<JobFilter, 'pattern'>): Promise<JobView[]> {
  const { deploymentsAsOf } = await gateway.request<{ deploymentsAsOf: { jobs: JobView[] } }>(
    `query StatusAsOf($time: String!, $job: String) { deploymentsAsOf(time: $time, job: $job) { jobs { ${JOB_FIELDS} } } }`,
    { time, job: filter.pattern ?? null },
  );
  return deploymentsAsOf.jobs;
}

/** One job by reference (full id, name:version, name or id prefix); JOB_NOT_FOUND / AMBIGUOUS_JOB_REFERENCE otherwise. */
export async function getJob(gateway: GatewayApi, ref: string, atLeastSequence?: number): Promise<JobView> {
  const { job } = await gateway.request<{ job: { job: JobView } }>(
    `query Job($id: String!, $atLeastSequence: Int) { job(id: $id, atLeastSequence: $atLeastSequence) { job { ${JOB_FIELDS} } } }`,
    { id: ref, ...(atLeastSequence !== undefined ? { atLeastSequence } : {}) },
  );
  return job.job;
}

export async function listHosts(gateway: GatewayApi, args: { pattern?: string; selectors?: readonly string[]; status?: string }): Promise<HostView[]> {
  const { hosts } = await gateway.request<{ hosts: { items: HostView[] } }>(
    `query Hosts($pattern: String, $selectors: [String!], $status: String) {
      hosts(pattern: $pattern, selectors: $selectors, status: $status) { items { ${HOST_FIELDS} } }
    }`,
    { pattern: args.pattern ?? null, selectors: args.selectors ?? null, status: args.status ?? null },
  );
  return hosts.items;
}

/** A mutation that takes a job on a host: deploy, undeploy, start, stop. */
export async function jobOnHost(
  gateway: GatewayApi,
  mutation: 'deploy' | 'undeploy' | 'start' | 'stop',
  args: { job: string; host: string; token?: string; goal?: string; deploymentGroupName?: string; overrideGroup?: boolean },
): Promise<ChangeView> {
  const goal = mutation === 'deploy' ? ', $goal: String' : '';
  const goalArg = mutation === 'deploy' ? ', goal: $goal' : '';
  // undeploy of a deployment group's deployment (also a removed group's) names the group
  const group = `${args.deploymentGroupName === undefined ? '' : ', $deploymentGroupName: String'}${args.overrideGroup === true ? ', $overrideGroup: Boolean' : ''}`;
  const groupArg = `${args.deploymentGroupName === undefined ? '' : ', deploymentGroupName: $deploymentGroupName'}${args.overrideGroup === true ? ', overrideGroup: $overrideGroup' : ''}`;
  const data = await gateway.request<Record<string, ChangeView>>(
    `mutation Change($job: String!, $host: String!, $token: String${goal}${group}) { ${mutation}(job: $job, host: $host, token: $token${goalArg}${groupArg}) { ${CHANGE_FIELDS} } }`,
    {
      job: args.job,
      host: args.host,
      token: args.token ?? null,
      ...(mutation === 'deploy' ? { goal: args.goal ?? null } : {}),
      ...(args.deploymentGroupName === undefined ? {} : { deploymentGroupName: args.deploymentGroupName }),
      ...(args.overrideGroup === true ? { overrideGroup: true } : {}),
    },
  );
  const change = data[mutation];
  if (!change) throw new Error(`the gateway's answer to ${mutation} has no result`);
  return change;
}
