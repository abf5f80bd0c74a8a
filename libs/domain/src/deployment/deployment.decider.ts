import type { Decider, DomainCommand, DomainEvent } from '../decider';
import { DomainError, ErrorCode } from '../errors';
import type { PortRange } from '../host/port-range';
import type { Job, PortProtocol } from '../job/job';
import type { Goal, TaskStatus } from '../task/task-status';
import { allocatePorts, type PortUse } from './port-allocation';

/**
 * The deployment aggregate: one per HOST (aggregate id = host name), holding
 * every job deployed there. One stream per host makes the host-wide rules —
 * a static port used once per protocol, a job deployed once — hold under one
 * optimistic-concurrency check: of two concurrent deploys to a host exactly
 * one appends, the other re-decides on fresh state.
 *
 * The scheduler resolves the job (JOB_NOT_FOUND is its check) and says
 * whether the host is registered (`hostRegistered`), because that lives in
 * the host aggregate; this decider throws HOST_NOT_FOUND from it.
 */

/** UNDEPLOY is never stored: an undeployed job is simply absent. */
export type DeploymentGoal = Exclude<Goal, 'UNDEPLOY'>;

export interface Deploy extends DomainCommand<'Deploy'> {
  readonly host: string;
  readonly hostRegistered: boolean;
  readonly job: Job;
  /** Default START; STOP is Helios's `deploy --no-start` (ports are reserved all the same). */
  readonly goal?: DeploymentGoal;
  /** Must equal the job's token; absent counts as "". */
  readonly token?: string;
  /** Set when a deployment group's rollout deploys the job. */
  readonly deploymentGroupName?: string;
  /** The host's dynamic port range. */
  readonly portRange: PortRange;
}

export interface Undeploy extends DomainCommand<'Undeploy'> {
  readonly host: string;
  readonly hostRegistered: boolean;
  readonly jobId: string;
  readonly token?: string;
  /** Required, and equal, when the deployment belongs to a deployment group. */
  readonly deploymentGroupName?: string;
  /**
   * An admin's undeploy of a group's deployment without naming the group
   * (the gateway checks the role), e.g. one a removed group left behind.
   */
  readonly overrideGroup?: boolean;
}

/** `start` / `stop`. */
export interface SetGoal extends DomainCommand<'SetGoal'> {
  readonly host: string;
  readonly hostRegistered: boolean;
  readonly jobId: string;
  readonly goal: DeploymentGoal;
  readonly token?: string;
}

/** What the host's agent reported for one job. */
export interface RecordTaskStatus extends DomainCommand<'RecordTaskStatus'> {
  readonly host: string;
  readonly status: TaskStatus;
}

/**
 * One agent report: every transition of the host's tasks since the last
 * report, in order; recorded as one append (fewer, larger writes).
 */
export interface RecordTaskStatuses extends DomainCommand<'RecordTaskStatuses'> {
  readonly host: string;
  readonly statuses: readonly TaskStatus[];
}

/** After DeregisterHost: Helios deletes the host's deployments and port reservations with it. */
export interface ClearHostDeployments extends DomainCommand<'ClearHostDeployments'> {
  readonly host: string;
}

export type DeploymentCommand = Deploy | Undeploy | SetGoal | RecordTaskStatus | RecordTaskStatuses | ClearHostDeployments;

export interface JobDeployed extends DomainEvent<'JobDeployed'> {
  readonly host: string;
  readonly jobId: string;
  readonly goal: DeploymentGoal;
  /** Port name → host port, static and allocated dynamic: fixed for the deployment's lifetime. */
  readonly ports: Readonly<Record<string, number>>;
  readonly protocols: Readonly<Record<string, PortProtocol>>;
  readonly deploymentGroupName?: string;
  /** The job's token ("" for none), kept so undeploy/start/stop can be checked without the job. */
  readonly token: string;
  readonly time: string;
}

