import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, getDockerEngine, startNatsServer, startService, type DockerEngineLease, type NatsServer, type ServiceProcess } from '@berth/testing';
import { berthCli, type CliRun } from './support/berth-cli';

/**
 * Issue 6's real-Docker rollout, driven only through the `berth` CLI: three
 * agents with different host names share one Docker engine (host
 * networking), a deployment group spans them, and a job serving HTTP with an
 * http health check is rolled v1 → v2, then to a v3 whose check never passes,
 * with autoRevert: every host ends back on v2, checked in Docker itself.
 */
const HOSTS = ['stage-e2e-1', 'stage-e2e-2', 'stage-e2e-3'];
const GROUP = 'web-group';
// three containers of the job on one machine: each agent hands out dynamic ports from its own range
const PORT_BASE = 33000 + (process.pid % 400) * 10;
let nats: NatsServer;
let docker: DockerEngineLease;
let scheduler: ServiceProcess;
let gateway: ServiceProcess;
const agents: ServiceProcess[] = [];
let workDir: string;
let gatewayUrl: string;

const cli = berthCli(() => ({ HOME: workDir, BERTH_GATEWAY: gatewayUrl }));
const logs = (): string => [scheduler, ...agents].map((p) => `--- ${p.name}\n${p.output().slice(-2500)}`).join('\n');

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'berth-docker-rollout-'));
  nats = await startNatsServer();
  docker = await getDockerEngine();
  scheduler = startService('scheduler', 'apps/scheduler/src/main.ts', ['--nats', nats.url, '--http-port', '0']);
  gateway = startService('gateway', 'apps/gateway/src/main.ts', ['--nats', nats.url, '--port', '0', '--actor', 'docker-rollout-e2e']);
  HOSTS.forEach((host, i) => {
    agents.push(
      startService(host, 'apps/agent/src/main.ts', [
        '--name', host, '--nats', nats.url, '--state-dir', join(workDir, host), '--docker-host', docker.dockerHost,
        '--http-port', '0', '--heartbeat-interval', '1', '--labels', 'role=stage-e2e',
        '--port-range', `${PORT_BASE + i * 3}-${PORT_BASE + i * 3 + 2}`,
        // httpd ignores SIGTERM as PID 1: an init forwards it, so an undeploy does not sit out the kill timeout
        '--docker-init', 'true',
      ]),
    );
  });
  await scheduler.waitForOutput(/scheduler serving/);
  const serving = await gateway.waitForOutput(/gateway serving/);
  gatewayUrl = (JSON.parse(serving) as { url: string }).url;
  await cli.eventually(['hosts', '--json'], (run) => {
    if (run.code !== 0) return false;
    const hosts = JSON.parse(run.stdout) as Record<string, { status: string }>;
    return HOSTS.every((h) => hosts[h]?.status === 'UP');
  }, { context: logs });
}, 90_000);

