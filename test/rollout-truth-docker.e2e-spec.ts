import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, getDockerEngine, type DockerEngineLease } from '@berth/testing';
import type { BerthCli, CliRun } from './support/berth-cli';
import { removeContainersOf, startStack, type Stack } from './support/stack';

/**
 * Issue 18 on real Docker, driven through the `berth` CLI as a user types
 * it: two agents with their own host names share one private Docker engine,
 * and what the "Done when" asks is checked in Docker itself: a
 * crash-looping job fails its rolling update at once with its exit code and
 * last output, and does not become the last stable job, and --auto-revert goes back to the
 * good one; a token-less → tokened rollout and back; an orphaned deployment
 * undeployed; an undeploy's history ending in STOPPED or EXITED; a container
 * with the agent's name prefix but no label reaped; a hung exec health check
 * not blocking an undeploy; --migrate adopting a job deployed by hand;
 * `berth status --as-of T` showing what `berth status` showed at T.
 * Containers use `none` networking.
 */
const HOSTS = ['truth-e2e-1', 'truth-e2e-2'];
const [HOST1, HOST2] = HOSTS as [string, string];
/** a shell that stops at once on SIGTERM */
const SERVE = ['sh', '-c', 'trap "exit 0" TERM; sleep 600 & wait'];
let docker: DockerEngineLease;
let stack: Stack;
let cli: BerthCli;
const rogues: string[] = [];
const logs = (): string => stack.logs();

beforeAll(async () => {
  docker = await getDockerEngine();
  stack = await startStack({ name: 'truth-e2e', hosts: HOSTS, labels: ['role=truth-e2e'], runtimeArgs: () => ['--docker-host', docker.dockerHost] });
  cli = stack.cli;
}, 120_000);

// one hook, in order: the stack's processes, then our containers (the agents leave them running when they stop, by design)
afterAll(async () => {
  await stack?.stop();
  if (docker) {
    await removeContainersOf(docker, HOSTS);
    for (const id of rogues) await docker.docker.getContainer(id).remove({ force: true }).catch(() => undefined);
  }
  await docker?.release();
});

async function berth(...args: string[]): Promise<CliRun> {
  return cli.run(...args);
}

async function ok(...args: string[]): Promise<string> {
  const run = await berth(...args);
  expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 0, stderr: '' });
  return run.stdout;
}

/** `berth create -q`, network none; the job id */
async function createJob(id: string, command: readonly string[], ...flags: string[]): Promise<string> {
  return (await ok('create', '-q', id, docker.testImage, '--network-mode', 'none', ...flags, '--', ...command)).trim();
}

/** `berth create -f` from a job file (fields the command line has no flag for) */
async function createJobFile(job: Record<string, unknown>): Promise<string> {
  const file = join(stack.workDir, `${String(job['id']).replace(/\W/g, '_')}.json`);
  writeFileSync(file, JSON.stringify({ image: docker.testImage, networkMode: 'none', ...job }));
  return (await ok('create', '-q', '-f', file)).trim();
}

/** host → job ids of the running containers the agents made, from Docker itself */
async function runningOnDocker(): Promise<Record<string, string[]>> {
  const byHost: Record<string, string[]> = {};
  for (const host of HOSTS) {
    const containers = await docker.docker.listContainers({ filters: { label: [`berth.host=${host}`] } });
    byHost[host] = containers.map((c) => c.Labels['berth.job-id'] ?? '?').sort();
  }
  return byHost;
}

async function eventuallyOnDocker(expected: Record<string, string[]>, timeoutMs = 30_000): Promise<void> {
  const wanted = Object.fromEntries(Object.entries(expected).map(([host, jobs]) => [host, [...jobs].sort()]));
  await eventually(async () => JSON.stringify(await runningOnDocker()) === JSON.stringify(wanted), { timeoutMs, what: () => `${JSON.stringify(wanted)}\n${logs()}` });
}

