import { AnomaliesRequest, HostQueryRequest, JobQueryRequest, ListHostsRequest, ListJobsRequest, SchedulerCommand } from '@berth/contracts';
import { BerthQueries, type BerthView, type JobHistoryIndex } from '@berth/read-model';
import { route, type CommandRoute } from './command-server';

/**
 * Read-only requests, answered from the scheduler's projection with the
 * same queries the gateway serves; each answer carries the stream sequence
 * it reflects.
 */
export function queryRoutes(view: BerthView, history: JobHistoryIndex): CommandRoute[] {
  const queries = new BerthQueries(view.projection);
  const sequence = () => view.projection.sequence;
  return [
    route(SchedulerCommand.LIST_JOBS, ListJobsRequest, async (req) => ({
      jobs: queries.jobs({ ...(req.pattern ? { pattern: req.pattern } : {}), ...(req.deployed ? { deployed: true } : {}) }),
      sequence: sequence(),
    })),
    route(SchedulerCommand.INSPECT_JOB, JobQueryRequest, async (req) => ({ job: queries.job(req.job).job, sequence: sequence() })),
    route(SchedulerCommand.JOB_STATUS, JobQueryRequest, async (req) => {
      const { id, job, deployments } = queries.job(req.job);
      return { jobId: id, job, deployments, sequence: sequence() };
    }),
    route(SchedulerCommand.JOB_HISTORY, JobQueryRequest, async (req) => {
      const { id } = queries.job(req.job);
      return { jobId: id, history: history.history(id), sequence: sequence() };
    }),
    route(SchedulerCommand.LIST_HOSTS, ListHostsRequest, async (req) => ({
      hosts: queries.hosts({
        ...(req.selectors ? { selectors: req.selectors } : {}),
        ...(req.status ? { status: req.status } : {}),
        ...(req.pattern ? { pattern: req.pattern } : {}),
      }),
      sequence: sequence(),
    })),
    route(SchedulerCommand.HOST_STATUS, HostQueryRequest, async (req) => ({ ...queries.host(req.host), sequence: sequence() })),
    // events the projection could not apply as written: kept (newest) and counted since the process started or its snapshot
    route(SchedulerCommand.ANOMALIES, AnomaliesRequest, async () => ({ ...view.projection.anomalies(), sequence: sequence() })),
  ];
}