export interface JobUndeployed extends DomainEvent<'JobUndeployed'> {
  readonly host: string;
  readonly jobId: string;
  readonly time: string;
}

export interface GoalChanged extends DomainEvent<'GoalChanged'> {
  readonly host: string;
  readonly jobId: string;
  readonly goal: DeploymentGoal;
  readonly time: string;
}

export interface TaskStatusChanged extends DomainEvent<'TaskStatusChanged'> {
  readonly host: string;
  readonly jobId: string;
  readonly status: TaskStatus;
}

export interface HostDeploymentsCleared extends DomainEvent<'HostDeploymentsCleared'> {
  readonly host: string;
  readonly jobIds: readonly string[];
  readonly time: string;
}

export type DeploymentEvent = JobDeployed | JobUndeployed | GoalChanged | TaskStatusChanged | HostDeploymentsCleared;

export interface HostDeployment {
  readonly jobId: string;
  readonly goal: DeploymentGoal;
  readonly ports: Readonly<Record<string, number>>;
  readonly protocols: Readonly<Record<string, PortProtocol>>;
  readonly deploymentGroupName?: string;
  readonly token: string;
  readonly deployedAt: string;
  /** The last status the agent reported that changed something. */
  readonly lastStatus?: TaskStatus;
}

/** An undeployed job whose container the agent is still stopping: its reports stay part of the history. */
export interface StoppingTask {
  readonly jobId: string;
  readonly undeployedAt: string;
  readonly lastStatus: TaskStatus;
}

export interface DeploymentState {
  /** Job id → its deployment on this host. */
  readonly deployments: Readonly<Record<string, HostDeployment>>;
  /**
   * Job id → an undeployed job until its container reported STOPPED (the
   * agent removes it then), so the history shows the stop (STOPPING →
   * STOPPED, with an EXITED and its code when it died or was killed). Absent: none.
   */
  readonly stopping?: Readonly<Record<string, StoppingTask>>;
}

/**
 * After this the agent removes an undeployed job's container: nothing more
 * to record. An EXITED (the container died or was killed) is recorded and
 * still followed: the agent reports STOPPED after it.
 */
const STOPPED_STATES: readonly TaskStatus['state'][] = ['STOPPED'];

function stoppingOf(state: DeploymentState, jobId: string): StoppingTask | undefined {
  const stopping = state.stopping ?? {};
  return Object.prototype.hasOwnProperty.call(stopping, jobId) ? stopping[jobId] : undefined;
}

/** The host's stopping tasks without `jobId` (and without the field once empty, so state stays as before). */
function withoutStopping(state: DeploymentState, jobId: string): Pick<DeploymentState, 'stopping'> {
  const rest = Object.fromEntries(Object.entries(state.stopping ?? {}).filter(([id]) => id !== jobId));
  return Object.keys(rest).length === 0 ? {} : { stopping: rest };
}

function deploymentOf(state: DeploymentState, jobId: string): HostDeployment | undefined {
  return Object.prototype.hasOwnProperty.call(state.deployments, jobId) ? state.deployments[jobId] : undefined;
}

function assertHost(command: { readonly host: string; readonly hostRegistered: boolean }): void {
  if (!command.hostRegistered) {
    throw new DomainError(ErrorCode.HOST_NOT_FOUND, `Host not found: ${command.host}`, { host: command.host });
  }
}

/** Helios compares exactly, so a token sent for a job without one is refused too. */
function assertToken(presented: string | undefined, expected: string, host: string, jobId: string): void {
  if ((presented ?? '') !== expected) {
    throw new DomainError(ErrorCode.FORBIDDEN, `Token does not match for job ${jobId}`, { host, jobId });
  }
}

