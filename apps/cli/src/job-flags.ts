import { UsageError } from './errors';

/** A job file as JSON: the fields are checked by the domain's validator, not here. */
export type JobInput = Record<string, unknown>;

export interface PortSpec {
  readonly name: string;
  readonly mapping: { readonly internalPort: number; readonly externalPort?: number; readonly protocol: 'tcp' | 'udp'; readonly ip?: string };
}

/** `K=V` (the value may contain `=`; an empty value is allowed). */
export function parsePair(text: string, flag: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new UsageError(`${flag} "${text}": expected KEY=VALUE`);
  return [text.slice(0, at), text.slice(at + 1)];
}

const PORT = /^([_\-\w]+)=(?:(\d{1,3}(?:\.\d{1,3}){3}):)?(\d+)(?::(\d+))?(?:\/(\w+))?$/;

/** Helios's `-p name=[ip:]internal[:external][/tcp|udp]`; no external port means a dynamic one. */
export function parsePortSpec(text: string): PortSpec {
  const m = PORT.exec(text);
  if (!m) throw new UsageError(`--port "${text}": expected name=[ip:]internal[:external][/tcp|udp]`);
  const [, name = '', ip, internal = '', external, protocol = 'tcp'] = m;
  if (protocol !== 'tcp' && protocol !== 'udp') throw new UsageError(`--port "${text}": protocol must be tcp or udp`);
  return {
    name,
    mapping: { internalPort: Number(internal), ...(external !== undefined ? { externalPort: Number(external) } : {}), protocol, ...(ip !== undefined ? { ip } : {}) },
  };
}

/**
 * Helios's `--volume [src:]containerPath[:ro|rw]` → the job's volumes entry:
 * key `containerPath[:ro|rw]`, value the host path ("" for an anonymous volume).
 */
export function parseVolumeSpec(text: string): [string, string] {
  const parts = text.split(':');
  const mode = parts.length > 1 && (parts.at(-1) === 'ro' || parts.at(-1) === 'rw') ? parts.pop() : undefined;
  if (parts.length > 2 || parts.some((p) => p === '')) throw new UsageError(`--volume "${text}": expected [source:]containerPath[:ro|rw]`);
  const [first = '', second] = parts;
  const [source, target] = second === undefined ? ['', first] : [first, second];
  if (!target.startsWith('/')) throw new UsageError(`--volume "${text}": the container path must be absolute`);
  return [mode ? `${target}:${mode}` : target, source];
}

/**
 * Helios's `-r service[/protocol][=portName]`; without `=portName` the job
 * must have exactly one port. The protocol defaults to `http`, as Helios's code does.
 */
export function parseRegistration(text: string, portNames: readonly string[]): [string, string] {
  const m = /^([_\-\w]+)(?:\/([_\-\w]+))?(?:=(\S+))?$/.exec(text);
  if (!m) throw new UsageError(`--register "${text}": expected service[/protocol][=portName]`);
  const [, service = '', protocol = 'http', explicitPort] = m;
  let port = explicitPort;
  if (port === undefined) {
    if (portNames.length !== 1) throw new UsageError(`--register "${text}": name the port (=portName) when the job does not have exactly one port`);
    port = portNames[0] ?? '';
  }
  return [`${service}/${protocol}`, port];
}

/** `--http-check port:path`, `--tcp-check port`, `--exec-check "cmd args"`: at most one. */
export function parseHealthCheck(flags: { httpCheck?: string; tcpCheck?: string; execCheck?: string }): JobInput | undefined {
  const given = [flags.httpCheck, flags.tcpCheck, flags.execCheck].filter((f) => f !== undefined);
  if (given.length > 1) throw new UsageError('Only one health check may be specified.');
  if (flags.httpCheck !== undefined) {
    const at = flags.httpCheck.indexOf(':');
    if (at <= 0 || !flags.httpCheck.slice(at + 1).startsWith('/')) throw new UsageError(`--http-check "${flags.httpCheck}": expected portName:/path`);
    return { type: 'http', port: flags.httpCheck.slice(0, at), path: flags.httpCheck.slice(at + 1) };
  }
  if (flags.tcpCheck !== undefined) return { type: 'tcp', port: flags.tcpCheck };
  if (flags.execCheck !== undefined) {
    const command = flags.execCheck.trim().split(/\s+/).filter(Boolean);
    if (command.length === 0) throw new UsageError('--exec-check: give a command');
    return { type: 'exec', command };
  }
  return undefined;
}

