import { eventually, getDockerEngine, type DockerEngineLease } from '@berth/testing';
import type { BerthCli, CliRun } from './support/berth-cli';
import { removeContainersOf, startStack, type Stack } from './support/stack';

/**
 * Issue 6's real-Docker rollout, driven only through the `berth` CLI: three
 * agents with different host names share one Docker engine (host
 * networking), a deployment group spans them, and a job serving HTTP with an
 * http health check is rolled v1 → v2 (prestaged: the agents answer
 * PrepareImage before the switch), then to a v3 whose check never passes,
 * with autoRevert: every host ends back on v2, checked in Docker itself.
 */
const HOSTS = ['stage-e2e-1', 'stage-e2e-2', 'stage-e2e-3'];
const GROUP = 'web-group';
// three containers of the job on one machine: each agent hands out dynamic ports from its own range,
// below the kernel's ephemeral ports (32768+) and above where agents with the default range start (20000)
const PORT_BASE = 28000 + (process.pid % 400) * 10;
let docker: DockerEngineLease;
let stack: Stack;
let cli: BerthCli;
const logs = (): string => stack.logs();

beforeAll(async () => {
  docker = await getDockerEngine();
  stack = await startStack({
    name: 'docker-rollout-e2e',
    hosts: HOSTS,
    labels: ['role=stage-e2e'],
    runtimeArgs: (_, i) => [
      '--docker-host', docker.dockerHost,
      '--port-range', `${PORT_BASE + i * 3}-${PORT_BASE + i * 3 + 2}`,
      // httpd ignores SIGTERM as PID 1: an init forwards it, so an undeploy does not sit out the kill timeout
      '--docker-init', 'true',
    ],
  });
  cli = stack.cli;
}, 120_000);

// one hook, in order: the stack's processes, then our containers (the agents leave them running when they stop, by design)
afterAll(async () => {
  await stack?.stop();
  if (docker) await removeContainersOf(docker, HOSTS);
  await docker?.release();
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

  // prestaged: every agent is asked for v2's image (local already: PULLED at once) before any host switches
  const second = await cli.run('rolling-update', 'web:2', GROUP, '-t', '60', '--prestage');
  expect(second).toMatchObject({ code: 0, stderr: '' });
  expect(progressLines(second)).toHaveLength(3);
  const [, secondRollout] = JSON.parse((await cli.run('--json', 'rollouts', GROUP)).stdout) as { rolloutId: string }[];
  const events = JSON.parse((await cli.run('--json', 'events', '--aggregate', 'rollout', '--id', secondRollout?.rolloutId ?? '?')).stdout) as { type: string; data: Record<string, unknown> }[];
  const types = events.map((e) => e.type);
  expect(types.slice(0, 2)).toEqual(['RolloutStarted', 'PrestageStarted']);
  const completed = types.indexOf('PrestageCompleted');
  expect(events[completed]?.data).toMatchObject({ pulled: 3, quorum: 3 });
  const pulled = events.slice(0, completed).flatMap((e) => (e.type === 'HostsObserved' ? (e.data['hosts'] as { host: string; imagePulled: boolean }[]) : []));
  expect(pulled.filter((h) => h.imagePulled).map((h) => h.host).sort()).toEqual(HOSTS);
  expect(types.indexOf('BatchStarted')).toBeGreaterThan(completed);
  // v1's containers are stopped and removed as each host switches; the last one may still be on its way out
  await eventually(async () => (await runningOnDocker()).size === 1, { timeoutMs: 30_000, what: logs });
  expect(await runningOnDocker()).toEqual(new Map([[v2, HOSTS]]));
  expect(await servedVersions(v2)).toEqual(HOSTS.map((h) => `${h}: v2`));

  // the per-host timeout also bounds the revert's steps: short, with room for a loaded machine
  const third = await cli.run('rolling-update', 'web:3', GROUP, '-t', '20', '--auto-revert');
  expect(third.code).toBe(1);
  // the first host never passes its check; the other two are still on v2; the first goes back to v2
  expect(progressLines(third)[0]).toBe('stage-e2e-1 -> FAILED (1/3): timeout: not healthy within 20 s of its deploy');
  expect(third.stdout).toContain(`\nReverting to ${v2}: `);
  expect(third.stdout).toContain(`\nReverted to ${v2}: 1 host(s) failed, more than the 0 tolerated: stage-e2e-1: not healthy within 20 s of its deploy\n`);
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
}, 300_000);
