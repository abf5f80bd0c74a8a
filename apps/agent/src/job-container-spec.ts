import type { ContainerSpec, PortBinding, VolumeBind } from '@berth/container-runtime';
import { JOB_FIELDS, type Job, secondsToWaitBeforeKill } from '@berth/domain';

/** Labels the agent puts on every container it creates, so it can find (adopt, reap) them after a restart. */
export const BerthLabel = {
  AGENT_ID: 'berth.agent-id',
  JOB_ID: 'berth.job-id',
  HOST: 'berth.host',
} as const;

/** Prefix of the `BERTH_PORT_<name>=<host>:<port>` variables (Helios: `HELIOS_PORT_<name>`). */
export const PORT_ENV_PREFIX = 'BERTH_PORT_';

export interface ContainerSpecContext {
  readonly agentId: string;
  /** The agent's `--name`: the host part of `BERTH_PORT_*`. */
  readonly host: string;
  /** `--env` of the agent: the lowest precedence. */
  readonly agentEnv: Readonly<Record<string, string>>;
  /** Port name → host port, for every port of the job (static and allocated). */
  readonly ports: Readonly<Record<string, number>>;
  /** Makes the container name unique (hex); the agent passes random bytes. */
  readonly nameSuffix: string;
  readonly init?: boolean;
  /** The agent's `--dns` servers. */
  readonly dns?: readonly string[];
  /** The agent's `--add-host` entries, `host:ip`. */
  readonly extraHosts?: readonly string[];
}

/** The task cannot be turned into a container (e.g. a port without a host port); it becomes FAILED. */
export class InvalidTaskError extends Error {
  override readonly name = 'InvalidTaskError';
  readonly code = 'INVALID_TASK';
}

/** Every container of agent `agentId` is named with this prefix (Helios: `helios-<agentId>`). */
export function containerNamePrefix(agentId: string): string {
  return `berth-${agentId}-`;
}

/** `berth-<agentId>-<name>_<version>_<hash7>-<suffix>`; characters Docker refuses become `_`. */
export function containerName(agentId: string, jobId: string, suffix: string): string {
  const [name = '', version = '', hash = ''] = jobId.split(':');
  const readable = [name, version, hash.slice(0, 7)].filter((part) => part !== '').join('_');
  return `${containerNamePrefix(agentId)}${readable.replace(/[^a-zA-Z0-9_-]/g, '_')}-${suffix}`;
}

const KNOWN_JOB_FIELDS: ReadonlySet<string> = new Set(JOB_FIELDS);

/**
 * Job + where it runs → what the runtime creates. Throws InvalidTaskError for
 * a port with no valid host or container port, and for a job field this agent
 * does not know (from a newer scheduler): running the container without what
 * that field asks for would be running something else.
 */
export function jobContainerSpec(job: Job, ctx: ContainerSpecContext): ContainerSpec {
  const unknown = Object.keys(job).filter((field) => !KNOWN_JOB_FIELDS.has(field));
  if (unknown.length > 0) throw new InvalidTaskError(`job fields unknown to this agent: ${unknown.sort().join(', ')}`);
  for (const [name, mapping] of Object.entries(job.ports)) {
    if (!isPort(mapping.internalPort)) throw new InvalidTaskError(`port "${name}": invalid container port ${String(mapping.internalPort)}`);
    if (mapping.protocol !== 'tcp' && mapping.protocol !== 'udp') throw new InvalidTaskError(`port "${name}": invalid protocol ${String(mapping.protocol)}`);
  }
  const hostNetworking = job.networkMode === 'host' || (job.networkMode ?? '').startsWith('container:');
  const portBindings = hostNetworking ? undefined : portBindingsOf(job, ctx.ports);
  const resources = job.resources ?? {};
  return {
    name: containerName(ctx.agentId, job.id, ctx.nameSuffix),
    image: job.image,
    command: job.command.length > 0 ? [...job.command] : undefined,
    env: { ...ctx.agentEnv, ...portEnv(job, ctx.host, ctx.ports), ...job.env },
    labels: {
      ...job.labels,
      [BerthLabel.AGENT_ID]: ctx.agentId,
      [BerthLabel.JOB_ID]: job.id,
      [BerthLabel.HOST]: ctx.host,
    },
    networkMode: job.networkMode,
    hostname: job.hostname,
    volumes: parseVolumes(job.volumes),
    tmpfs: Object.keys(job.ramdisks).length > 0 ? { ...job.ramdisks } : undefined,
    memory: resources.memory,
    memorySwap: resources.memorySwap,
    cpuShares: resources.cpuShares,
    cpuset: resources.cpuset,
    capAdd: job.addCapabilities.length > 0 ? [...job.addCapabilities] : undefined,
    capDrop: job.dropCapabilities.length > 0 ? [...job.dropCapabilities] : undefined,
    securityOpt: job.securityOpt.length > 0 ? [...job.securityOpt] : undefined,
    portBindings: portBindings !== undefined && Object.keys(portBindings).length > 0 ? portBindings : undefined,
    stopTimeout: secondsToWaitBeforeKill(job),
    init: ctx.init,
    dns: ctx.dns !== undefined && ctx.dns.length > 0 ? [...ctx.dns] : undefined,
    extraHosts: ctx.extraHosts !== undefined && ctx.extraHosts.length > 0 ? [...ctx.extraHosts] : undefined,
    runtime: job.runtime,
  };
}

/** `BERTH_PORT_<name>=<host>:<hostPort>` for every port of the job. */
export function portEnv(job: Pick<Job, 'ports'>, host: string, ports: Readonly<Record<string, number>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of Object.keys(job.ports)) {
    env[`${PORT_ENV_PREFIX}${name}`] = `${host}:${hostPortOf(name, ports)}`;
  }
  return env;
}

function portBindingsOf(job: Job, ports: Readonly<Record<string, number>>): Record<string, PortBinding> {
  const bindings: Record<string, PortBinding> = {};
  for (const [name, mapping] of Object.entries(job.ports)) {
    const binding: PortBinding = { hostPort: hostPortOf(name, ports) };
    bindings[`${mapping.internalPort}/${mapping.protocol}`] = mapping.ip === undefined ? binding : { ...binding, hostIp: mapping.ip };
  }
  return bindings;
}

function hostPortOf(name: string, ports: Readonly<Record<string, number>>): number {
  const port = ports[name];
  if (port === undefined) throw new InvalidTaskError(`port "${name}" has no host port allocated`);
  if (!isPort(port)) throw new InvalidTaskError(`port "${name}": invalid host port ${String(port)}`);
  return port;
}

function isPort(port: unknown): port is number {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535;
}

/**
 * Helios volume entries, `"containerPath[:ro|rw]": source`: an empty source is
 * an anonymous volume, an absolute path a bind mount, anything else a named volume.
 */
export function parseVolumes(volumes: Readonly<Record<string, string>>): VolumeBind[] {
  return Object.entries(volumes).map(([target, source]) => {
    const match = /^(.*):(ro|rw)$/.exec(target);
    const containerPath = match?.[1] ?? target;
    const readOnly = match?.[2] === 'ro';
    if (source === '') return readOnly ? { containerPath, readOnly } : { containerPath };
    return { containerPath, hostPath: source, readOnly };
  });
}