interface HistoryEntry {
  host: string;
  state: string;
  time: string;
  exitCode?: number | null;
}
const historyOf = async (jobId: string, host: string): Promise<HistoryEntry[]> =>
  (JSON.parse(await ok('--json', 'history', jobId)) as { entries: HistoryEntry[] }).entries.filter((e) => e.host === host);

const taskState = async (jobId: string, host: string): Promise<string | undefined> => {
  const status = JSON.parse((await berth('--json', 'status', '--job', jobId)).stdout || '{}') as Record<string, { taskStatuses: Record<string, { state: string }> }>;
  return status[jobId]?.taskStatuses[host]?.state;
};

const lastStable = async (group: string): Promise<string | null | undefined> =>
  (JSON.parse(await ok('--json', 'inspect-deployment-group', group)) as { lastStableJobId?: string | null }).lastStableJobId;

const progressLines = (run: CliRun): string[] => run.stdout.split('\n').filter((l) => l.startsWith('truth-e2e-'));

it('a crash-looping job fails its rolling update at once with its exit code, is not last stable, and --auto-revert goes back to the good job', async () => {
  const good = await createJob('crash-app:1', SERVE);
  // exits at once, is restarted, exits again: a crash loop
  const bad = await createJob('crash-app:2', ['sh', '-c', 'echo starting; echo cannot open /etc/app.conf >&2; exit 3']);
  // the example: RUNNING for a second, then exit
  const late = await createJob('crash-app:3', ['sh', '-c', 'sleep 1; exit 4']);
  await ok('create-deployment-group', 'crash-group', 'role=truth-e2e');
  await ok('rolling-update', 'crash-app:1', 'crash-group', '-t', '60');
  expect(await lastStable('crash-group')).toBe(good);

  // the per-host timeout is a minute: the failure comes from the exit, not from the timeout
  const failed = await berth('rolling-update', 'crash-app:2', 'crash-group', '-t', '60');
  expect(failed.code).toBe(1);
  expect(failed.stderr).toMatch(/^Error: ROLLOUT_FAILED: /);
  // the first host fails (at once, or just after it counted as RUNNING when its start and its exit came in two reports)
  const hostFailed = progressLines(failed).find((line) => line.startsWith(`${HOST1} -> FAILED`));
  expect(hostFailed).toMatch(/EXITED with exit code 3/);
  // with what it wrote last
  expect(hostFailed).toMatch(/; last output: (starting \| cannot open \/etc\/app\.conf|cannot open \/etc\/app\.conf \| starting)/);
  expect(failed.stdout).not.toMatch(/not healthy within/);
  expect(await lastStable('crash-group')).toBe(good);

  // a task that crashes only after a second: a minHealthyTime longer than that (docs/rollouts.md) makes the first host's exit fail it
  const slow = await berth('rolling-update', 'crash-app:3', 'crash-group', '-t', '60', '--min-healthy-time', '5');
  expect(slow.code).toBe(1);
  expect(progressLines(slow).find((line) => line.startsWith(`${HOST1} -> FAILED`))).toMatch(/EXITED with exit code 4/);
  expect(await lastStable('crash-group')).toBe(good);

  const reverted = await berth('rolling-update', 'crash-app:2', 'crash-group', '-t', '60', '--auto-revert');
  expect(reverted.code).toBe(1);
  expect(reverted.stdout).toContain(`\nReverting to ${good}: `);
  expect(reverted.stdout).toMatch(new RegExp(`\\nReverted to ${good}: .*exit code 3`));
  await eventuallyOnDocker({ [HOST1]: [good], [HOST2]: [good] });
  const rollouts = JSON.parse(await ok('--json', 'rollouts', 'crash-group')) as { jobId: string; status: string }[];
  expect(rollouts.map((r) => [r.jobId, r.status])).toEqual([
    [good, 'SUCCEEDED'],
    [bad, 'FAILED'],
    [late, 'FAILED'],
    [bad, 'REVERTED'],
  ]);
  expect(await lastStable('crash-group')).toBe(good);
  await ok('remove-deployment-group', 'crash-group');
  await ok('undeploy', good, HOST1, HOST2, '--group', 'crash-group');
  await eventuallyOnDocker({ [HOST1]: [], [HOST2]: [] });
}, 300_000);

