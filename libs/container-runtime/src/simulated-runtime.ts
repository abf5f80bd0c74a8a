import {
  type ContainerFilter,
  type ContainerInfo,
  type ContainerRuntime,
  type ContainerSpec,
  type ContainerState,
  type ContainerSummary,
  type RegistryAuth,
  type RemoveOptions,
  matchesFilter,
} from './container-runtime';
import {
  ContainerNameConflictError,
  ContainerNotFoundError,
  ContainerRuntimeError,
  ContainerStateConflictError,
  ImageMissingError,
  ImagePullFailedError,
  RuntimeErrorCode,
  RuntimeUnavailableError,
} from './runtime-errors';
import { type SimulationTimer, realTimer, seededRandom } from './simulation-timer';

export interface SimulatedRuntimeOptions {
  /** Defaults to real time; pass a `ManualTimer` in unit tests. */
  readonly timer?: SimulationTimer;
  /** How long `startContainer` takes (Docker here: ~100 ms). Default 0. */
  readonly startDelayMs?: number;
  /** How long a successful `pullImage` takes. Default 0. */
  readonly pullDelayMs?: number;
  /** Fraction (0..1) of starts whose program crashes at once with exit code 1. Default 0. */
  readonly failureRate?: number;
  /** Seed of the PRNG behind `failureRate` and container ids; same seed, same run. Default 1. */
  readonly seed?: number;
  /** Images present locally from the start. */
  readonly images?: readonly string[];
  /** Which images a registry would serve. Default: every image. */
  readonly pullable?: (image: string) => boolean;
  /** When set, pulls succeed only with these credentials. */
  readonly registryAuth?: RegistryAuth;
  /**
   * Outcome of health checks: the exit code of `exec` for commands other than
   * `true`, `false` and `sh -c 'exit N'`, and of `isHealthy`. Default healthy.
   */
  readonly health?: 'healthy' | 'unhealthy' | ((container: ContainerInfo) => boolean);
}

/** What a simulated program does once started, read from its command (see `programOf`). */
type Program = { readonly kind: 'exit'; readonly code: number; readonly afterMs: number; readonly output?: readonly string[] } | { readonly kind: 'serve' };

interface SimulatedContainer {
  readonly id: string;
  readonly spec: ContainerSpec;
  state: ContainerState;
  exitCode: number | undefined;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  cancelExit: (() => void) | undefined;
  waiters: ((exitCode: number) => void)[];
}

/** Exit code of a program stopped by SIGTERM (128 + 15), as with `init: true` on Docker. */
const SIGTERM_EXIT_CODE = 143;

/**
 * An in-memory `ContainerRuntime` FOR UNIT TESTS AND FLEET BENCHMARKS ONLY:
 * it runs nothing. Containers follow Docker's state machine and error codes
 * (held to the same contract suite as `DockerRuntime`); time comes from an
 * injectable timer and randomness from a seeded PRNG, so runs are repeatable.
 *
 * Programs are simulated from the command (entrypoint + cmd): `true` exits 0,
 * `false` exits 1, `sh -c 'exit N'` exits N (after any `echo TEXT` steps, whose
 * lines `logTail` gives), `sleep N` exits 0 after N
 * seconds; anything else serves until stopped. A stop ends the program with
 * exit code 143 (SIGTERM) at once.
 */
export class SimulatedRuntime implements ContainerRuntime {
  private readonly timer: SimulationTimer;
  private readonly random: () => number;
  private readonly images: Set<string>;
  private readonly containers = new Map<string, SimulatedContainer>();
  private available = true;

  constructor(private readonly options: SimulatedRuntimeOptions = {}) {
    this.timer = options.timer ?? realTimer;
    this.random = seededRandom(options.seed ?? 1);
    this.images = new Set((options.images ?? []).map(normalizeImage));
  }

  /** Simulates the engine going away (every call fails with RUNTIME_UNAVAILABLE) and coming back. */
  setAvailable(available: boolean): void {
    this.available = available;
  }

  /** Adds an image as if it had been pulled or imported. */
  addImage(image: string): void {
    this.images.add(normalizeImage(image));
  }

  /** Ends a running container's program with `exitCode`, as a crash would. */
  crash(id: string, exitCode = 1): void {
    const c = this.find(id);
    if (c.state === 'running') this.exit(c, exitCode);
  }

