import type { DesiredTask, PortRange, TaskStatus } from '@berth/domain';
import { encodeSubjectToken } from './subject-token';
import { agentSubject, hostSubject } from './subjects';

/**
 * The conversation between the scheduler and the agent of host H. An agent
 * publishes only on `berth.agent.H.>` and listens only on `berth.host.H.>`
 * and its own inbox prefix `_INBOX.H.` (AGENT_INBOX_PREFIX), so NATS
 * permissions can confine it to its own host.
 */
export const AgentTopic = {
  /** request/reply: RegisterHostMessage → CommandResponse<RegisterHostResult> */
  REGISTER: 'register',
  /** publish, every heartbeat interval: HeartbeatMessage (never an event) */
  HEARTBEAT: 'heartbeat',
  /** JetStream publish into STATUS_STREAM: TaskStatusReport */
  STATUS: 'status',
  /** request/reply: DesiredStateRequest → CommandResponse<DesiredState> */
  DESIRED_REQUEST: 'desired-request',
} as const;

export const HostTopic = {
  /** publish by the scheduler on every change of the host's deployments: DesiredState */
  DESIRED: 'desired',
  /**
   * publish by the scheduler while a rollout prestages: PrepareImageMessage.
   * The agent pulls the image (if it is not local yet) and answers with an
   * ImageStatus in a TaskStatusReport's `images`; the scheduler re-sends
   * until the host reported PULLED, so a lost message or answer only delays.
   */
  PREPARE_IMAGE: 'prepare-image',
} as const;

/** Agent status reports travel through this stream (memory storage: observed state is re-derivable). */
export const STATUS_STREAM = 'BERTH_STATUS';
export const STATUS_SUBJECT_WILDCARD = `berth.agent.*.${AgentTopic.STATUS}`;
/** Every agent's heartbeats: the scheduler's liveness, and the gateway's host stats (load, memory). */
export const HEARTBEAT_SUBJECT_WILDCARD = `berth.agent.*.${AgentTopic.HEARTBEAT}`;
export const SCHEDULER_STATUS_CONSUMER = 'berth-scheduler-status';

export function agentInboxPrefix(host: string): string {
  return `_INBOX.${encodeSubjectToken(host)}`;
}

export const agentSubjects = (host: string) => ({
  register: agentSubject(host, AgentTopic.REGISTER),
  heartbeat: agentSubject(host, AgentTopic.HEARTBEAT),
  status: agentSubject(host, AgentTopic.STATUS),
  desiredRequest: agentSubject(host, AgentTopic.DESIRED_REQUEST),
  desired: hostSubject(host, HostTopic.DESIRED),
  prepareImage: hostSubject(host, HostTopic.PREPARE_IMAGE),
});

/** Pull this image now, before the rollout switches the host to `jobId` (PrepareImage of a prestaging rollout). */
export interface PrepareImageMessage {
  readonly host: string;
  readonly rolloutId: string;
  readonly jobId: string;
  readonly image: string;
}

/** A PrepareImage message as received from the wire, checked; undefined when it is not one. */
export function readPrepareImageMessage(value: unknown): PrepareImageMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  const text = (field: keyof PrepareImageMessage): string | undefined => (typeof m[field] === 'string' && m[field] !== '' ? (m[field] as string) : undefined);
  const [host, rolloutId, jobId, image] = [text('host'), text('rolloutId'), text('jobId'), text('image')];
  if (host === undefined || rolloutId === undefined || jobId === undefined || image === undefined) return undefined;
  return { host, rolloutId, jobId, image };
}

/** The outcome of a PrepareImage: the image is local, or why it is not (the task throttle states' names). */
export const ImageState = {
  PULLED: 'PULLED',
  IMAGE_MISSING: 'IMAGE_MISSING',
  IMAGE_PULL_FAILED: 'IMAGE_PULL_FAILED',
} as const;
export type ImageState = (typeof ImageState)[keyof typeof ImageState];