it('rolls a group from a token-less job to a tokened one and back, each job with its own token', async () => {
  const open = await createJob('token-app:1', SERVE);
  const closed = await createJob('token-app:2', SERVE, '--token', 'sesame');
  await ok('create-deployment-group', 'token-group', 'role=truth-e2e');
  // what `berth status` shows after each rollout, and when: `status --as-of` that time must show the same
  const shown: { time: string; status: string }[] = [];
  const record = async (jobId: string): Promise<void> => {
    await eventuallyOnDocker({ [HOST1]: [jobId], [HOST2]: [jobId] });
    await eventually(async () => (await taskState(jobId, HOST1)) === 'RUNNING' && (await taskState(jobId, HOST2)) === 'RUNNING', { what: logs });
    shown.push({ status: await ok('--json', 'status', '--job', 'token-app'), time: new Date().toISOString() });
  };
  await ok('rolling-update', 'token-app:1', 'token-group', '-t', '60');
  await record(open);

  await ok('rolling-update', 'token-app:2', 'token-group', '-t', '60', '--token', 'sesame', '--old-job-token', '');
  await record(closed);
  await ok('rolling-update', 'token-app:1', 'token-group', '-t', '60', '--old-job-token', 'sesame');
  await record(open);
  expect(await lastStable('token-group')).toBe(open);
  for (const { time, status } of shown) expect({ time, status: JSON.parse(await ok('--json', 'status', '--job', 'token-app', '--as-of', time)) }).toEqual({ time, status: JSON.parse(status) });
  expect(new Set(shown.map((s) => s.status)).size).toBe(3);

  await ok('remove-deployment-group', 'token-group');
  await ok('undeploy', open, HOST1, HOST2, '--group', 'token-group');
  await eventuallyOnDocker({ [HOST1]: [], [HOST2]: [] });
}, 300_000);

it('undeploys the deployments a removed group left behind, and their history ends in STOPPED', async () => {
  const orphan = await createJob('orphan-app:1', SERVE);
  await ok('create-deployment-group', 'orphan-group', 'role=truth-e2e');
  await ok('rolling-update', 'orphan-app:1', 'orphan-group', '-t', '60');

  const removed = await ok('remove-deployment-group', 'orphan-group');
  expect(removed).toContain('Left behind on the hosts (undeploy with: berth undeploy JOB HOST --group orphan-group):');
  for (const host of HOSTS) expect(removed).toContain(`  ${host}: ${orphan}`);
  await eventuallyOnDocker({ [HOST1]: [orphan], [HOST2]: [orphan] });

  await ok('undeploy', orphan, HOST1, HOST2, '--group', 'orphan-group');
  await eventuallyOnDocker({ [HOST1]: [], [HOST2]: [] });
  for (const host of HOSTS) {
    await eventually(async () => (await historyOf(orphan, host)).at(-1)?.state === 'STOPPED', { what: logs });
    const states = (await historyOf(orphan, host)).map((e) => e.state);
    expect(states.slice(-2)).toEqual(['STOPPING', 'STOPPED']);
    expect(states).toContain('RUNNING');
  }
}, 120_000);

it("records the stop of a container that ignores SIGTERM: STOPPING while it runs on for its grace, then its end", async () => {
  // busybox sleep as PID 1 ignores SIGTERM: docker stop waits secondsToWaitBeforeKill, then kills it
  const stubborn = await createJobFile({ id: 'stubborn-app:1', command: ['sleep', '600'], secondsToWaitBeforeKill: 3 });
  await ok('deploy', stubborn, HOST1);
  await eventually(async () => (await taskState(stubborn, HOST1)) === 'RUNNING', { timeoutMs: 20_000, what: logs });

  await ok('undeploy', stubborn, HOST1);
  await eventually(async () => (await historyOf(stubborn, HOST1)).some((e) => e.state === 'STOPPING'), { what: logs });
  // still running on Docker during its grace
  expect((await runningOnDocker())[HOST1]).toContain(stubborn);
  await eventuallyOnDocker({ [HOST1]: [], [HOST2]: [] });
  await eventually(async () => ['STOPPED', 'EXITED'].includes((await historyOf(stubborn, HOST1)).at(-1)?.state ?? ''), { what: logs });
  const last = (await historyOf(stubborn, HOST1)).at(-1) as HistoryEntry;
  if (last.state === 'EXITED') expect(last.exitCode).toEqual(expect.any(Number));
}, 120_000);