  /** The configured health outcome for a container (for simulated http/tcp checks). */
  async isHealthy(id: string): Promise<boolean> {
    const info = await this.inspectContainer(id);
    if (info === undefined) throw new ContainerNotFoundError(id);
    return info.running && this.healthOf(info);
  }

  async ping(): Promise<void> {
    this.ensureAvailable();
  }

  async imageExists(image: string): Promise<boolean> {
    this.ensureAvailable();
    return this.images.has(normalizeImage(image));
  }

  async pullImage(image: string, auth?: RegistryAuth): Promise<void> {
    this.ensureAvailable();
    const required = this.options.registryAuth;
    if (required !== undefined && (auth?.username !== required.username || auth.password !== required.password)) {
      throw new ImagePullFailedError(image, 'no basic auth credentials');
    }
    if (!(this.options.pullable ?? (() => true))(image)) {
      throw new ImagePullFailedError(image, 'manifest unknown or registry unreachable');
    }
    await this.delay(this.options.pullDelayMs ?? 0);
    this.images.add(normalizeImage(image));
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    this.ensureAvailable();
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(spec.name)) {
      throw new ContainerRuntimeError(RuntimeErrorCode.RUNTIME_ERROR, `Invalid container name (${spec.name})`);
    }
    if (!this.images.has(normalizeImage(spec.image))) throw new ImageMissingError(spec.image);
    if ([...this.containers.values()].some((c) => c.spec.name === spec.name)) {
      throw new ContainerNameConflictError(spec.name);
    }
    const id = this.newId();
    this.containers.set(id, {
      id,
      spec,
      state: 'created',
      exitCode: undefined,
      startedAt: undefined,
      finishedAt: undefined,
      cancelExit: undefined,
      waiters: [],
    });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.ensureAvailable();
    if (this.find(id).state === 'running') return;
    await this.delay(this.options.startDelayMs ?? 0);
    const c = this.find(id); // it may have been removed during the delay
    if (c.state === 'running') return;
    c.state = 'running';
    c.exitCode = undefined;
    c.startedAt = this.timer.now();
    c.finishedAt = undefined;
    const crashes = (this.options.failureRate ?? 0) > 0 && this.random() < (this.options.failureRate ?? 0);
    const program: Program = crashes ? { kind: 'exit', code: 1, afterMs: 0 } : programOf(c.spec);
    if (program.kind === 'exit' && program.afterMs === 0) this.exit(c, program.code);
    else if (program.kind === 'exit') c.cancelExit = this.timer.schedule(program.afterMs, () => this.exit(c, program.code));
  }

  async stopContainer(id: string, _timeoutSeconds: number): Promise<void> {
    this.ensureAvailable();
    const c = this.find(id);
    if (c.state === 'running') this.exit(c, SIGTERM_EXIT_CODE);
  }

  async removeContainer(id: string, options: RemoveOptions = {}): Promise<void> {
    this.ensureAvailable();
    const c = this.find(id);
    if (c.state === 'running' && options.force !== true) {
      throw new ContainerStateConflictError(id, `You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`);
    }
    if (c.state === 'running') this.exit(c, 137);
    this.containers.delete(c.id);
  }

  async inspectContainer(id: string): Promise<ContainerInfo | undefined> {
    this.ensureAvailable();
    const c = this.lookup(id);
    return c === undefined ? undefined : toInfo(c);
  }

  async listContainers(filter?: ContainerFilter): Promise<ContainerSummary[]> {
    this.ensureAvailable();
    return [...this.containers.values()]
      .map(toInfo)
      .filter((info) => matchesFilter(info, filter))
      .map(({ id, name, image, state, running, labels }) => ({ id, name, image, state, running, labels }));
  }

  async waitContainer(id: string): Promise<number> {
    this.ensureAvailable();
    const c = this.find(id);
    if (c.state !== 'running') return c.exitCode ?? 0;
    return new Promise<number>((resolve) => c.waiters.push(resolve));
  }

  async logTail(id: string, lines: number): Promise<string[]> {
    this.ensureAvailable();
    const c = this.find(id);
    const program = programOf(c.spec);
    // a program writes its lines once it has run
    const written = c.startedAt !== undefined && program.kind === 'exit' ? (program.output ?? []) : [];
    return written.slice(-lines);
  }

  async exec(id: string, cmd: readonly string[]): Promise<number> {
    this.ensureAvailable();
    const c = this.find(id);
    if (c.state !== 'running') throw new ContainerStateConflictError(id, `Container ${c.id} is not running`);
    const program = programOf({ ...c.spec, entrypoint: undefined, command: cmd });
    if (program.kind === 'exit') return program.code;
    return this.healthOf(toInfo(c)) ? 0 : 1;
  }

  private exit(c: SimulatedContainer, exitCode: number): void {
    c.cancelExit?.();
    c.cancelExit = undefined;
    c.state = 'exited';
    c.exitCode = exitCode;
    c.finishedAt = this.timer.now();
    const waiters = c.waiters;
    c.waiters = [];
    for (const resolve of waiters) resolve(exitCode);
  }

  private healthOf(info: ContainerInfo): boolean {
    const health = this.options.health ?? 'healthy';
    return typeof health === 'function' ? health(info) : health === 'healthy';
  }

  /** Docker accepts a full id, a unique id prefix, or a name. */
  private lookup(ref: string): SimulatedContainer | undefined {
    const exact = this.containers.get(ref);
    if (exact !== undefined) return exact;
    const all = [...this.containers.values()];
    const byName = all.find((c) => c.spec.name === ref.replace(/^\//, ''));
    if (byName !== undefined) return byName;
    const byPrefix = all.filter((c) => ref.length > 0 && c.id.startsWith(ref));
    return byPrefix.length === 1 ? byPrefix[0] : undefined;
  }

  private find(ref: string): SimulatedContainer {
    const c = this.lookup(ref);
    if (c === undefined) throw new ContainerNotFoundError(ref);
    return c;
  }

  private ensureAvailable(): void {
    if (!this.available) throw new RuntimeUnavailableError('Simulated Docker engine unavailable');
  }

  private delay(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => this.timer.schedule(ms, resolve));
  }

  private newId(): string {
    let id = '';
    while (id.length < 64) id += Math.floor(this.random() * 0x100000000).toString(16).padStart(8, '0');
    return this.containers.has(id) ? this.newId() : id;
  }
}

