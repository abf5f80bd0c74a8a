import Docker from 'dockerode';
import type { Duplex } from 'node:stream';
import {
  type ContainerFilter,
  type ContainerInfo,
  type ContainerRuntime,
  type ContainerSpec,
  type ContainerSummary,
  type RegistryAuth,
  type RemoveOptions,
  matchesFilter,
  toContainerState,
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

export interface DockerRuntimeOptions {
  /** `unix:///path/docker.sock` or `tcp://host:port`; defaults to `$DOCKER_HOST`, then `/var/run/docker.sock`. */
  readonly dockerHost?: string;
}

/**
 * `ContainerRuntime` on a Docker engine through dockerode. No API version is
 * pinned: dockerode sends unversioned paths and the engine answers with its
 * own (Debian bookworm's dockerd 20.10 speaks API 1.41).
 */
export class DockerRuntime implements ContainerRuntime {
  readonly docker: Docker;

  constructor(dockerOrOptions: Docker | DockerRuntimeOptions = {}) {
    this.docker =
      dockerOrOptions instanceof Docker ? dockerOrOptions : new Docker(dockerConnectionOptions(dockerOrOptions.dockerHost));
  }

  async ping(): Promise<void> {
    await this.call(() => this.docker.ping(), {});
  }

  async imageExists(image: string): Promise<boolean> {
    try {
      await this.call(() => this.docker.getImage(image).inspect(), { image });
      return true;
    } catch (err) {
      if (err instanceof ContainerRuntimeError && err.code === RuntimeErrorCode.IMAGE_MISSING) return false;
      throw err;
    }
  }

  async pullImage(image: string, auth?: RegistryAuth): Promise<void> {
    const { repository, tag } = splitImageReference(image);
    const authconfig =
      auth === undefined
        ? undefined
        : { username: auth.username, password: auth.password, serveraddress: auth.serverAddress ?? registryOf(image) };
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.createImage(authconfig, { fromImage: repository, tag });
    } catch (err) {
      const mapped = mapDockerError(err, { image });
      if (mapped.code === RuntimeErrorCode.RUNTIME_UNAVAILABLE) throw mapped;
      throw new ImagePullFailedError(image, dockerMessage(err), { cause: err });
    }
    // Docker reports pull failures inside the 200 progress stream, as `{"error": ...}` lines.
    const failure = await new Promise<string | undefined>((resolve, reject) => {
      let error: string | undefined;
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve(error)),
        (event: { error?: string }) => {
          if (typeof event.error === 'string') error ??= event.error;
        },
      );
    }).catch((err: unknown) => `stream failed: ${dockerMessage(err)}`);
    if (failure !== undefined) throw new ImagePullFailedError(image, failure);
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    const container = await this.call(() => this.docker.createContainer(toCreateOptions(spec)), {
      image: spec.image,
      name: spec.name,
    });
    return container.id;
  }

  async startContainer(id: string): Promise<void> {
    await this.call(() => this.docker.getContainer(id).start(), { container: id }, [304]);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    await this.call(() => this.docker.getContainer(id).stop({ t: timeoutSeconds }), { container: id }, [304]);
  }

  async removeContainer(id: string, options: RemoveOptions = {}): Promise<void> {
    await this.call(() => this.docker.getContainer(id).remove({ force: options.force ?? false, v: true }), {
      container: id,
    });
  }

  async inspectContainer(id: string): Promise<ContainerInfo | undefined> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.call(() => this.docker.getContainer(id).inspect(), { container: id });
    } catch (err) {
      if (err instanceof ContainerRuntimeError && err.code === RuntimeErrorCode.CONTAINER_NOT_FOUND) return undefined;
      throw err;
    }
    const state = toContainerState(info.State.Status);
    return {
      id: info.Id,
      name: info.Name.replace(/^\//, ''),
      image: info.Config.Image,
      state,
      running: info.State.Running,
      exitCode: state === 'exited' || state === 'dead' ? info.State.ExitCode : undefined,
      startedAt: dockerTime(info.State.StartedAt),
      finishedAt: dockerTime(info.State.FinishedAt),
      labels: { ...(info.Config.Labels ?? {}) },
      env: parseEnv(info.Config.Env ?? []),
    };
  }

  async listContainers(filter?: ContainerFilter): Promise<ContainerSummary[]> {
    const filters: Record<string, string[]> = {};
    // Docker's name filter is a regex over `/name`; narrow on the engine, then match exactly here.
    if (filter?.namePrefix !== undefined) filters['name'] = [`^/${escapeRegExp(filter.namePrefix)}`];
    const labels = Object.entries(filter?.labels ?? {});
    if (labels.length > 0) filters['label'] = labels.map(([k, v]) => `${k}=${v}`);
    const found = await this.call(() => this.docker.listContainers({ all: true, filters }), {});
    return found
      .map((c): ContainerSummary => {
        const state = toContainerState(c.State);
        return {
          id: c.Id,
          name: (c.Names[0] ?? '').replace(/^\//, ''),
          image: c.Image,
          state,
          running: state === 'running',
          labels: { ...(c.Labels ?? {}) },
        };
      })
      .filter((c) => matchesFilter(c, filter));
  }

  async waitContainer(id: string): Promise<number> {
    const result = await this.call(
      () => this.docker.getContainer(id).wait({ condition: 'not-running' }) as Promise<{ StatusCode: number }>,
      { container: id },
    );
    return result.StatusCode;
  }

  async logTail(id: string, lines: number): Promise<string[]> {
    const raw = (await this.call(() => this.docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false, tail: lines }), { container: id })) as Buffer | string;
    const text = typeof raw === 'string' ? raw : demultiplex(raw);
    return text.split('\n').map((line) => line.replace(/\r$/, '')).filter((line, i, all) => i < all.length - 1 || line !== '').slice(-lines);
  }

  async exec(id: string, cmd: readonly string[]): Promise<number> {
    const container = this.docker.getContainer(id);
    const exec = await this.call(
      () => container.exec({ Cmd: [...cmd], AttachStdout: true, AttachStderr: true, Tty: false }),
      { container: id, execOnStopped: true },
    );
    const stream = (await this.call(() => exec.start({ hijack: true, stdin: false }), {
      container: id,
      execOnStopped: true,
    })) as Duplex;
    // The output is not needed, but it must be consumed for the stream to end.
    await new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', reject);
      stream.resume();
    });
    // The engine records the exit code just after the attach stream closes; re-inspect briefly if needed.
    for (let attempt = 0; ; attempt++) {
      const info = await this.call(() => exec.inspect(), { container: id });
      if (!info.Running && info.ExitCode !== null) return info.ExitCode;
      if (attempt >= 50) {
        throw new ContainerRuntimeError(RuntimeErrorCode.RUNTIME_ERROR, `exec in ${id} did not report an exit code`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10 + attempt * 10));
    }
  }

  /** Runs a dockerode call, ignoring the given HTTP statuses (304: already started/stopped) and mapping errors. */
  private async call<T>(fn: () => Promise<T>, context: ErrorContext, ignoreStatus: readonly number[] = []): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (ignoreStatus.includes(statusOf(err) ?? -1)) return undefined as T;
      throw mapDockerError(err, context);
    }
  }
}

