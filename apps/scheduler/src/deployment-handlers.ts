import {
  DeployRequest,
  SchedulerCommand,
  StartRequest,
  StopRequest,
  UndeployRequest,
  type JobOnHostRequest,
} from '@berth/contracts';
import { DomainError, ErrorCode, deploymentDecider, resolveJob, type DeploymentCommand, type PortRange } from '@berth/domain';
import { route, type CommandRoute } from './command-server';
import type { CommandExecutor } from './command-executor';
import { Aggregate, type BerthView } from '@berth/read-model';

export interface DeploymentPolicy {
  readonly defaultPortRange: PortRange;
}

export interface DeploymentChangeResult {
  readonly host: string;
  readonly jobId: string;
  /** what the command did: DEPLOYED, UNDEPLOYED, GOAL_CHANGED or NOT_MODIFIED */
  readonly status: string;
  readonly ports?: Readonly<Record<string, number>>;
  readonly sequence: number;
}

/** deploy, undeploy, start, stop: all decided by the host's deployment aggregate. */
export function deploymentRoutes(executor: CommandExecutor, view: BerthView, policy: DeploymentPolicy): CommandRoute[] {
  const run = async (req: JobOnHostRequest, build: (jobId: string, time: string) => DeploymentCommand): Promise<DeploymentChangeResult> => {
    const jobId = resolveJob(req.job, view.jobs().keys());
    const { events, sequence } = await executor.execute(Aggregate.DEPLOYMENT, req.host, deploymentDecider, (_, time) => build(jobId, time), req);
    const event = events[0];
    const status =
      event?.type === 'JobDeployed' ? 'DEPLOYED' : event?.type === 'JobUndeployed' ? 'UNDEPLOYED' : event?.type === 'GoalChanged' ? 'GOAL_CHANGED' : 'NOT_MODIFIED';
    return { host: req.host, jobId, status, ...(event?.type === 'JobDeployed' ? { ports: event.ports } : {}), sequence };
  };
  const token = (req: JobOnHostRequest) => (req.token === undefined ? {} : { token: req.token });
  const hostRegistered = (host: string) => view.host(host) !== undefined;

  const setGoal = (req: JobOnHostRequest, goal: 'START' | 'STOP') =>
    run(req, (jobId, time) => ({ type: 'SetGoal', host: req.host, hostRegistered: hostRegistered(req.host), jobId, goal, ...token(req), time }));

  return [
    route(SchedulerCommand.DEPLOY, DeployRequest, (req) =>
      run(req, (jobId, time) => {
        // checked on every attempt; the append's guard (the job unchanged since) makes it hold against a racing remove-job
        const job = view.job(jobId);
        if (!job) throw new DomainError(ErrorCode.JOB_NOT_FOUND, `Job not found: ${jobId}`, { jobId });
        const portRange = view.host(req.host)?.portRange ?? policy.defaultPortRange;
        return { type: 'Deploy', host: req.host, hostRegistered: hostRegistered(req.host), job, goal: req.goal ?? 'START', ...token(req), portRange, time };
      }),
    ),
    route(SchedulerCommand.UNDEPLOY, UndeployRequest, (req) =>
      run(req, (jobId, time) => {
        const group = req.deploymentGroupName === undefined ? {} : { deploymentGroupName: req.deploymentGroupName };
        const override = req.overrideGroup === true ? { overrideGroup: true } : {};
        return { type: 'Undeploy', host: req.host, hostRegistered: hostRegistered(req.host), jobId, ...token(req), ...group, ...override, time };
      }),
    ),
    route(SchedulerCommand.START, StartRequest, (req) => setGoal(req, 'START')),
    route(SchedulerCommand.STOP, StopRequest, (req) => setGoal(req, 'STOP')),
  ];
}
