import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getDockerEngine, REPO_ROOT, startNatsServer, startService, type DockerEngineLease, type NatsServer, type ServiceProcess } from '@berth/testing';
import { E2E_TOKENS, writeGatewayTokens } from './support/api-tokens';

/**
 * A user's first deploy through the `berth` CLI, on the real stack:
 * nats-server, scheduler, gateway and an agent on Docker as processes, the
 * CLI run as a child process (apps/cli/bin/berth) like a user types it.
 */
const HOST = 'cli-e2e-host';
const BERTH = resolve(REPO_ROOT, 'apps/cli/bin/berth');
let nats: NatsServer;
let docker: DockerEngineLease;
let scheduler: ServiceProcess;
let gateway: ServiceProcess;
let agent: ServiceProcess;
let workDir: string;
let gatewayUrl: string;
let tokensFile: string;

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running `berth` process: its output so far, a wait for a line, and Ctrl-C. */
function startBerth(args: readonly string[], env: Record<string, string> = {}) {
  const child = spawn(BERTH, args, { env: { ...process.env, HOME: workDir, BERTH_GATEWAY: gatewayUrl, BERTH_TOKEN: E2E_TOKENS.admin, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    waiters.forEach((w) => w());
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end();
  const exited = new Promise<CliRun>((done) => child.once('close', (code) => done({ code, stdout, stderr })));
  const waitFor = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`berth ${args.join(' ')} did not print ${pattern}; stdout:\n${stdout}\nstderr:\n${stderr}\nagent:\n${agent.output().slice(-3000)}`)), timeoutMs);
      const check = () => {
        if (pattern.test(stdout)) {
          clearTimeout(timer);
          ok();
        }
      };
      waiters.push(check);
      check();
      void exited.then(() => {
        clearTimeout(timer);
        if (!pattern.test(stdout)) fail(new Error(`berth ${args.join(' ')} exited before printing ${pattern}: ${stdout}${stderr}`));
      });
    });
  return { pid: child.pid, exited, waitFor, interrupt: () => child.kill('SIGINT') };
}

const berth = (...args: string[]): Promise<CliRun> => startBerth(args).exited;

/** Bounded re-running of a CLI command until its answer shows what the system converges to (reads are eventually consistent). */
async function eventually(args: string[], accept: (run: CliRun) => boolean, timeoutMs = 30_000): Promise<CliRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await berth(...args);
    if (accept(run)) return run;
    // an error is an answer, not a lag: fail now rather than at the deadline
    if (Date.now() > deadline || /^Error: /.test(run.stderr)) throw new Error(`berth ${args.join(' ')} never gave the expected answer; last:\n${run.stdout}${run.stderr}\nagent:\n${agent.output().slice(-3000)}`);
  }
}

async function containersGone(jobId: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await docker.docker.listContainers({ all: true, filters: { label: [`berth.job-id=${jobId}`] } })).length > 0) {
    if (Date.now() > deadline) throw new Error(`the container of ${jobId} is still there after ${timeoutMs} ms:\n${agent.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'berth-cli-e2e-'));
  tokensFile = writeGatewayTokens(workDir, 'cli-e2e');
  nats = await startNatsServer();
  docker = await getDockerEngine();
  scheduler = startService('scheduler', 'apps/scheduler/src/main.ts', ['--nats', nats.url, '--http-port', '0']);
  gateway = startService('gateway', 'apps/gateway/src/main.ts', ['--nats', nats.url, '--port', '0', '--tokens-file', tokensFile]);
  agent = startService('agent', 'apps/agent/src/main.ts', [
    '--name', HOST, '--nats', nats.url, '--state-dir', join(workDir, 'agent'), '--docker-host', docker.dockerHost,
    '--http-port', '0', '--heartbeat-interval', '1', '--labels', 'role=cli-e2e',
  ]);
  await scheduler.waitForOutput(/scheduler serving/);
  const serving = await gateway.waitForOutput(/gateway serving/);
  gatewayUrl = (JSON.parse(serving) as { url: string }).url;
  await eventually(['hosts', '--json'], (run) => run.code === 0 && (JSON.parse(run.stdout) as Record<string, { status: string }>)[HOST]?.status === 'UP');
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await gateway?.stop();
  await scheduler?.stop();
  await nats?.stop();
  // the agent leaves containers running when it stops (by design); clean up ours
  const leftovers = (await docker?.docker.listContainers({ all: true, filters: { label: [`berth.host=${HOST}`] } })) ?? [];
  await Promise.all(leftovers.map((c) => docker.docker.getContainer(c.Id).remove({ force: true })));
  await docker?.release();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

it('creates, lists, deploys, watches, reports, undeploys and removes a job through the CLI', async () => {
  const jobFile = join(workDir, 'hello.json');
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
  const watch = startBerth(['watch', '--exact', 'cli-hello:1', HOST]);
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
