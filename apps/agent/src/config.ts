import { DEFAULT_PORT_RANGE, isIpAddress, parsePortRange } from '@berth/domain';
import { type ConfigOf, type Setting, loadConfig, natsConnectionSettings, parsers } from '@berth/service';
import { hostname } from 'node:os';

const setting = <T>(s: Setting<T>): Setting<T> => s;

function parsePairs(raw: string, what: string, separators: RegExp): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of raw.split(separators).map((s) => s.trim()).filter((s) => s !== '')) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`"${item}" is not ${what}=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function parseList(raw: string): string[] {
  return raw.split(/[\n,]/).map((s) => s.trim()).filter((s) => s !== '');
}

function parseDns(raw: string): string[] {
  const servers = parseList(raw);
  for (const server of servers) if (!isIpAddress(server)) throw new Error(`"${server}" is not an IP address`);
  return servers;
}

/** Docker's `--add-host` entries, `host:ip`; the ip may be IPv6, so split at the first colon. */
function parseExtraHosts(raw: string): string[] {
  const entries = parseList(raw);
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    if (colon <= 0 || !isIpAddress(entry.slice(colon + 1))) throw new Error(`"${entry}" is not host:ip`);
  }
  return entries;
}

function parseSeconds(raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`"${raw}" is not a positive number of seconds`);
  return n;
}

function parseBoolean(raw: string): boolean {
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new Error(`"${raw}" is not true or false`);
}

function parseAgentId(raw: string): string {
  if (raw !== '' && !/^[a-zA-Z0-9][a-zA-Z0-9_.]*$/.test(raw)) throw new Error(`"${raw}" may hold only letters, digits, "_" and "."`);
  return raw;
}

export const agentConfigSchema = {
  name: setting({ flag: 'name', env: 'BERTH_AGENT_NAME', description: 'host name this agent registers as', parse: parsers.string, default: hostname() }),
  ...natsConnectionSettings,
  labels: setting({
    flag: 'labels',
    env: 'BERTH_AGENT_LABELS',
    description: 'host labels k=v (repeatable; comma-separated in the env var)',
    parse: (raw: string) => parsePairs(raw, 'a label', /[\n,]/),
    default: {},
  }),
  stateDir: setting({ flag: 'state-dir', env: 'BERTH_AGENT_STATE_DIR', description: 'local state dir (one agent per dir)', parse: parsers.string, default: '.berth-agent' }),
  dockerHost: setting({ flag: 'docker-host', env: 'DOCKER_HOST', description: 'Docker engine, unix:///path or tcp://host:port', parse: (raw: string) => raw, default: '' }),
  portRange: setting({
    flag: 'port-range',
    env: 'BERTH_AGENT_PORT_RANGE',
    description: "dynamic host ports: FROM-TO (both ends inclusive) or Helios's FROM:TO (TO exclusive)",
    parse: parsePortRange,
    default: DEFAULT_PORT_RANGE,
    defaultText: '20000-32767',
  }),
  env: setting({
    flag: 'env',
    env: 'BERTH_AGENT_ENV',
    description: 'K=V added to every container (repeatable; newline-separated in the env var)',
    parse: (raw: string) => parsePairs(raw, 'a variable', /\n/),
    default: {},
  }),
  id: setting({ flag: 'id', env: 'BERTH_AGENT_ID', description: 'agent id, the namespace of container names (default: kept in the state dir, else random)', parse: parseAgentId, default: '' }),
  httpHost: setting({ flag: 'http-host', env: 'BERTH_AGENT_HTTP_HOST', description: 'address of /healthz /readyz /metrics', parse: parsers.string, default: '127.0.0.1' }),
  httpPort: setting({ flag: 'http-port', env: 'BERTH_AGENT_HTTP_PORT', description: 'port of /healthz /readyz /metrics (0: any)', parse: parsers.port, default: 7071 }),
  heartbeatInterval: setting({ flag: 'heartbeat-interval', env: 'BERTH_AGENT_HEARTBEAT_INTERVAL', description: 'seconds between heartbeats', parse: parseSeconds, default: 5 }),
  fullReportInterval: setting({ flag: 'full-report-interval', env: 'BERTH_AGENT_FULL_REPORT_INTERVAL', description: 'seconds between full status reports', parse: parseSeconds, default: 60 }),
  simulated: setting({ flag: 'simulated', env: 'BERTH_AGENT_SIMULATED', description: 'run no containers: use the SimulatedRuntime (for demos and fleet benchmarks)', parse: parseBoolean, default: false }),
  dns: setting({ flag: 'dns', env: 'BERTH_AGENT_DNS', description: 'DNS server for every container (repeatable; comma-separated in the env var)', parse: parseDns, default: [] as string[] }),
  addHost: setting({ flag: 'add-host', env: 'BERTH_AGENT_ADD_HOST', description: 'host:ip added to /etc/hosts of every container (repeatable)', parse: parseExtraHosts, default: [] as string[] }),
  init: setting({ flag: 'docker-init', env: 'BERTH_AGENT_DOCKER_INIT', description: 'run an init as PID 1 in every container (SIGTERM reaches any program)', parse: parseBoolean, default: false }),
};

export type AgentConfig = ConfigOf<typeof agentConfigSchema>;

const REPEATABLE = new Set(['labels', 'env', 'dns', 'add-host']);

/**
 * Folds repeated `--labels`/`--env`/`--dns`/`--add-host` (and several values after one, as in
 * `--labels a=b c=d`) into one newline-joined flag for loadConfig.
 */
export function foldRepeatableFlags(argv: readonly string[]): string[] {
  const collected = new Map<string, string[]>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const flag = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    if (!flag || !REPEATABLE.has(flag[1] ?? '')) {
      rest.push(arg);
      continue;
    }
    const values = collected.get(flag[1] as string) ?? [];
    if (flag[2] !== undefined) values.push(flag[2]);
    else while (i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('--')) values.push(argv[++i] as string);
    collected.set(flag[1] as string, values);
  }
  for (const [name, values] of collected) rest.push(`--${name}=${values.join('\n')}`);
  return rest;
}

export function loadAgentConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): AgentConfig {
  return loadConfig(agentConfigSchema, { argv: foldRepeatableFlags(argv), env });
}
