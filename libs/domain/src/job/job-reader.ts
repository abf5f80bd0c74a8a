import type { Problem } from '../errors';
import {
  addProblem,
  childPath,
  isAbsent,
  isJsonObject,
  readBoolean,
  readInteger,
  readMap,
  readObject,
  readString,
  readStringArray,
  readStringMap,
  unknownProperties,
  type JsonObject,
} from '../json-reader';
import {
  HEALTH_CHECK_TYPES,
  JOB_FIELDS,
  type HealthCheck,
  type Job,
  type PortMapping,
  type Resources,
  type RolloutOptions,
  type ServicePortParameters,
  type ServicePorts,
} from './job';

/**
 * Reading a job file: JSON types and shapes only, with Helios's defaults
 * filled in. Content rules (patterns, ranges, cross-references) are in
 * job-rules.ts. `id` and `image` stay optional here: a missing or ill-typed
 * one is reported here, and the later rules skip it.
 */
export type JobDraft = Omit<Job, 'id' | 'image'> & { readonly id?: string; readonly image?: string };

export interface JobReading {
  readonly draft: JobDraft;
  readonly problems: Problem[];
  /** Paths of properties that are not job fields; ignored, as Helios ignores them. */
  readonly ignored: string[];
}

interface Reader {
  readonly problems: Problem[];
  readonly ignored: string[];
}

/** Keeps only defined properties, so drafts and jobs never hold `undefined` values. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as T;
}

function knownObject(value: unknown, path: string, known: readonly string[], r: Reader): JsonObject | undefined {
  const object = readObject(value, path, r.problems);
  if (object !== undefined) r.ignored.push(...unknownProperties(object, known, path));
  return object;
}

function readResources(value: unknown, r: Reader): Resources | undefined {
  const o = knownObject(value, 'resources', ['memory', 'memorySwap', 'cpuShares', 'cpuset'], r);
  if (o === undefined) return undefined;
  const positive = { min: 1 };
  return compact({
    memory: readInteger(o['memory'], 'resources.memory', r.problems, positive),
    memorySwap: readInteger(o['memorySwap'], 'resources.memorySwap', r.problems, positive),
    cpuShares: readInteger(o['cpuShares'], 'resources.cpuShares', r.problems, positive),
    cpuset: readString(o['cpuset'], 'resources.cpuset', r.problems),
  });
}

function readProtocol(value: unknown, path: string, r: Reader): PortMapping['protocol'] {
  const protocol = readString(value, path, r.problems) ?? 'tcp';
  if (protocol === 'tcp' || protocol === 'udp') return protocol;
  addProblem(r.problems, path, `Invalid port mapping protocol: ${protocol}`);
  return 'tcp';
}

/** Always returns a mapping (a placeholder when ill-typed) so that references to the port name are not also reported. */
function readPortMapping(value: unknown, path: string, r: Reader): PortMapping {
  if (isAbsent(value)) addProblem(r.problems, path, 'must be an object');
  const o = knownObject(value, path, ['internalPort', 'externalPort', 'protocol', 'ip'], r);
  if (o === undefined) return { internalPort: 0, protocol: 'tcp' };
  if (isAbsent(o['internalPort'])) addProblem(r.problems, childPath(path, 'internalPort'), 'is required');
  return compact({
    internalPort: readInteger(o['internalPort'], childPath(path, 'internalPort'), r.problems) ?? 0,
    externalPort: readInteger(o['externalPort'], childPath(path, 'externalPort'), r.problems),
    protocol: readProtocol(o['protocol'], childPath(path, 'protocol'), r),
    ip: readString(o['ip'], childPath(path, 'ip'), r.problems),
  });
}

function readServicePortParameters(value: unknown, path: string, r: Reader): ServicePortParameters {
  const o = knownObject(value, path, ['tags'], r) ?? {};
  return compact({ tags: readStringArray(o['tags'], childPath(path, 'tags'), r.problems) });
}

function readServicePorts(value: unknown, path: string, key: string, r: Reader): ServicePorts {
  const malformed = `registration for '${key}' is malformed: does not have a port mapping`;
  if (isAbsent(value)) addProblem(r.problems, path, malformed);
  const o = knownObject(value, path, ['ports'], r);
  if (o === undefined) return { ports: {} };
  if (isAbsent(o['ports'])) addProblem(r.problems, childPath(path, 'ports'), malformed);
  const ports = readMap(o['ports'], childPath(path, 'ports'), r.problems, (entry, entryPath) =>
    readServicePortParameters(entry, entryPath, r),
  );
  return { ports: ports ?? {} };
}

/** Keys are `service/protocol`; a key without '/' gets Helios's default protocol `http`. */
function readRegistration(value: unknown, r: Reader): Record<string, ServicePorts> {
  const o = readObject(value, 'registration', r.problems) ?? {};
  const entries: [string, ServicePorts][] = [];
  for (const [key, entry] of Object.entries(o)) {
    const path = childPath('registration', key);
    const normalised = key.includes('/') ? key : `${key}/http`;
    if (entries.some(([existing]) => existing === normalised)) {
      addProblem(r.problems, path, `Duplicate service registration: ${normalised}`);
    }
    entries.push([normalised, readServicePorts(entry, path, key, r)]);
  }
  return Object.fromEntries(entries);
}