// one hook, in order: gateway, scheduler and agents, then nats-server, then our containers
afterAll(async () => {
  await gateway?.stop();
  await Promise.all([scheduler?.stop(), ...agents.map((a) => a.stop())]);
  await nats?.stop();
  // the agents leave containers running when they stop (by design); clean up ours
  for (const host of HOSTS) {
    const leftovers = (await docker?.docker.listContainers({ all: true, filters: { label: [`berth.host=${host}`] } })) ?? [];
    await Promise.all(leftovers.map((c) => docker.docker.getContainer(c.Id).remove({ force: true })));
  }
  await docker?.release();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** `web:<version>`: busybox httpd on the port the agent allocated (BERTH_PORT_http=host:port), serving its version at /. */
async function createWebJob(version: number, checkPath: string): Promise<string> {
  const serve = 'mkdir -p /www && echo "$VERSION" > /www/index.html && exec httpd -f -h /www -p "127.0.0.1:${BERTH_PORT_http##*:}"';
  const created = await cli.run(
    'create', '-q', `web:${version}`, docker.testImage, '--network-mode', 'host', '-p', 'http=8080',
    '--http-check', `http:${checkPath}`, '--env', `VERSION=v${version}`, '--', 'sh', '-c', serve,
  );
  expect(created).toMatchObject({ code: 0, stderr: '' });
  return created.stdout.trim();
}

/** Job id → host of every running container of the job, as Docker itself reports them. */
async function runningOnDocker(): Promise<Map<string, string[]>> {
  const byJob = new Map<string, string[]>();
  for (const host of HOSTS) {
    for (const c of await docker.docker.listContainers({ filters: { label: [`berth.host=${host}`] } })) {
      const jobId = c.Labels['berth.job-id'] ?? '?';
      byJob.set(jobId, [...(byJob.get(jobId) ?? []), host].sort());
    }
  }
  return byJob;
}

/** What each host's container answers on its own port: the version it serves. */
async function servedVersions(jobId: string): Promise<string[]> {
  const status = await cli.run('status', '--json', '--job', jobId);
  const tasks = (JSON.parse(status.stdout) as Record<string, { taskStatuses: Record<string, { ports?: Record<string, number> }> }>)[jobId]?.taskStatuses ?? {};
  return Promise.all(
    HOSTS.map(async (host) => {
      const port = tasks[host]?.ports?.['http'];
      if (port === undefined) return `${host}: no port`;
      const res = await fetch(`http://127.0.0.1:${port}/`);
      return `${host}: ${(await res.text()).trim()}`;
    }),
  );
}

function progressLines(run: CliRun): string[] {
  return run.stdout.split('\n').filter((l) => /^stage-e2e-\d /.test(l));
}

it('rolls a health-checked HTTP job v1 → v2 over three agents on Docker, then a failing v3 reverts to v2', async () => {
  const v1 = await createWebJob(1, '/');
  const v2 = await createWebJob(2, '/');
  // v3 serves, but its check asks for a page that is not there: 404, never healthy
  const v3 = await createWebJob(3, '/missing');
  expect((await cli.run('create-deployment-group', GROUP, 'role=stage-e2e')).code).toBe(0);

  const first = await cli.run('rolling-update', 'web:1', GROUP, '-t', '60');
  expect(first).toMatchObject({ code: 0, stderr: '' });
  expect(progressLines(first).map((l) => l.replace(/ .*$/, ''))).toEqual(HOSTS);
  expect(progressLines(first).map((l) => l.replace(/^\S+ /, ''))).toEqual(['-> RUNNING (1/3)', '-> RUNNING (2/3)', '-> RUNNING (3/3)']);
  expect(first.stdout).toContain('\nDone.\n');
  expect(await runningOnDocker()).toEqual(new Map([[v1, HOSTS]]));
  expect(await servedVersions(v1)).toEqual(HOSTS.map((h) => `${h}: v1`));

  const second = await cli.run('rolling-update', 'web:2', GROUP, '-t', '60');
  expect(second).toMatchObject({ code: 0, stderr: '' });
  expect(progressLines(second)).toHaveLength(3);
  // v1's containers are stopped and removed as each host switches; the last one may still be on its way out
  await eventually(async () => (await runningOnDocker()).size === 1, { timeoutMs: 30_000, what: logs });
  expect(await runningOnDocker()).toEqual(new Map([[v2, HOSTS]]));
  expect(await servedVersions(v2)).toEqual(HOSTS.map((h) => `${h}: v2`));

  // the per-host timeout also bounds the revert's steps: short, with room for a loaded machine
  const third = await cli.run('rolling-update', 'web:3', GROUP, '-t', '12', '--auto-revert');
  expect(third.code).toBe(1);
  // the first host never passes its check; the other two are still on v2; the first goes back to v2
  expect(progressLines(third)[0]).toBe('stage-e2e-1 -> FAILED (1/3): timeout: not healthy within 12 s of its deploy');
  expect(third.stdout).toContain(`\nReverting to ${v2}: `);
  expect(third.stdout).toMatch(/\nFailed: 1 host\(s\) failed, more than the 0 tolerated: stage-e2e-1: not healthy within 12 s of its deploy\n/);
  expect(third.stderr).toMatch(/^Error: ROLLOUT_FAILED: /);
  const rollouts = JSON.parse((await cli.run('--json', 'rollouts', GROUP)).stdout) as { jobId: string; status: string }[];
  expect(rollouts.map((r) => [r.jobId, r.status])).toEqual([
    [v1, 'SUCCEEDED'],
    [v2, 'SUCCEEDED'],
    [v3, 'REVERTED'],
  ]);

  // back on v2 everywhere, in Docker: v3's container is gone, v2 serves on all three hosts
  await eventually(async () => {
    const running = await runningOnDocker();
    return running.size === 1 && running.get(v2)?.length === 3;
  }, { timeoutMs: 60_000, what: logs });
  expect(await servedVersions(v2)).toEqual(HOSTS.map((h) => `${h}: v2`));
  const status = await cli.eventually(['deployment-group-status', GROUP], (run) => run.stdout.includes(`Job Id: ${v2}`), { context: logs });
  const short = v2.slice(0, 'web:2:'.length + 7);
  expect(status.stdout.trimEnd().split('\n').slice(-3)).toEqual(HOSTS.map((h) => expect.stringMatching(new RegExp(`^${h}\\s+X\\s+${short}\\s+RUNNING$`))));
}, 240_000);
