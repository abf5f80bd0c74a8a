/**
 * What the agent needs from a container engine, and nothing more. Implemented
 * by `DockerRuntime` (a real engine through dockerode) and `SimulatedRuntime`
 * (in memory, for unit tests and fleet benchmarks); both pass the same
 * contract suite (`runtime-contract.ts`).
 */
export interface ContainerRuntime {
  /** Resolves when the engine answers; rejects with RUNTIME_UNAVAILABLE otherwise. */
  ping(): Promise<void>;
  imageExists(image: string): Promise<boolean>;
  /** Pulls `image` (with a tag, e.g. `registry:5000/app:1.2`); IMAGE_PULL_FAILED when the registry refuses. */
  pullImage(image: string, auth?: RegistryAuth): Promise<void>;
  /** Creates (does not start) a container; IMAGE_MISSING when the image is not local. Returns its id. */
  createContainer(spec: ContainerSpec): Promise<string>;
  /** Starting a running container is a no-op. */
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after `timeoutSeconds`. Stopping a stopped container is a no-op. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  /** Removes a stopped container (or a running one with `force`) and its anonymous volumes. */
  removeContainer(id: string, options?: RemoveOptions): Promise<void>;
  /** `undefined` when there is no such container. Accepts an id or a name. */
  inspectContainer(id: string): Promise<ContainerInfo | undefined>;
  /** Containers in any state, matching every given filter. */
  listContainers(filter?: ContainerFilter): Promise<ContainerSummary[]>;
  /** Resolves with the exit code once the container is not running (at once if it already is not). */
  waitContainer(id: string): Promise<number>;
  /** Runs `cmd` inside a running container and resolves with its exit code. */
  exec(id: string, cmd: readonly string[]): Promise<number>;
  /** The last `lines` lines the container wrote (stdout and stderr, in order), in any state; CONTAINER_NOT_FOUND for an unknown one. */
  logTail(id: string, lines: number): Promise<string[]>;
}

export interface RegistryAuth {
  readonly username: string;
  readonly password: string;
  /** e.g. `127.0.0.1:5000`; defaults to the registry named in the image. */
  readonly serverAddress?: string;
}

/** A host path (or an anonymous volume when `hostPath` is absent) mounted into the container. */
export interface VolumeBind {
  readonly containerPath: string;
  readonly hostPath?: string;
  readonly readOnly?: boolean;
}

export interface PortBinding {
  readonly hostIp?: string;
  readonly hostPort: number;
}

export interface ContainerSpec {
  /** Unique per engine; the agent derives it from the job id so it can adopt its containers after a restart. */
  readonly name: string;
  readonly image: string;
  /** Replaces the image's CMD. */
  readonly command?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  /** `host`, `none`, `bridge` or `container:<id>`. */
  readonly networkMode?: string;
  readonly hostname?: string;
  readonly user?: string;
  readonly workingDir?: string;
  readonly volumes?: readonly VolumeBind[];
  /** Mount point → options (e.g. `{'/run': 'rw,size=64m'}`). */
  readonly tmpfs?: Readonly<Record<string, string>>;
  /** Bytes. */
  readonly memory?: number;
  /** Bytes, memory + swap; -1 for unlimited swap. */
  readonly memorySwap?: number;
  readonly cpuShares?: number;
  /** e.g. `0-1` or `0,2`. */
  readonly cpuset?: string;
  readonly capAdd?: readonly string[];
  readonly capDrop?: readonly string[];
  readonly securityOpt?: readonly string[];
  /** Keyed `<containerPort>/<proto>`, e.g. `8080/tcp`. Has no effect with host networking. */
  readonly portBindings?: Readonly<Record<string, PortBinding>>;
  /** Seconds between SIGTERM and SIGKILL when the engine itself stops the container. */
  readonly stopTimeout?: number;
  /** Run a tiny init as PID 1 so that SIGTERM reaches programs that do not handle it (busybox sleep, httpd). */
  readonly init?: boolean;
  /** DNS servers for the container's resolv.conf (`docker run --dns`). */
  readonly dns?: readonly string[];
  /** `host:ip` lines added to the container's /etc/hosts (`docker run --add-host`). */
  readonly extraHosts?: readonly string[];
  /** OCI runtime the engine runs the container with (`docker run --runtime`), e.g. `runc` or `nvidia`. */
  readonly runtime?: string;
}

export interface RemoveOptions {
  readonly force?: boolean;
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerInfo {
  readonly id: string;
  /** Without Docker's leading `/`. */
  readonly name: string;
  readonly image: string;
  readonly state: ContainerState;
  readonly running: boolean;
  /** Set once the container has run and exited; `undefined` while running or never started. */
  readonly exitCode: number | undefined;
  readonly startedAt: Date | undefined;
  readonly finishedAt: Date | undefined;
  readonly labels: Readonly<Record<string, string>>;
  /** The effective environment, including variables from the image. */
  readonly env: Readonly<Record<string, string>>;
}

export interface ContainerSummary {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly state: ContainerState;
  readonly running: boolean;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ContainerFilter {
  /** Names starting with this prefix. */
  readonly namePrefix?: string;
  /** Containers carrying all of these labels with these values. */
  readonly labels?: Readonly<Record<string, string>>;
}

const CONTAINER_STATES: ReadonlySet<string> = new Set<ContainerState>([
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
]);

export function toContainerState(value: string | undefined): ContainerState {
  return value !== undefined && CONTAINER_STATES.has(value) ? (value as ContainerState) : 'dead';
}

export function matchesFilter(
  candidate: { readonly name: string; readonly labels: Readonly<Record<string, string>> },
  filter: ContainerFilter | undefined,
): boolean {
  if (filter?.namePrefix !== undefined && !candidate.name.startsWith(filter.namePrefix)) return false;
  for (const [key, value] of Object.entries(filter?.labels ?? {})) {
    if (candidate.labels[key] !== value) return false;
  }
  return true;
}
