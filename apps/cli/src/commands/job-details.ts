import { formatCommand, formatPairs } from '../table';

type Json = Record<string, unknown>;

function map(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function formatHealthCheck(check: unknown): string {
  const c = map(check);
  switch (c['type']) {
    case 'http':
      return `http: port=${String(c['port'])} path=${String(c['path'])}`;
    case 'tcp':
      return `tcp: port=${String(c['port'])}`;
    case 'exec':
      return `exec: ${formatCommand(list(c['command']))}`;
    default:
      return '';
  }
}

function formatPorts(ports: unknown): string {
  return Object.entries(map(ports))
    .map(([name, value]) => {
      const p = map(value);
      const ip = p['ip'] !== undefined ? `${String(p['ip'])}:` : '';
      const external = p['externalPort'] !== undefined ? String(p['externalPort']) : 'dynamic';
      return `${name}=${ip}${String(p['internalPort'])}:${external}/${String(p['protocol'] ?? 'tcp')}`;
    })
    .join(', ');
}

function formatRegistration(registration: unknown): string {
  return Object.entries(map(registration))
    .flatMap(([service, value]) => Object.keys(map(map(value)['ports'])).map((port) => `${service}=${port}`))
    .join(', ');
}

const RESOURCE_KEYS = ['memory', 'memorySwap', 'cpuShares', 'cpuset'] as const;

/** `memory=10485760, memorySwap=10485760, cpuShares=512, cpuset=0` (bytes, as the job file has them); only the limits set. */
function formatResources(resources: unknown): string {
  const r = map(resources);
  return RESOURCE_KEYS.filter((key) => r[key] !== undefined).map((key) => `${key}=${String(r[key])}`).join(', ');
}

/** `/tmp:rw,size=32m; /run:rw,noexec` (mount point and tmpfs options; `;` between them, as options hold commas) */
function formatRamdisks(ramdisks: unknown): string {
  return Object.entries(map(ramdisks))
    .map(([mountPoint, options]) => (options === '' ? mountPoint : `${mountPoint}:${String(options)}`))
    .join('; ');
}

/** `helios inspect`'s layout: one "Label: value" line per field (with Ramdisks and Resources, which Helios leaves out). */
export function formatJobDetails(job: Json): string {
  const created = typeof job['created'] === 'number' ? new Date(job['created']).toISOString() : '';
  const lines: [string, string][] = [
    ['Id', String(job['id'] ?? '')],
    ['Image', String(job['image'] ?? '')],
    ['Created', created],
    ['Expires', job['expires'] !== undefined ? String(job['expires']) : 'never'],
    ['Hostname', String(job['hostname'] ?? '')],
    ['Command', formatCommand(list(job['command']))],
    ['Env', formatPairs(map(job['env']), ', ')],
    ['Health check', formatHealthCheck(job['healthCheck'])],
    ['Grace period (seconds)', job['gracePeriod'] !== undefined ? String(job['gracePeriod']) : ''],
    ['Time to wait before kill (seconds)', String(job['secondsToWaitBeforeKill'] ?? 120)],
    ['Metadata', formatPairs(map(job['metadata']), ', ')],
    ['Ports', formatPorts(job['ports'])],
    ['Reg', formatRegistration(job['registration'])],
    ['Security options', list(job['securityOpt']).join(', ')],
    ['Network mode', String(job['networkMode'] ?? '')],
    ['Token', String(job['token'] ?? '')],
    ['Volumes', Object.entries(map(job['volumes'])).map(([target, source]) => (source === '' ? target : `${String(source)}:${target}`)).join(', ')],
    ['Ramdisks', formatRamdisks(job['ramdisks'])],
    ['Resources', formatResources(job['resources'])],
    ['Add capabilities', list(job['addCapabilities']).join(', ')],
    ['Drop capabilities', list(job['dropCapabilities']).join(', ')],
    ['Labels', formatPairs(map(job['labels']), ', ')],
    ['Runtime', String(job['runtime'] ?? '')],
    ['Rollout options', formatPairs(map(job['rolloutOptions']), ', ')],
  ];
  return lines.map(([label, value]) => `${label}: ${value}`.trimEnd()).join('\n');
}
