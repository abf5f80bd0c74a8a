import { DEFAULT_PORT_RANGE, parsePortRange } from '@berth/domain';
import { loadConfig, natsConnectionSettings, natsReplicasSetting, parsers, type ConfigOf } from '@berth/service';

function list(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function seconds(raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0.2 || n > 3600) throw new Error(`"${raw}" is not a number of seconds between 0.2 and 3600`);
  return n;
}

function nonNegativeInt(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`"${raw}" is not a non-negative integer`);
  return n;
}

function bool(raw: string): boolean {
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`"${raw}" is not true or false`);
}

export const schedulerConfigSchema = {
  ...natsConnectionSettings,
  replicas: natsReplicasSetting,
  httpHost: { flag: 'http-host', env: 'BERTH_HTTP_HOST', description: 'address of /healthz, /readyz, /metrics', parse: parsers.string, default: '127.0.0.1' },
  httpPort: { flag: 'http-port', env: 'BERTH_HTTP_PORT', description: 'port of /healthz, /readyz, /metrics (0: any free port)', parse: parsers.port, default: 7070 },
  hostDownAfterSeconds: {
    flag: 'host-down-after',
    env: 'BERTH_HOST_DOWN_AFTER',
    description: 'seconds without a heartbeat before a host is DOWN',
    parse: parsers.positiveInt,
    default: 30,
  },
  takeoverAfterSeconds: {
    flag: 'takeover-after',
    env: 'BERTH_TAKEOVER_AFTER',
    description: 'seconds a host must be DOWN before an agent with another id may take its name',
    parse: parsers.positiveInt,
    default: 600,
  },
  leaseTtlSeconds: {
    flag: 'lease-ttl',
    env: 'BERTH_LEASE_TTL',
    description: 'leader lease time in seconds: a standby takes over at most this long after the leader died',
    parse: seconds,
    default: 5,
  },
  snapshotEvery: {
    flag: 'snapshot-every',
    env: 'BERTH_SNAPSHOT_EVERY',
    description: 'events between snapshots of the scheduler state (0: no snapshots, full replay on start)',
    parse: nonNegativeInt,
    default: 1000,
  },
  defaultPortRange: {
    flag: 'port-range',
    env: 'BERTH_PORT_RANGE',
    description: "dynamic port range of hosts that do not send their own: Helios's FROM:TO (TO exclusive) or FROM-TO (both ends inclusive)",
    parse: parsePortRange,
    default: DEFAULT_PORT_RANGE,
    defaultText: '20000:32768',
  },
  whitelistedCapabilities: {
    flag: 'whitelisted-capabilities',
    env: 'BERTH_WHITELISTED_CAPABILITIES',
    description: 'Linux capabilities jobs may add (comma-separated)',
    parse: list,
    default: [] as string[],
  },
  rejectGracePeriodWithStaticPorts: {
    flag: 'reject-grace-period-with-static-ports',
    env: 'BERTH_REJECT_GRACE_PERIOD_WITH_STATIC_PORTS',
    description: 'refuse jobs with both a grace period and a static port (they break rolling updates)',
    parse: bool,
    default: true,
  },
};

export type SchedulerConfig = ConfigOf<typeof schedulerConfigSchema>;

export function loadSchedulerConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): SchedulerConfig {
  return loadConfig(schedulerConfigSchema, { argv, env });
}
