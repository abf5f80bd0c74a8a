/**
 * The job: a container spec, with every field of a Helios job file (see the
 * Helios manual, "All Helios Job Options"). JSON field names are Helios's, so
 * `helios inspect --json` output and Helios job files can be used as they are.
 *
 * A `Job` value is always *normalised* (by `validateJob`): the fields Helios
 * defaults on read (`command`, `env`, `ports`, `registration`,
 * `registrationDomain`, `volumes`, `token`, `securityOpt`, `metadata`,
 * capabilities, `labels`, `ramdisks`) are always present, port protocols are
 * filled in, registration keys carry their protocol, capability lists are sorted
 * sets and `expires` is an ISO instant. Fields Helios leaves null stay optional;
 * their use-time defaults (`secondsToWaitBeforeKill` 120, rollout options) are
 * applied by the helpers at the end of this file, not stored, so they do not
 * change the job id.
 */

export type PortProtocol = 'tcp' | 'udp';

export interface PortMapping {
  readonly internalPort: number;
  /** Absent: a dynamic port, chosen by the agent. Present: a static port. */
  readonly externalPort?: number;
  readonly protocol: PortProtocol;
  /** Host address to publish on. */
  readonly ip?: string;
}

export interface ServicePortParameters {
  readonly tags?: readonly string[];
}

export interface ServicePorts {
  /** Port name (a key of `Job.ports`) → registration parameters. */
  readonly ports: Readonly<Record<string, ServicePortParameters>>;
}

export interface Resources {
  /** Bytes. */
  readonly memory?: number;
  /** Bytes of memory + swap. */
  readonly memorySwap?: number;
  /** Relative CPU weight (Docker's default is 1024). */
  readonly cpuShares?: number;
  /** CPUs allowed, e.g. "0-3". */
  readonly cpuset?: string;
}

export interface HttpHealthCheck {
  readonly type: 'http';
  /** A port *name* from `Job.ports`. */
  readonly port: string;
  readonly path: string;
}

export interface TcpHealthCheck {
  readonly type: 'tcp';
  readonly port: string;
}

export interface ExecHealthCheck {
  readonly type: 'exec';
  readonly command: readonly string[];
}

export type HealthCheck = HttpHealthCheck | TcpHealthCheck | ExecHealthCheck;

export const HEALTH_CHECK_TYPES = ['http', 'tcp', 'exec'] as const;

/** Per-job defaults for rolling updates; each field falls back to `DEFAULT_ROLLOUT_OPTIONS`. */
export interface RolloutOptions {
  readonly migrate?: boolean;
  readonly parallelism?: number;
  /** Seconds per host. */
  readonly timeout?: number;
  readonly overlap?: boolean;
  readonly token?: string;
  readonly ignoreFailures?: boolean;
}

export interface Job {
  /** `name:version:hash`, see job-id.ts. */
  readonly id: string;
  readonly image: string;
  readonly hostname?: string;
  /** Empty: the image's CMD. */
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly resources?: Resources;
  readonly ports: Readonly<Record<string, PortMapping>>;
  /** `"service/protocol"` → ports to register. */
  readonly registration: Readonly<Record<string, ServicePorts>>;
  /** Ending in "." is absolute; otherwise appended to the agent's domain. */
  readonly registrationDomain: string;
  /** Seconds between deregistration and stop. */
  readonly gracePeriod?: number;
  /** `"containerPath[:ro|rw]"` → host path, named volume or "" (anonymous volume). */
  readonly volumes: Readonly<Record<string, string>>;
  /** ISO instant after which the job is undeployed everywhere and removed. */
  readonly expires?: string;
  /** Set by the server. */
  readonly creatingUser?: string;
  /** Set by the server: epoch milliseconds, as in Helios's JSON. */
  readonly created?: number;
  /** Must be presented to deploy, undeploy, start/stop and remove the job. */
  readonly token: string;
  readonly healthCheck?: HealthCheck;
  readonly securityOpt: readonly string[];
  /** `bridge` | `host` | `none` | `container:<name|id>`; absent means Docker's default. */
  readonly networkMode?: string;
  /** Stored and returned, never acted on. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly addCapabilities: readonly string[];
  readonly dropCapabilities: readonly string[];
  /** Docker container labels. */
  readonly labels: Readonly<Record<string, string>>;
  readonly secondsToWaitBeforeKill?: number;
  /** Mount point → tmpfs options. */
  readonly ramdisks: Readonly<Record<string, string>>;
  readonly rolloutOptions?: RolloutOptions;
  /** Docker runtime, e.g. `nvidia`. */
  readonly runtime?: string;
}

/** Every top-level field of a job file, in the manual's terms. */
export const JOB_FIELDS = [
  'id',
  'image',
  'hostname',
  'command',
  'env',
  'resources',
  'ports',
  'registration',
  'registrationDomain',
  'gracePeriod',
  'volumes',
  'expires',
  'creatingUser',
  'created',
  'token',
  'healthCheck',
  'securityOpt',
  'networkMode',
  'metadata',
  'addCapabilities',
  'dropCapabilities',
  'labels',
  'secondsToWaitBeforeKill',
  'ramdisks',
  'rolloutOptions',
  'runtime',
] as const satisfies readonly (keyof Job)[];

/** The part of a job its id hash covers: everything but the id and what the server stamps on creation. */
export type JobSpec = Omit<Job, 'id' | 'created' | 'creatingUser'>;

/** Helios's docker stop timeout when the job does not say. */
export const DEFAULT_SECONDS_TO_WAIT_BEFORE_KILL = 120;

/** Helios's `RolloutOptions` defaults. */
export const DEFAULT_ROLLOUT_OPTIONS: Required<RolloutOptions> = {
  migrate: false,
  parallelism: 1,
  timeout: 300,
  overlap: false,
  token: '',
  ignoreFailures: false,
};

export function secondsToWaitBeforeKill(job: Pick<Job, 'secondsToWaitBeforeKill'>): number {
  return job.secondsToWaitBeforeKill ?? DEFAULT_SECONDS_TO_WAIT_BEFORE_KILL;
}

function definedOnly(options: RolloutOptions | undefined): RolloutOptions {
  return Object.fromEntries(Object.entries(options ?? {}).filter(([, value]) => value !== undefined));
}

/** Rollout options with Helios's precedence: the request, then the job, then the defaults. */
export function effectiveRolloutOptions(
  job: Pick<Job, 'rolloutOptions'>,
  request: RolloutOptions = {},
): Required<RolloutOptions> {
  return { ...DEFAULT_ROLLOUT_OPTIONS, ...definedOnly(job.rolloutOptions), ...definedOnly(request) };
}

/** Static (external) ports, which make a job conflict with a grace period and with other jobs on a host. */
export function hasStaticPorts(job: Pick<Job, 'ports'>): boolean {
  return Object.values(job.ports).some((port) => port.externalPort !== undefined);
}

/**
 * A job with only its id and image, every other field at the value the
 * validator fills in when it is absent (the normalised form agents receive).
 */
export function minimalJob(id: string, image: string): Job {
  return {
    id,
    image,
    command: [],
    env: {},
    ports: {},
    registration: {},
    registrationDomain: '',
    volumes: {},
    token: '',
    securityOpt: [],
    metadata: {},
    addCapabilities: [],
    dropCapabilities: [],
    labels: {},
    ramdisks: {},
  };
}