function deployedJob(command: { readonly host: string; readonly jobId: string }, state: DeploymentState): HostDeployment {
  const deployment = deploymentOf(state, command.jobId);
  if (deployment === undefined) {
    throw new DomainError(ErrorCode.JOB_NOT_DEPLOYED, `Job ${command.jobId} is not deployed on host ${command.host}`, {
      host: command.host,
      jobId: command.jobId,
    });
  }
  return deployment;
}

/** Every host port in use on the host, with its protocol and owner. */
export function portsInUse(state: DeploymentState): PortUse[] {
  return Object.values(state.deployments).flatMap((deployment) =>
    Object.entries(deployment.ports).flatMap(([name, port]) => {
      const protocol = deployment.protocols[name];
      return protocol === undefined ? [] : [{ port, protocol, jobId: deployment.jobId }];
    }),
  );
}

function deploy(command: Deploy, state: DeploymentState): DeploymentEvent[] {
  const { host, job } = command;
  // Helios's order: token, host, already deployed, ports
  assertToken(command.token, job.token, host, job.id);
  assertHost(command);
  if (deploymentOf(state, job.id) !== undefined) {
    throw new DomainError(ErrorCode.JOB_ALREADY_DEPLOYED, `Job ${job.id} is already deployed on host ${host}`, { host, jobId: job.id });
  }
  const { ports, protocols } = allocatePorts(host, job, portsInUse(state), command.portRange);
  const group = command.deploymentGroupName;
  return [
    {
      type: 'JobDeployed',
      host,
      jobId: job.id,
      goal: command.goal ?? 'START',
      ports,
      protocols,
      ...(group === undefined ? {} : { deploymentGroupName: group }),
      token: job.token,
      time: command.time,
    },
  ];
}

function undeploy(command: Undeploy, state: DeploymentState): DeploymentEvent[] {
  assertHost(command);
  const deployment = deployedJob(command, state);
  assertToken(command.token, deployment.token, command.host, command.jobId);
  const group = deployment.deploymentGroupName;
  // a group's rollout owns its deployments: a manual undeploy would be silently redone or break the rollout
  if (group !== undefined && command.deploymentGroupName !== group && command.overrideGroup !== true) {
    throw new DomainError(
      ErrorCode.FORBIDDEN,
      `Job ${command.jobId} on host ${command.host} belongs to deployment group ${group}: name the group to undeploy it (an admin may override)`,
      { host: command.host, jobId: command.jobId, deploymentGroupName: group },
    );
  }
  return [{ type: 'JobUndeployed', host: command.host, jobId: command.jobId, time: command.time }];
}

function setGoal(command: SetGoal, state: DeploymentState): DeploymentEvent[] {
  assertHost(command);
  const deployment = deployedJob(command, state);
  assertToken(command.token, deployment.token, command.host, command.jobId);
  if (deployment.goal === command.goal) return [];
  return [{ type: 'GoalChanged', host: command.host, jobId: command.jobId, goal: command.goal, time: command.time }];
}

function sameObservation(a: TaskStatus, b: TaskStatus): boolean {
  return a.state === b.state && a.containerId === b.containerId && a.throttled === b.throttled && a.exitCode === b.exitCode;
}

function recordTaskStatus(command: RecordTaskStatus, state: DeploymentState): DeploymentEvent[] {
  const { status } = command;
  // an undeployed job's stop is history until its container is gone; other reports for jobs not deployed here are late or foreign
  const deployment = deploymentOf(state, status.jobId);
  const stopping = stoppingOf(state, status.jobId);
  if (deployment === undefined && stopping === undefined) return [];
  const last = deployment === undefined ? stopping?.lastStatus : deployment.lastStatus;
  if (last !== undefined && sameObservation(last, status)) return [];
  return [{ type: 'TaskStatusChanged', host: command.host, jobId: status.jobId, status }];
}

