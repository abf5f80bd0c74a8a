import type { JobView } from '../queries';
import { parseTimeBound } from './audit-commands';
import { formatStatusTable, stateLabel, statusJson } from './deployment-commands';
import { formatHostsTable, hostStatusLabel } from './host-commands';
import { formatJobDetails } from './job-details';
import { FakeGateway, runCli } from '../testing/fake-io';

const NOW = Date.parse('2024-01-01T12:00:00Z');

const job: JobView = {
  id: 'web:1:0123456789abcdef0123456789abcdef01234567',
  name: 'web',
  version: '1',
  job: { ports: { http: { internalPort: 80, protocol: 'tcp' } } },
  deployments: [
    {
      host: 'h1',
      jobId: 'web:1:0123456789abcdef0123456789abcdef01234567',
      goal: 'START',
      state: 'FAILED',
      ports: { http: 20001 },
      deployedAt: '2024-01-01T11:00:00Z',
      status: { jobId: 'web:1', goal: 'START', state: 'FAILED', throttled: 'IMAGE_MISSING', containerId: 'abcdef0123456789', ports: { http: 20001 }, time: '2024-01-01T11:00:01Z' },
    },
  ],
};

describe('status', () => {
  it("shows throttling in the state, as Helios's FAILED (IMAGE_MISSING)", () => {
    expect(stateLabel(job.deployments[0] ?? { state: '', status: null })).toBe('FAILED (IMAGE_MISSING)');
    expect(stateLabel({ state: 'RUNNING', status: null })).toBe('RUNNING');
  });

  it('lays out JOB ID HOST GOAL STATE CONTAINER ID PORTS', () => {
    expect(formatStatusTable([{ job, deployments: job.deployments }], false).split('\n')).toEqual([
      'JOB ID           HOST    GOAL     STATE                     CONTAINER ID    PORTS',
      'web:1:0123456    h1      START    FAILED (IMAGE_MISSING)    abcdef0         http=80:20001',
    ]);
  });

  it('answers --json as job id → task statuses by host', () => {
    expect(statusJson([{ job, deployments: job.deployments }])).toMatchObject({ [job.id]: { taskStatuses: { h1: { state: 'FAILED', throttled: 'IMAGE_MISSING' } } } });
  });

  it("--json carries the container's merged env: status asks the gateway for it", async () => {
    const withEnv: JobView = { ...job, deployments: job.deployments.map((d) => ({ ...d, status: d.status && { ...d.status, env: { A: '1' } } })) };
    const gateway = new FakeGateway((operation) => {
      if (operation === 'Jobs') return { jobs: { items: [withEnv], nextCursor: null } };
      throw new Error(`unexpected ${operation}`);
    });
    const result = await runCli(['--json', 'status'], { gateway });
    expect(gateway.sent[0]?.query).toMatch(/status \{[^}]*\benv\b/);
    expect(JSON.parse(result.stdout)).toMatchObject({ [job.id]: { taskStatuses: { h1: { env: { A: '1' } } } } });
  });
});

describe('status --as-of', () => {
  const gateway = () =>
    new FakeGateway((operation) => {
      if (operation === 'StatusAsOf') return { deploymentsAsOf: { jobs: [job] } };
      throw new Error(`unexpected ${operation}`);
    });

  it('asks deploymentsAsOf for the time, a duration back from now or an ISO time, and shows the answer as status does', async () => {
    const relative = gateway();
    const result = await runCli(['status', '--as-of', '10m', '-j', 'web'], { gateway: relative });
    expect(relative.sent.map((s) => s.variables)).toEqual([{ time: '2023-12-31T23:50:00.000Z', job: 'web' }]);
    expect(relative.sent[0]?.query).toMatch(/deploymentsAsOf\(time: \$time, job: \$job\)/);
    expect(result.stdout).toBe(`${formatStatusTable([{ job, deployments: job.deployments }], false)}\n`);

    const absolute = gateway();
    const json = await runCli(['--json', 'status', '--as-of', '2023-12-31T12:00:00+01:00'], { gateway: absolute });
    expect(absolute.sent[0]?.variables).toEqual({ time: '2023-12-31T11:00:00.000Z', job: null });
    expect(JSON.parse(json.stdout)).toEqual(statusJson([{ job, deployments: job.deployments }]));
  });

  it('refuses a time it cannot read, asking nothing', async () => {
    const refused = gateway();
    const result = await runCli(['status', '--as-of', 'yesterday'], { gateway: refused });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/--as-of "yesterday": expected an ISO-8601 time or a duration such as 15m, 2h, 7d/);
    expect(refused.sent).toEqual([]);
  });
});