interface ErrorContext {
  readonly image?: string;
  readonly container?: string;
  readonly name?: string;
  readonly execOnStopped?: boolean;
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

function mapDockerError(err: unknown, context: ErrorContext): ContainerRuntimeError {
  if (err instanceof ContainerRuntimeError) return err;
  const status = statusOf(err);
  const message = dockerMessage(err);
  if (status === undefined) {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) {
      return new RuntimeUnavailableError(`Docker engine unavailable: ${message}`, { cause: err });
    }
    return new ContainerRuntimeError(RuntimeErrorCode.RUNTIME_ERROR, message, { cause: err });
  }
  if (status === 404 && /no such image/i.test(message)) {
    return new ImageMissingError(context.image ?? message, { cause: err });
  }
  if (status === 404 && context.container !== undefined) {
    return new ContainerNotFoundError(context.container, { cause: err });
  }
  if (status === 404 && context.image !== undefined) return new ImageMissingError(context.image, { cause: err });
  if (status === 409 && context.name !== undefined && /already in use/i.test(message)) {
    return new ContainerNameConflictError(context.name, { cause: err });
  }
  if (status === 409 || (context.execOnStopped === true && /not running|is paused|is restarting/i.test(message))) {
    return new ContainerStateConflictError(context.container ?? context.name ?? '', message, { cause: err });
  }
  return new ContainerRuntimeError(RuntimeErrorCode.RUNTIME_ERROR, message, { cause: err });
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function dockerMessage(err: unknown): string {
  const json = (err as { json?: unknown } | null)?.json;
  if (json !== null && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message;
  }
  return err instanceof Error ? err.message : String(err);
}

/** dockerode connection options from a DOCKER_HOST value. */
export function dockerConnectionOptions(dockerHost = process.env['DOCKER_HOST']): Docker.DockerOptions {
  if (dockerHost === undefined || dockerHost === '') return { socketPath: '/var/run/docker.sock' };
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: url.port === '' ? 2375 : Number(url.port), protocol: 'http' };
}