/** Each status is judged against the state the earlier ones of the same report left. */
function recordTaskStatuses(command: RecordTaskStatuses, state: DeploymentState): DeploymentEvent[] {
  const events: DeploymentEvent[] = [];
  let current = state;
  for (const status of command.statuses) {
    for (const event of recordTaskStatus({ type: 'RecordTaskStatus', host: command.host, status, time: command.time }, current)) {
      events.push(event);
      current = evolve(current, event);
    }
  }
  return events;
}

function decide(command: DeploymentCommand, state: DeploymentState): DeploymentEvent[] {
  switch (command.type) {
    case 'Deploy':
      return deploy(command, state);
    case 'Undeploy':
      return undeploy(command, state);
    case 'SetGoal':
      return setGoal(command, state);
    case 'RecordTaskStatus':
      return recordTaskStatus(command, state);
    case 'RecordTaskStatuses':
      return recordTaskStatuses(command, state);
    case 'ClearHostDeployments': {
      const jobIds = Object.keys(state.deployments).sort();
      // recorded with no deployments too: a deploy racing the host's deregistration then conflicts on this aggregate's version
      return [{ type: 'HostDeploymentsCleared', host: command.host, jobIds, time: command.time }];
    }
  }
}

function withDeployment(state: DeploymentState, jobId: string, change: (d: HostDeployment) => HostDeployment): DeploymentState {
  const deployment = deploymentOf(state, jobId);
  return deployment === undefined ? state : { ...state, deployments: { ...state.deployments, [jobId]: change(deployment) } };
}

/** The job leaves the deployments; a container the agent had reported and not yet stopped is followed until it stops. */
function undeployed(state: DeploymentState, event: JobUndeployed): DeploymentState {
  const deployment = deploymentOf(state, event.jobId);
  const deployments = Object.fromEntries(Object.entries(state.deployments).filter(([jobId]) => jobId !== event.jobId));
  const last = deployment?.lastStatus;
  if (last === undefined || STOPPED_STATES.includes(last.state)) return { deployments, ...withoutStopping(state, event.jobId) };
  const task: StoppingTask = { jobId: event.jobId, undeployedAt: event.time, lastStatus: last };
  return { deployments, stopping: { ...state.stopping, [event.jobId]: task } };
}

function statusChanged(state: DeploymentState, event: TaskStatusChanged): DeploymentState {
  if (deploymentOf(state, event.jobId) !== undefined) return withDeployment(state, event.jobId, (deployment) => ({ ...deployment, lastStatus: event.status }));
  const task = stoppingOf(state, event.jobId);
  if (task === undefined) return state;
  if (STOPPED_STATES.includes(event.status.state)) return { deployments: state.deployments, ...withoutStopping(state, event.jobId) };
  return { ...state, stopping: { ...state.stopping, [event.jobId]: { ...task, lastStatus: event.status } } };
}

function evolve(state: DeploymentState, event: DeploymentEvent): DeploymentState {
  switch (event.type) {
    case 'JobDeployed': {
      const { jobId, goal, ports, protocols, deploymentGroupName, token, time } = event;
      const group = deploymentGroupName === undefined ? {} : { deploymentGroupName };
      const deployment: HostDeployment = { jobId, goal, ports, protocols, ...group, token, deployedAt: time };
      // deployed again: its reports belong to the new deployment
      return { deployments: { ...state.deployments, [jobId]: deployment }, ...withoutStopping(state, jobId) };
    }
    case 'JobUndeployed':
      return undeployed(state, event);
    case 'GoalChanged':
      return withDeployment(state, event.jobId, (deployment) => ({ ...deployment, goal: event.goal }));
    case 'TaskStatusChanged':
      return statusChanged(state, event);
    case 'HostDeploymentsCleared':
      return { deployments: {} };
  }
}

export const deploymentDecider: Decider<DeploymentCommand, DeploymentEvent, DeploymentState> = {
  initialState: { deployments: {} },
  decide,
  evolve,
};

/** The aggregate a deployment command targets: its host. */
export function deploymentAggregateIdOf(command: DeploymentCommand): string {
  return command.host;
}