describe('time bounds and host ages', () => {
  it('reads ISO times and durations back from now', () => {
    expect(parseTimeBound('15m', NOW, '--since')).toBe('2024-01-01T11:45:00.000Z');
    expect(parseTimeBound('2024-01-01T10:00:00+01:00', NOW, '--since')).toBe('2024-01-01T09:00:00.000Z');
    expect(() => parseTimeBound('yesterday', NOW, '--since')).toThrow(/--since "yesterday"/);
  });

  it('says Up or Down with how long', () => {
    expect(hostStatusLabel({ status: 'UP', registeredAt: '2024-01-01T11:57:00Z', downSince: null }, NOW)).toBe('Up 3 minutes');
    expect(hostStatusLabel({ status: 'DOWN', registeredAt: '2024-01-01T00:00:00Z', downSince: '2024-01-01T10:00:00Z' }, NOW)).toBe('Down 2 hours');
  });
});

describe('hosts (issue 21.8)', () => {
  const host = (name: string, stats: { loadAvg: number[]; memoryUsage: number } | null) => ({
    host: name,
    agentId: `a-${name}`,
    status: 'UP',
    labels: { role: 'web' },
    info: { cpus: 4, memoryBytes: 8 * 1024 ** 3, osType: 'Linux', agentVersion: '0.1.0', dockerVersion: '20.10.24' },
    registeredAt: '2024-01-01T11:57:00Z',
    downSince: null,
    jobCount: 0,
    stats: stats && { ...stats, memoryTotalBytes: 8 * 1024 ** 3, memoryFreeBytes: 0, receivedAt: '2024-01-01T12:00:00Z' },
    deployments: [],
  });

  it("has Helios's LOAD AVG (1 minute) and MEM USAGE (share in use) columns after MEM, blank while the agent sent none", () => {
    expect(formatHostsTable([host('h1', { loadAvg: [0.456, 0.3, 0.2], memoryUsage: 0.3912 }), host('h2', null)], NOW, false).split('\n')).toEqual([
      'HOST    STATUS          DEPLOYED    RUNNING    CPUS    MEM       LOAD AVG    MEM USAGE    OS       VERSION    DOCKER      LABELS',
      'h1      Up 3 minutes    0           0          4       8.0 gb    0.46        0.39         Linux    0.1.0      20.10.24    role=web',
      'h2      Up 3 minutes    0           0          4       8.0 gb                             Linux    0.1.0      20.10.24    role=web',
    ]);
  });
});

describe('inspect (issue 21.8)', () => {
  it('shows Ramdisks and Resources, which Helios leaves out, after Volumes', () => {
    const lines = formatJobDetails({
      id: 'web:1:abc',
      image: 'busybox',
      volumes: { '/data': '/srv/data' },
      ramdisks: { '/tmp': 'rw,size=32m', '/run': 'rw,noexec,nosuid,size=65535k' },
      resources: { memory: 10485760, memorySwap: 10485760, cpuset: '0', cpuShares: 512 },
    }).split('\n');
    const at = lines.indexOf('Volumes: /srv/data:/data');
    expect(lines.slice(at, at + 3)).toEqual(['Volumes: /srv/data:/data', 'Ramdisks: /tmp:rw,size=32m; /run:rw,noexec,nosuid,size=65535k', 'Resources: memory=10485760, memorySwap=10485760, cpuShares=512, cpuset=0']);
    const bare = formatJobDetails({ id: 'web:1:abc', image: 'busybox' }).split('\n');
    expect(bare).toContain('Ramdisks:');
    expect(bare).toContain('Resources:');
  });
});
