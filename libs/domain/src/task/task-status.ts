/**
 * Helios's task model. The goal is what the scheduler wants for a job on a
 * host; the state is what the agent observes. UNDEPLOY is never stored: a job
 * missing from a host's desired state is to be undeployed.
 */
export const GOALS = ['START', 'STOP', 'UNDEPLOY'] as const;
export type Goal = (typeof GOALS)[number];

export const TASK_STATES = [
  'PULLING_IMAGE',
  'CREATING',
  'STARTING',
  'HEALTHCHECKING',
  'RUNNING',
  'EXITED',
  'STOPPING',
  'STOPPED',
  'FAILED',
  'UNKNOWN',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Why the agent is holding back restarts; image failures win over flapping. */
export const THROTTLE_STATES = ['NO', 'FLAPPING', 'IMAGE_MISSING', 'IMAGE_PULL_FAILED'] as const;
export type ThrottleState = (typeof THROTTLE_STATES)[number];

/** What an agent reports for one job on its host. */
export interface TaskStatus {
  readonly jobId: string;
  readonly goal: Goal;
  readonly state: TaskState;
  readonly throttled: ThrottleState;
  readonly containerId?: string;
  /** actual mappings, external ports filled in: port name → host port */
  readonly ports: Readonly<Record<string, number>>;
  /** the container's effective environment */
  readonly env?: Readonly<Record<string, string>>;
  readonly containerError?: string;
  readonly exitCode?: number;
  /** With EXITED: the last lines the container wrote (at most LOG_TAIL_LINES, each cut at LOG_TAIL_LINE_LENGTH), when the agent could read them */
  readonly logTail?: readonly string[];
  /** ISO time the agent observed this state */
  readonly time: string;
}

/** How many of an exited container's last lines its status carries, and how long each may be: enough to say why, small enough for every event. */
export const LOG_TAIL_LINES = 5;
export const LOG_TAIL_LINE_LENGTH = 200;

export function isTaskState(value: unknown): value is TaskState {
  return typeof value === 'string' && (TASK_STATES as readonly string[]).includes(value);
}

export function isGoal(value: unknown): value is Goal {
  return typeof value === 'string' && (GOALS as readonly string[]).includes(value);
}

export function isThrottleState(value: unknown): value is ThrottleState {
  return typeof value === 'string' && (THROTTLE_STATES as readonly string[]).includes(value);
}
