import {
  HostQueryRequest,
  JobQueryRequest,
  ListHostsRequest,
  ListJobsRequest,
  SchedulerCommand,
} from '@berth/contracts';
import {
  DomainError,
  ErrorCode,
  matchJobs,
  matchesAll,
  parseHostSelectors,
  resolveJob,
  type HostDeployment,
  type RegisteredHost,
} from '@berth/domain';
import { route, type CommandRoute } from './command-server';
import type { JobHistoryIndex } from './job-history-index';
import type { SchedulerView } from './scheduler-projection';

function deploymentRow(host: string, d: HostDeployment) {
  return {
    host,
    jobId: d.jobId,
    goal: d.goal,
    ports: d.ports,
    ...(d.deploymentGroupName === undefined ? {} : { deploymentGroupName: d.deploymentGroupName }),
    deployedAt: d.deployedAt,
    // Helios prints UNKNOWN for a task the agent has not reported yet
    state: d.lastStatus?.state ?? 'UNKNOWN',
    ...(d.lastStatus === undefined ? {} : { status: d.lastStatus }),
  };
}

function hostRow(host: RegisteredHost, jobs: number) {
  const { host: name, status, agentId, labels, info, registeredAt, downSince, portRange } = host;
  return { host: name, status, agentId, labels, info, registeredAt, ...(downSince ? { downSince } : {}), ...(portRange ? { portRange } : {}), jobs };
}

/** Read-only requests, answered from the scheduler's projection at the sequence it has reached. */
export function queryRoutes(view: SchedulerView, history: JobHistoryIndex): CommandRoute[] {
  const sequence = () => view.projection.sequence;
  const deploymentsOfJob = (jobId: string) =>
    view.allDeployments().flatMap(([host, state]) => {
      const d = state.deployments[jobId];
      return d ? [deploymentRow(host, d)] : [];
    });

  const routes: CommandRoute[] = [
    route(SchedulerCommand.LIST_JOBS, ListJobsRequest, async (req) => {
        const jobs = view.jobs();
        const ids = (req.pattern ? matchJobs(req.pattern, jobs.keys()) : [...jobs.keys()]).sort();
        const rows = ids
          .map((id) => ({ id, job: jobs.get(id), hosts: deploymentsOfJob(id).map((d) => d.host) }))
          .filter((row) => !req.deployed || row.hosts.length > 0);
        return { jobs: rows, sequence: sequence() };
      }),
    route(SchedulerCommand.INSPECT_JOB, JobQueryRequest, async (req) => {
        const id = resolveJob(req.job, view.jobs().keys());
        return { job: view.job(id), sequence: sequence() };
      }),
    route(SchedulerCommand.JOB_STATUS, JobQueryRequest, async (req) => {
        const id = resolveJob(req.job, view.jobs().keys());
        return { jobId: id, job: view.job(id), deployments: deploymentsOfJob(id), sequence: sequence() };
      }),
    route(SchedulerCommand.JOB_HISTORY, JobQueryRequest, async (req) => {
        const id = resolveJob(req.job, view.jobs().keys());
        return { jobId: id, history: history.history(id), sequence: sequence() };
      }),
    route(SchedulerCommand.LIST_HOSTS, ListHostsRequest, async (req) => {
        const selectors = parseHostSelectors(req.selectors ?? []);
        const hosts = view
          .hosts()
          .filter((h) => (req.pattern ? h.host.includes(req.pattern) : true))
          .filter((h) => (req.status ? h.status === req.status : true))
          .filter((h) => matchesAll(selectors, h.labels))
          .sort((a, b) => a.host.localeCompare(b.host, 'en', { numeric: true }));
        return { hosts: hosts.map((h) => hostRow(h, Object.keys(view.deployments(h.host).deployments).length)), sequence: sequence() };
      }),
    route(SchedulerCommand.HOST_STATUS, HostQueryRequest, async (req) => {
        const host = view.host(req.host);
        if (!host) throw new DomainError(ErrorCode.HOST_NOT_FOUND, `Host not found: ${req.host}`, { host: req.host });
        const deployments = Object.values(view.deployments(req.host).deployments).map((d) => deploymentRow(req.host, d));
        return { ...hostRow(host, deployments.length), deployments, sequence: sequence() };
      }),
  ];
  return routes;
}