function readHealthCheck(value: unknown, r: Reader): HealthCheck | undefined {
  const o = knownObject(value, 'healthCheck', ['type', 'port', 'path', 'command'], r);
  if (o === undefined) return undefined;
  const type = readString(o['type'], 'healthCheck.type', r.problems);
  const port = readString(o['port'], 'healthCheck.port', r.problems) ?? '';
  switch (type) {
    case 'http':
      return { type, port, path: readString(o['path'], 'healthCheck.path', r.problems) ?? '' };
    case 'tcp':
      return { type, port };
    case 'exec':
      return { type, command: readStringArray(o['command'], 'healthCheck.command', r.problems) ?? [] };
    default:
      addProblem(r.problems, 'healthCheck.type', `must be one of ${HEALTH_CHECK_TYPES.join(', ')}`);
      return undefined;
  }
}

function readRolloutOptions(value: unknown, r: Reader): RolloutOptions | undefined {
  const known = ['migrate', 'parallelism', 'timeout', 'overlap', 'token', 'ignoreFailures'];
  const o = knownObject(value, 'rolloutOptions', known, r);
  if (o === undefined) return undefined;
  return compact({
    migrate: readBoolean(o['migrate'], 'rolloutOptions.migrate', r.problems),
    parallelism: readInteger(o['parallelism'], 'rolloutOptions.parallelism', r.problems, { min: 1 }),
    timeout: readInteger(o['timeout'], 'rolloutOptions.timeout', r.problems, { min: 1 }),
    overlap: readBoolean(o['overlap'], 'rolloutOptions.overlap', r.problems),
    token: readString(o['token'], 'rolloutOptions.token', r.problems),
    ignoreFailures: readBoolean(o['ignoreFailures'], 'rolloutOptions.ignoreFailures', r.problems),
  });
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

/** ISO-8601 text (a date, or date-time with zone) or epoch milliseconds, as Jackson reads a Date; normalised to `toISOString`. */
function readInstant(value: unknown, path: string, r: Reader): string | undefined {
  if (isAbsent(value)) return undefined;
  const text = typeof value === 'string' && ISO_INSTANT.test(value) ? value : undefined;
  const millis = typeof value === 'number' ? value : text === undefined ? NaN : Date.parse(text);
  if (Number.isSafeInteger(millis) && Math.abs(millis) <= 8.64e15) return new Date(millis).toISOString();
  addProblem(r.problems, path, 'must be an ISO-8601 date-time with a zone, e.g. 2030-06-01T12:00:00Z');
  return undefined;
}

/** A set of strings: sorted and without duplicates, so that order never changes the job id. */
function readStringSet(value: unknown, path: string, r: Reader): string[] {
  return [...new Set(readStringArray(value, path, r.problems) ?? [])].sort();
}

function readFields(o: JsonObject, r: Reader): JobDraft {
  const p = r.problems;
  // required: absent is reported here, once; a wrong type is reported by readString
  if (isAbsent(o['id'])) addProblem(p, 'id', 'Job id was not specified.');
  if (isAbsent(o['image'])) addProblem(p, 'image', 'Image was not specified.');
  return compact({
    id: readString(o['id'], 'id', p),
    image: readString(o['image'], 'image', p),
    hostname: readString(o['hostname'], 'hostname', p),
    command: readStringArray(o['command'], 'command', p) ?? [],
    env: readStringMap(o['env'], 'env', p) ?? {},
    resources: readResources(o['resources'], r),
    ports: readMap(o['ports'], 'ports', p, (entry, path) => readPortMapping(entry, path, r)) ?? {},
    registration: readRegistration(o['registration'], r),
    registrationDomain: readString(o['registrationDomain'], 'registrationDomain', p) ?? '',
    gracePeriod: readInteger(o['gracePeriod'], 'gracePeriod', p, { min: 0 }),
    volumes: readStringMap(o['volumes'], 'volumes', p) ?? {},
    expires: readInstant(o['expires'], 'expires', r),
    creatingUser: readString(o['creatingUser'], 'creatingUser', p),
    created: readInteger(o['created'], 'created', p, { min: 0 }),
    token: readString(o['token'], 'token', p) ?? '',
    healthCheck: readHealthCheck(o['healthCheck'], r),
    securityOpt: readStringArray(o['securityOpt'], 'securityOpt', p) ?? [],
    networkMode: readString(o['networkMode'], 'networkMode', p),
    metadata: readStringMap(o['metadata'], 'metadata', p) ?? {},
    addCapabilities: readStringSet(o['addCapabilities'], 'addCapabilities', r),
    dropCapabilities: readStringSet(o['dropCapabilities'], 'dropCapabilities', r),
    labels: readStringMap(o['labels'], 'labels', p) ?? {},
    secondsToWaitBeforeKill: readInteger(o['secondsToWaitBeforeKill'], 'secondsToWaitBeforeKill', p, { min: 0 }),
    ramdisks: readStringMap(o['ramdisks'], 'ramdisks', p) ?? {},
    rolloutOptions: readRolloutOptions(o['rolloutOptions'], r),
    runtime: readString(o['runtime'], 'runtime', p),
  });
}

/** Reads raw JSON into a job draft, recording every type problem. */
export function readJob(input: unknown): JobReading {
  const r: Reader = { problems: [], ignored: [] };
  if (!isJsonObject(input)) {
    addProblem(r.problems, '', 'A job must be a JSON object');
    return { draft: readFields({}, r), problems: r.problems, ignored: r.ignored };
  }
  const o = input;
  r.ignored.push(...unknownProperties(o, JOB_FIELDS, ''));
  return { draft: readFields(o, r), problems: r.problems, ignored: r.ignored };
}
