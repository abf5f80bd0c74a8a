import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, type Stack } from './support/stack';

/**
 * Issue 21.8, Helios's output, through the `berth` CLI on the real stack
 * (nats-server, scheduler, gateway and two agent processes). The agents run
 * the SIMULATED container runtime: the point is what `berth hosts` and
 * `berth inspect` print, and the load and memory figures come from the agent
 * process itself (os.loadavg/totalmem/freemem on its heartbeat), whatever
 * runs its containers.
 */
const HOSTS = ['out-e2e-1', 'out-e2e-2'];
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ name: 'helios-output-e2e', hosts: HOSTS, labels: ['role=out-e2e'] });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

it("berth hosts shows each host's LOAD AVG and MEM USAGE, as its agent measured them for its heartbeat", async () => {
  // the gateway knows the figures from the first heartbeat it receives (every second here)
  const table = await stack.cli.eventually(['hosts'], (run) => run.stdout.split('\n').slice(1).filter((l) => /^out-e2e-\d\s+Up .*\s\d+\.\d\d\s+\d\.\d\d\s+Linux\s/.test(l)).length === 2, { context: () => stack.logs() });
  const [header, ...rows] = table.stdout.trimEnd().split('\n');
  expect(header).toMatch(/^HOST\s+STATUS\s+DEPLOYED\s+RUNNING\s+CPUS\s+MEM\s+LOAD AVG\s+MEM USAGE\s+OS\s+VERSION\s+DOCKER\s+LABELS$/);
  expect(rows).toHaveLength(2);
  const json = JSON.parse((await stack.cli.run('--json', 'hosts')).stdout) as Record<string, { stats: { loadAvg: number[]; memoryTotalBytes: number; memoryFreeBytes: number; memoryUsage: number } | null }>;
  for (const host of HOSTS) {
    const stats = json[host]?.stats;
    expect(stats?.loadAvg).toHaveLength(3);
    expect(stats?.memoryTotalBytes).toBeGreaterThan(0);
    // MEM USAGE is the share in use: (total - free) / total
    expect(stats?.memoryUsage).toBeCloseTo(((stats?.memoryTotalBytes ?? 0) - (stats?.memoryFreeBytes ?? 0)) / (stats?.memoryTotalBytes ?? 1), 10);
    expect(stats?.memoryUsage).toBeGreaterThan(0);
    expect(stats?.memoryUsage).toBeLessThan(1);
  }
});

it('berth inspect shows Ramdisks and Resources', async () => {
  const file = join(stack.workDir, 'limited.json');
  writeFileSync(file, JSON.stringify({
    image: 'local/busybox:1',
    command: ['sleep', '600'],
    ramdisks: { '/tmp': 'rw,size=32m', '/run': 'rw,noexec,nosuid,size=65535k' },
    resources: { memory: 10485760, memorySwap: 10485760, cpuset: '0', cpuShares: 512 },
  }));
  expect(await stack.cli.run('create', '-q', '-f', file, 'limited:1')).toMatchObject({ code: 0, stderr: '' });
  const inspected = await stack.cli.run('inspect', 'limited:1');
  expect(inspected.code).toBe(0);
  const lines = inspected.stdout.trimEnd().split('\n');
  expect(lines).toContain('Ramdisks: /tmp:rw,size=32m; /run:rw,noexec,nosuid,size=65535k');
  expect(lines).toContain('Resources: memory=10485760, memorySwap=10485760, cpuShares=512, cpuset=0');
  expect(lines.indexOf('Ramdisks: /tmp:rw,size=32m; /run:rw,noexec,nosuid,size=65535k')).toBe(lines.findIndex((l) => l.startsWith('Volumes:')) + 1);
});