export interface ImageStatus {
  readonly image: string;
  /** the PrepareImageMessage answered */
  readonly rolloutId: string;
  readonly jobId: string;
  readonly state: ImageState;
  /** the engine's or registry's message when not PULLED */
  readonly error?: string;
  readonly time: string;
}

export interface HostInfo {
  readonly hostname: string;
  readonly dockerVersion?: string;
  readonly agentVersion: string;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly osType?: string;
  /** environment the agent adds to every container (`--env`) */
  readonly env: Readonly<Record<string, string>>;
}

export interface RegisterHostMessage {
  readonly host: string;
  /** unique per agent installation; a new id takes over a name only after the old one is DOWN long enough */
  readonly agentId: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly info: HostInfo;
  /** range for dynamic ports on this host, the domain's half-open PortRange (Helios's --port-range 20000:32768) */
  readonly portRange?: PortRange;
}

export interface RegisterHostResult {
  readonly host: string;
  readonly status: 'REGISTERED' | 'UPDATED' | 'NOT_MODIFIED';
}

/**
 * A host's load and memory as its agent measures them (`os.loadavg()`,
 * `os.totalmem()`, `os.freemem()`), sent with every heartbeat: they change
 * all the time, so they are never events (Helios's LOAD AVG and MEM USAGE).
 */
export interface HostStats {
  /** the 1, 5 and 15 minute load averages */
  readonly loadAvg: readonly [number, number, number];
  readonly memoryTotalBytes: number;
  readonly memoryFreeBytes: number;
}

export interface HeartbeatMessage {
  readonly host: string;
  readonly agentId: string;
  readonly time: string;
  /** absent from agents older than the stats (and from test agents that send none) */
  readonly stats?: HostStats;
}

const finiteAtLeastZero = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** A heartbeat's stats as received from the wire, checked; undefined when absent or malformed (a bad value is never shown). */
export function readHostStats(value: unknown): HostStats | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { loadAvg, memoryTotalBytes, memoryFreeBytes } = value as Record<string, unknown>;
  if (!Array.isArray(loadAvg) || loadAvg.length !== 3 || !loadAvg.every(finiteAtLeastZero)) return undefined;
  if (!finiteAtLeastZero(memoryTotalBytes) || memoryTotalBytes === 0 || !finiteAtLeastZero(memoryFreeBytes) || memoryFreeBytes > memoryTotalBytes) return undefined;
  const [one, five, fifteen] = loadAvg as [number, number, number];
  return { loadAvg: [one, five, fifteen], memoryTotalBytes, memoryFreeBytes };
}

/** Helios's MEM USAGE: the share of memory in use, 0–1. */
export function memoryUsage(stats: Pick<HostStats, 'memoryTotalBytes' | 'memoryFreeBytes'>): number {
  return (stats.memoryTotalBytes - stats.memoryFreeBytes) / stats.memoryTotalBytes;
}

export interface DesiredStateRequest {
  readonly host: string;
  readonly agentId: string;
}

/** One job the host should have (built by the domain's desiredTasksOf). */
export type { DesiredTask };

/** The full desired state of one host; a newer `revision` replaces an older one. */
export interface DesiredState {
  readonly host: string;
  /** stream sequence this state reflects; agents ignore a revision older than one they have */
  readonly revision: number;
  readonly tasks: readonly DesiredTask[];
}

/**
 * Status of the tasks on one host, coalesced per agent per tick: `tasks`
 * holds every transition since the last report, in order (a job may appear
 * several times). `full: true` adds every task the agent supervises (sent
 * on start, reconnect and periodically).
 */
export interface TaskStatusReport {
  readonly host: string;
  readonly agentId: string;
  readonly time: string;
  readonly full: boolean;
  readonly tasks: readonly TaskStatus[];
  /** answers to PrepareImage messages (absent in reports about tasks only) */
  readonly images?: readonly ImageStatus[];
}