function toInfo(c: SimulatedContainer): ContainerInfo {
  return {
    id: c.id,
    name: c.spec.name,
    image: c.spec.image,
    state: c.state,
    running: c.state === 'running',
    exitCode: c.exitCode,
    startedAt: c.startedAt === undefined ? undefined : new Date(c.startedAt),
    finishedAt: c.finishedAt === undefined ? undefined : new Date(c.finishedAt),
    labels: { ...c.spec.labels },
    env: { ...c.spec.env },
  };
}

/** The simulated behaviour of a command line; see `SimulatedRuntime`. */
function programOf(spec: Pick<ContainerSpec, 'entrypoint' | 'command'>): Program {
  const argv = [...(spec.entrypoint ?? []), ...(spec.command ?? [])].map((a) => a.replace(/^\/bin\//, ''));
  const [cmd, ...args] = argv;
  if (cmd === 'true') return { kind: 'exit', code: 0, afterMs: 0 };
  if (cmd === 'false') return { kind: 'exit', code: 1, afterMs: 0 };
  if (cmd === 'sleep' && args.length === 1 && /^\d+(\.\d+)?$/.test(args[0] ?? '')) {
    return { kind: 'exit', code: 0, afterMs: Number(args[0]) * 1000 };
  }
  const script = cmd === 'sh' && args[0] === '-c' ? (args[1] ?? '').trim() : undefined;
  if (script === undefined) return { kind: 'serve' };
  // `echo a; echo b >&2; exit 3`: lines written, then the exit
  const steps = script.split(';').map((step) => step.trim());
  const exit = /^exit(?:\s+(\d+))?$/.exec(steps[steps.length - 1] ?? '');
  const echoes = steps.slice(0, -1).map((step) => /^echo\s+(.*?)(?:\s*>&2)?$/.exec(step));
  if (!exit || echoes.some((echo) => echo === null)) return { kind: 'serve' };
  const output = echoes.map((echo) => (echo?.[1] ?? '').replace(/^(['"])(.*)\1$/, '$2'));
  return { kind: 'exit', code: Number(exit[1] ?? 0) & 0xff, afterMs: 0, ...(output.length > 0 ? { output } : {}) };
}

/** `busybox` and `busybox:latest` are the same image, as in Docker. */
function normalizeImage(image: string): string {
  const lastSlash = image.lastIndexOf('/');
  return image.includes('@') || image.lastIndexOf(':') > lastSlash ? image : `${image}:latest`;
}