function toCreateOptions(spec: ContainerSpec): Docker.ContainerCreateOptions {
  const binds = (spec.volumes ?? [])
    .filter((v) => v.hostPath !== undefined)
    .map((v) => `${v.hostPath}:${v.containerPath}${v.readOnly === true ? ':ro' : ''}`);
  const anonymous = (spec.volumes ?? []).filter((v) => v.hostPath === undefined);
  const ports = Object.entries(spec.portBindings ?? {});
  return {
    name: spec.name,
    Image: spec.image,
    Cmd: spec.command && [...spec.command],
    Entrypoint: spec.entrypoint && [...spec.entrypoint],
    Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
    Labels: { ...spec.labels },
    Hostname: spec.hostname,
    User: spec.user,
    WorkingDir: spec.workingDir,
    StopTimeout: spec.stopTimeout,
    Volumes: anonymous.length > 0 ? Object.fromEntries(anonymous.map((v) => [v.containerPath, {}])) : undefined,
    ExposedPorts: ports.length > 0 ? Object.fromEntries(ports.map(([port]) => [port, {}])) : undefined,
    HostConfig: {
      NetworkMode: spec.networkMode,
      Binds: binds.length > 0 ? binds : undefined,
      Tmpfs: spec.tmpfs && { ...spec.tmpfs },
      Memory: spec.memory,
      MemorySwap: spec.memorySwap,
      CpuShares: spec.cpuShares,
      CpusetCpus: spec.cpuset,
      CapAdd: spec.capAdd && [...spec.capAdd],
      CapDrop: spec.capDrop && [...spec.capDrop],
      SecurityOpt: spec.securityOpt && [...spec.securityOpt],
      Init: spec.init,
      Dns: spec.dns && [...spec.dns],
      ExtraHosts: spec.extraHosts && [...spec.extraHosts],
      Runtime: spec.runtime,
      PortBindings:
        ports.length > 0
          ? Object.fromEntries(
              ports.map(([port, b]) => [port, [{ HostIp: b.hostIp ?? '', HostPort: String(b.hostPort) }]]),
            )
          : undefined,
    },
  };
}

/** `repo[:tag]` or `repo@digest`, where the repository may carry a `host:port/` registry. */
export function splitImageReference(image: string): { repository: string; tag: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { repository: image.slice(0, at), tag: image.slice(at + 1) };
  const colon = image.lastIndexOf(':');
  if (colon > image.lastIndexOf('/')) return { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
  return { repository: image, tag: 'latest' };
}

/** The registry host of an image reference (`127.0.0.1:5000/app:1` → `127.0.0.1:5000`), Docker Hub otherwise. */
function registryOf(image: string): string {
  const first = image.split('/')[0] ?? '';
  const hasRegistry = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return hasRegistry ? first : 'https://index.docker.io/v1/';
}

function dockerTime(value: string | undefined): Date | undefined {
  if (value === undefined || value === '' || value.startsWith('0001-01-01')) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function parseEnv(entries: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    else env[entry] = '';
  }
  return env;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The text of a non-TTY container's log stream: Docker frames each chunk
 * with an 8-byte header (stream 1 or 2, three zero bytes, a big-endian
 * length). A buffer that does not start with one is taken as plain text.
 */
function demultiplex(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const stream = buffer[offset];
    if ((stream !== 0 && stream !== 1 && stream !== 2) || buffer[offset + 1] !== 0 || buffer[offset + 2] !== 0 || buffer[offset + 3] !== 0) break;
    const length = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  if (offset === 0) return buffer.toString('utf8');
  return Buffer.concat(parts).toString('utf8');
}
