import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually as until, getDockerEngine, type DockerEngineLease } from '@berth/testing';
import type { CliRun } from './support/berth-cli';
import { removeContainersOf, startStack, type Stack } from './support/stack';

/**
 * A user's first deploy through the `berth` CLI, on the real stack:
 * nats-server, scheduler, gateway and an agent on Docker as processes, the
 * CLI run as a child process (apps/cli/bin/berth) like a user types it.
 */
const HOST = 'cli-e2e-host';
let docker: DockerEngineLease;
let stack: Stack;

const berth = (...args: string[]): Promise<CliRun> => stack.cli.run(...args);
/** Bounded re-running of a CLI command until its answer shows what the system converges to (reads are eventually consistent). */
const eventually = (args: string[], accept: (run: CliRun) => boolean): Promise<CliRun> => stack.cli.eventually(args, accept, { context: () => stack.logs() });

async function containersGone(jobId: string): Promise<void> {
  await until(async () => (await docker.docker.listContainers({ all: true, filters: { label: [`berth.job-id=${jobId}`] } })).length === 0, {
    timeoutMs: 30_000,
    what: () => `the container of ${jobId} to be gone\n${stack.logs()}`,
  });
}

beforeAll(async () => {
  docker = await getDockerEngine();
  stack = await startStack({ name: 'cli-e2e', hosts: [HOST], labels: ['role=cli-e2e'], runtimeArgs: () => ['--docker-host', docker.dockerHost] });
}, 120_000);

// one hook, in order: the stack's processes, then our containers
afterAll(async () => {
  await stack?.stop();
  if (docker) await removeContainersOf(docker, [HOST]);
  await docker?.release();
});

it('creates, lists, deploys, watches, reports, undeploys and removes a job through the CLI', async () => {
  const jobFile = join(stack.workDir, 'hello.json');
  writeFileSync(
    jobFile,
    JSON.stringify({
      id: 'cli-hello:1',
      image: docker.testImage,
      // a PID 1 without a TERM handler would sit out the whole kill timeout
      command: ['sh', '-c', 'trap "exit 0" TERM; sleep 600 & wait'],
      networkMode: 'host',
      healthCheck: { type: 'exec', command: ['true'] },
    }),
  );

  const created = await berth('create', '-f', jobFile, '--env', 'GREETING=hi');
  expect(created).toMatchObject({ code: 0, stderr: '' });
  const lines = created.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^Creating job: \{.*"GREETING":"hi"/);
  expect(lines[1]).toBe('Done.');
  const jobId = lines[2] ?? '';
  expect(jobId).toMatch(/^cli-hello:1:[0-9a-f]{40}$/);

  const listed = await eventually(['jobs', 'cli-hello'], (run) => run.code === 0);
  expect(listed.stdout.split('\n')[0]).toMatch(/^JOB ID\s+NAME\s+VERSION\s+HOSTS\s+COMMAND\s+ENVIRONMENT$/);
  expect(listed.stdout).toContain(`${jobId.slice(0, 'cli-hello:1:'.length + 7)}    cli-hello    1          0        sh -c "trap \\"exit 0\\" TERM; sleep 600 & wait"    GREETING=hi`);

  // watch from before the deploy: the subscription reports each state as it comes
  const watch = stack.cli.start('watch', '--exact', 'cli-hello:1', HOST);
  const [asJson] = await Promise.all([berth('jobs', '--json', 'cli-hello'), watch.waitFor(/UNKNOWN/)]);
  expect(Object.keys(JSON.parse(asJson.stdout) as object)).toEqual([jobId]);
  const deployed = await berth('deploy', 'cli-hello:1', HOST);
  expect(deployed).toMatchObject({ code: 0, stdout: `Deploying ${jobId}|START on [${HOST}]\n${HOST}: done\n` });
  await watch.waitFor(new RegExp(`${HOST}\\s+RUNNING\\s+NO`));
  watch.interrupt();
  expect((await watch.exited).code).toBe(0);

  const status = await eventually(['status', '--json', '--job', 'cli-hello'], (run) => {
    const answer = JSON.parse(run.stdout) as Record<string, { taskStatuses: Record<string, { state: string }> }>;
    return answer[jobId]?.taskStatuses[HOST]?.state === 'RUNNING';
  });
  expect(status.code).toBe(0);
  const [table, history, historyJson, inUse] = await Promise.all([
    berth('status', '--host', HOST),
    berth('history', 'cli-hello:1'),
    berth('history', '--json', 'cli-hello:1'),
    // the job is in use: Helios's STILL_IN_USE, printed with its code, exit 1
    berth('remove', '--yes', 'cli-hello:1'),
  ]);
  expect(table.stdout).toMatch(/^JOB ID\s+HOST\s+GOAL\s+STATE\s+CONTAINER ID\s+PORTS\n/);
  expect(table.stdout).toMatch(new RegExp(`cli-hello:1:[0-9a-f]{7}\\s+${HOST}\\s+START\\s+RUNNING\\s+[0-9a-f]{7}`));
  expect(history.stdout.split('\n')[0]).toMatch(/^HOST\s+TIMESTAMP\s+STATE\s+THROTTLED\s+CONTAINERID$/);
  expect(history.stdout).toMatch(new RegExp(`${HOST}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\s+RUNNING\\s+NO\\s+[0-9a-f]{12}`));
  const { entries } = JSON.parse(historyJson.stdout) as { entries: { state: string }[] };
  expect(entries.map((e) => e.state).slice(-2)).toEqual(['HEALTHCHECKING', 'RUNNING']);
  expect(inUse.code).toBe(1);
  expect(inUse.stderr).toMatch(/^Error: STILL_IN_USE: /);

  expect(await berth('undeploy', 'cli-hello:1', HOST)).toMatchObject({ code: 0, stdout: `Undeploying ${jobId} from [${HOST}]\n${HOST}: done\n` });
  await containersGone(jobId);
  expect(await berth('remove', '--yes', 'cli-hello:1')).toMatchObject({ code: 0, stdout: `Removing job ${jobId}: done\n` });

  // who did what: the job's creation and removal, by the gateway's actor
  type Event = { actor: string; aggregateId: string };
  const audit = await eventually(['events', '--json', '--aggregate', 'job', '--id', jobId], (run) => (JSON.parse(run.stdout) as Event[]).length >= 2);
  const events = JSON.parse(audit.stdout) as Event[];
  expect(events.every((e) => e.aggregateId === jobId && e.actor === 'cli-e2e')).toBe(true);

  await eventually(['jobs', 'cli-hello'], (run) => run.code === 1 && run.stdout === 'job pattern cli-hello matched no jobs\n');
});

it('prints Berth errors with their code and exits 1, usage errors exit 2', async () => {
  const [unknownJob, unknownHost, badFlag, badStatus] = await Promise.all([
    berth('deploy', 'no-such-job:1', HOST),
    berth('hosts', 'no-such-host'),
    berth('jobs', '--no-such-flag'),
    berth('hosts', '--status', 'SIDEWAYS'),
  ]);
  expect(unknownJob.code).toBe(1);
  expect(unknownJob.stderr).toMatch(/^Error: JOB_NOT_FOUND: /);
  expect(unknownHost).toMatchObject({ code: 1, stdout: 'host pattern no-such-host matched no hosts\n' });
  expect(badFlag.code).toBe(2);
  expect(badFlag.stderr).toContain("unknown option '--no-such-flag'");
  expect(badStatus.code).toBe(2);
});