/** What `berth create` read from its command line (repeatable flags are arrays). */
export interface CreateFlags {
  readonly id?: string;
  readonly image?: string;
  readonly command: readonly string[];
  readonly env?: readonly string[];
  readonly metadata?: readonly string[];
  readonly port?: readonly string[];
  readonly register?: readonly string[];
  readonly volume?: readonly string[];
  readonly labels?: readonly string[];
  readonly securityOpt?: readonly string[];
  readonly addCapability?: readonly string[];
  readonly dropCapability?: readonly string[];
  readonly token?: string;
  readonly hostname?: string;
  readonly gracePeriod?: string;
  readonly expires?: string;
  readonly networkMode?: string;
  readonly registrationDomain?: string;
  readonly runtime?: string;
  readonly httpCheck?: string;
  readonly tcpCheck?: string;
  readonly execCheck?: string;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
}

function pairs(list: readonly string[] | undefined, flag: string): Record<string, string> {
  return Object.fromEntries((list ?? []).map((p) => parsePair(p, flag)));
}

function union(base: unknown, extra: readonly string[] | undefined): unknown {
  if (!extra || extra.length === 0) return base;
  return [...new Set([...(Array.isArray(base) ? (base as unknown[]).map(String) : []), ...extra])];
}

/**
 * Helios's `create` merge: the job file (or template) first, then the command
 * line over it. Scalars given on the command line replace the file's; maps
 * (env, metadata, ports, volumes, labels, registration) are merged key by key
 * with the command line winning; lists (capabilities, security options) are
 * unions; a command given after `--` replaces the file's. `GIT_COMMIT` from
 * the environment goes into metadata, as Helios does.
 */
export function mergeJob(base: JobInput, flags: CreateFlags, environment: Readonly<Record<string, string | undefined>> = {}): JobInput {
  const job: JobInput = { ...base };
  if (flags.id !== undefined) job['id'] = flags.id;
  if (flags.image !== undefined) job['image'] = flags.image;
  if (flags.command.length > 0) job['command'] = [...flags.command];
  const scalars: [keyof CreateFlags, string][] = [
    ['token', 'token'],
    ['hostname', 'hostname'],
    ['expires', 'expires'],
    ['networkMode', 'networkMode'],
    ['registrationDomain', 'registrationDomain'],
    ['runtime', 'runtime'],
  ];
  for (const [flag, field] of scalars) if (flags[flag] !== undefined) job[field] = flags[flag];
  if (flags.gracePeriod !== undefined) {
    const seconds = Number(flags.gracePeriod);
    if (!Number.isInteger(seconds) || seconds < 0) throw new UsageError(`--grace-period "${flags.gracePeriod}": expected whole seconds`);
    job['gracePeriod'] = seconds;
  }

  const env = pairs(flags.env, '--env');
  if (Object.keys(env).length > 0) job['env'] = { ...record(base['env']), ...env };
  const metadata = pairs(flags.metadata, '--metadata');
  const gitCommit = environment['GIT_COMMIT'];
  if (gitCommit) metadata['GIT_COMMIT'] = gitCommit;
  if (Object.keys(metadata).length > 0) job['metadata'] = { ...record(base['metadata']), ...metadata };
  const labels = pairs(flags.labels, '--labels');
  if (Object.keys(labels).length > 0) job['labels'] = { ...record(base['labels']), ...labels };

  const ports = record(base['ports']);
  const cliPortNames = new Set<string>();
  for (const spec of (flags.port ?? []).map(parsePortSpec)) {
    if (cliPortNames.has(spec.name)) throw new UsageError(`Duplicate port mapping: ${spec.name}`);
    cliPortNames.add(spec.name);
    ports[spec.name] = spec.mapping;
  }
  if (cliPortNames.size > 0) job['ports'] = ports;

  if (flags.register && flags.register.length > 0) {
    const registration = record(base['registration']);
    for (const text of flags.register) {
      const [key, port] = parseRegistration(text, Object.keys(ports));
      const entry = record(registration[key]);
      registration[key] = { ports: { ...record(entry['ports']), [port]: {} } };
    }
    job['registration'] = registration;
  }

  if (flags.volume && flags.volume.length > 0) job['volumes'] = { ...record(base['volumes']), ...Object.fromEntries(flags.volume.map(parseVolumeSpec)) };
  const securityOpt = union(base['securityOpt'], flags.securityOpt);
  if (securityOpt !== base['securityOpt']) job['securityOpt'] = securityOpt;
  const add = union(base['addCapabilities'], flags.addCapability);
  if (add !== base['addCapabilities']) job['addCapabilities'] = add;
  const drop = union(base['dropCapabilities'], flags.dropCapability);
  if (drop !== base['dropCapabilities']) job['dropCapabilities'] = drop;

  const healthCheck = parseHealthCheck(flags);
  if (healthCheck !== undefined) job['healthCheck'] = healthCheck;
  return job;
}