it('reaps a container that has the agent’s name prefix but no Berth label, and leaves a container of another name alone', async () => {
  const hosts = JSON.parse(await ok('--json', 'hosts')) as Record<string, { agentId: string }>;
  const agentId = hosts[HOST1]?.agentId as string;
  expect(agentId).toEqual(expect.any(String));
  const start = async (name: string): Promise<string> => {
    const container = await docker.docker.createContainer({ name, Image: docker.testImage, Cmd: SERVE, HostConfig: { NetworkMode: 'none' } });
    rogues.push(container.id);
    await container.start();
    return container.id;
  };
  const rogue = await start(`berth-${agentId}-rogue-${process.pid}`);
  const bystander = await start(`truth-e2e-bystander-${process.pid}`);

  // a change of the host's desired state makes its agent reconcile (reaping is part of every reconcile)
  const marker = await createJob('reap-marker:1', SERVE);
  await ok('deploy', marker, HOST1);
  await eventually(async () => (await docker.docker.listContainers({ all: true, filters: { id: [rogue] } })).length === 0, { timeoutMs: 20_000, what: logs });
  expect((await docker.docker.getContainer(bystander).inspect()).State.Running).toBe(true);
  await ok('undeploy', marker, HOST1);
  await eventuallyOnDocker({ [HOST1]: [], [HOST2]: [] });
}, 120_000);

it('undeploys a task whose exec health check hangs without waiting for the check', async () => {
  const hung = await createJob('hung-check-app:1', SERVE, '--exec-check', 'sleep 600');
  await ok('deploy', hung, HOST2);
  await eventually(async () => (await taskState(hung, HOST2)) === 'HEALTHCHECKING', { timeoutMs: 20_000, what: logs });

  const undeployedAt = Date.now();
  await ok('undeploy', hung, HOST2);
  await eventuallyOnDocker({ [HOST1]: [], [HOST2]: [] });
  await eventually(async () => (await historyOf(hung, HOST2)).at(-1)?.state === 'STOPPED', { what: logs });
  const history = await historyOf(hung, HOST2);
  expect(history.map((e) => e.state)).not.toContain('RUNNING');
  // an exec check gives up after 10 s: the agent began stopping well before, as the undeploy does not wait for the check
  const stopping = history.find((e) => e.state === 'STOPPING') as HistoryEntry;
  expect(Date.parse(stopping.time) - undeployedAt).toBeLessThan(10_000);
}, 120_000);

it('--migrate adopts a copy of the job deployed by hand into the group', async () => {
  const adopted = await createJob('migrate-app:1', SERVE);
  await ok('deploy', adopted, HOST1);
  await eventually(async () => (await taskState(adopted, HOST1)) === 'RUNNING', { timeoutMs: 20_000, what: logs });
  await ok('create-deployment-group', 'migrate-group', 'role=truth-e2e');

  await ok('rolling-update', 'migrate-app:1', 'migrate-group', '-t', '60', '--migrate');
  await eventuallyOnDocker({ [HOST1]: [adopted], [HOST2]: [adopted] });
  const status = JSON.parse(await ok('--json', 'status', '--job', adopted)) as Record<string, { deployments: Record<string, { deploymentGroupName: string | null }> }>;
  expect(Object.values(status[adopted]?.deployments ?? {}).map((d) => d.deploymentGroupName)).toEqual(['migrate-group', 'migrate-group']);
}, 300_000);
