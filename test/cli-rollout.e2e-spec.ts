import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT, startNatsServer, startService, type NatsServer, type ServiceProcess } from '@berth/testing';
import { E2E_TOKENS, writeGatewayTokens } from './support/api-tokens';

/**
 * A rolling update through the `berth` CLI on the real stack: nats-server,
 * scheduler, gateway and three agents on the SIMULATED runtime (no Docker),
 * all as processes; the CLI run as a child process like a user types it.
 */
const BERTH = resolve(REPO_ROOT, 'apps/cli/bin/berth');
const HOSTS = ['rollout-e2e-1', 'rollout-e2e-2', 'rollout-e2e-3'];
let nats: NatsServer;
let scheduler: ServiceProcess;
let gateway: ServiceProcess;
const agents: ServiceProcess[] = [];
let workDir: string;
let gatewayUrl: string;
let tokensFile: string;

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const berth = (...args: string[]): Promise<CliRun> => berthWith({}, ...args);

function berthWith(env: Record<string, string>, ...args: string[]): Promise<CliRun> {
  const child = spawn(BERTH, args, { env: { ...process.env, HOME: workDir, BERTH_GATEWAY: gatewayUrl, BERTH_TOKEN: E2E_TOKENS.admin, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((done) => child.once('close', (code) => done({ code, stdout, stderr })));
}

/** Bounded re-running of a read until it shows what the system converges to. */
async function eventually(args: string[], accept: (run: CliRun) => boolean, timeoutMs = 20_000): Promise<CliRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await berth(...args);
    if (accept(run)) return run;
    if (Date.now() > deadline || /^Error: /.test(run.stderr)) throw new Error(`berth ${args.join(' ')} never gave the expected answer; last:\n${run.stdout}${run.stderr}`);
  }
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'berth-cli-rollout-'));
  tokensFile = writeGatewayTokens(workDir, 'cli-rollout-e2e');
  nats = await startNatsServer();
  scheduler = startService('scheduler', 'apps/scheduler/src/main.ts', ['--nats', nats.url, '--http-port', '0']);
  gateway = startService('gateway', 'apps/gateway/src/main.ts', ['--nats', nats.url, '--port', '0', '--tokens-file', tokensFile]);
  for (const host of HOSTS) {
    agents.push(
      startService(host, 'apps/agent/src/main.ts', [
        '--name', host, '--nats', nats.url, '--state-dir', join(workDir, host), '--simulated', 'true',
        '--http-port', '0', '--heartbeat-interval', '1', '--labels', 'role=rollout-e2e', `tier=${host.slice(-1)}`,
      ]),
    );
  }
  await scheduler.waitForOutput(/scheduler serving/);
  const serving = await gateway.waitForOutput(/gateway serving/);
  gatewayUrl = (JSON.parse(serving) as { url: string }).url;
  await eventually(['hosts', '--json'], (run) => {
    if (run.code !== 0) return false;
    const hosts = JSON.parse(run.stdout) as Record<string, { status: string }>;
    return HOSTS.every((h) => hosts[h]?.status === 'UP');
  });
}, 60_000);

// one hook, in order: (CLI runs have exited) gateway, scheduler and agents, then nats-server
afterAll(async () => {
  await gateway?.stop();
  await Promise.all([scheduler?.stop(), ...agents.map((a) => a.stop())]);
  await nats?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

it('creates a deployment group, rolls a job out to its 3 hosts, and shows them all up to date and RUNNING', async () => {
  const created = await berth('create', '-q', 'rollout-app:1', 'local/busybox:1', '--', 'sleep', '600');
  expect(created).toMatchObject({ code: 0, stderr: '' });
  const jobId = created.stdout.trim();
  expect(jobId).toMatch(/^rollout-app:1:[0-9a-f]{40}$/);

  const group = await berth('create-deployment-group', 'rollout-group', 'role=rollout-e2e');
  expect(group.stdout).toBe('Creating deployment group: {"name":"rollout-group","selectors":["role=rollout-e2e"]}\n{"status":"CREATED"}\n');
  expect((await berth('create-deployment-group', 'rollout-group', 'role=rollout-e2e')).stdout).toMatch(/\{"status":"NOT_MODIFIED"\}\n$/);
  const conflict = await berth('create-deployment-group', 'rollout-group', 'role=other');
  expect(conflict.code).toBe(1);
  expect(conflict.stderr).toMatch(/^Error: DEPLOYMENT_GROUP_ALREADY_EXISTS: /);
  expect((await berth('list-deployment-groups')).stdout).toBe('rollout-group\n');
  expect((await berth('inspect-deployment-group', 'rollout-group')).stdout).toBe('Name: rollout-group\nLabels: role=rollout-e2e\nJob:\n');

  const rolled = await berth('rolling-update', 'rollout-app:1', 'rollout-group', '-p', '2', '-t', '30');
  expect(rolled).toMatchObject({ code: 0, stderr: '' });
  const lines = rolled.stdout.trimEnd().split('\n');
  expect(lines.slice(0, 2)).toEqual([`Rolling update started: rollout-group -> ${jobId.slice(0, 'rollout-app:1:'.length + 7)} (parallelism=2, timeout=30)`, '']);
  // each host once, counted in the order they got there; the first batch is hosts 1 and 2
  const hostLines = lines.slice(2, 5);
  expect(hostLines.map((l) => l.replace(/^(\S+) .*$/, '$1')).sort()).toEqual(HOSTS);
  expect(hostLines.map((l) => l.replace(/^\S+ /, ''))).toEqual(['-> RUNNING (1/3)', '-> RUNNING (2/3)', '-> RUNNING (3/3)']);
  expect(hostLines[2]).toMatch(/^rollout-e2e-3 /);
  expect(lines.slice(5, 7)).toEqual(['', 'Done.']);
  expect(lines[7]).toMatch(/^Duration: \d+\.\d\d s$/);

  const status = await eventually(['deployment-group-status', 'rollout-group'], (run) => run.stdout.includes('Status: DONE'));
  const short = jobId.slice(0, 'rollout-app:1:'.length + 7);
  expect(status.stdout.trimEnd().split('\n')).toEqual([
    'Name: rollout-group',
    `Job Id: ${jobId}`,
    'Status: DONE',
    '',
    'HOST             UP-TO-DATE    JOB                      STATE',
    ...HOSTS.map((h) => `${h}    X             ${short}    RUNNING`),
  ]);

  const rollouts = JSON.parse((await berth('--json', 'rollouts', 'rollout-group')).stdout) as { status: string; progress: { healthy: number } }[];
  expect(rollouts).toEqual([expect.objectContaining({ status: 'SUCCEEDED', progress: expect.objectContaining({ healthy: 3 }) })]);
});

it('answers without a token UNAUTHENTICATED and with a read token FORBIDDEN for a change, exit 1, nothing changed', async () => {
  const anonymous = await berthWith({ BERTH_TOKEN: '' }, 'hosts');
  expect(anonymous.code).toBe(1);
  expect(anonymous.stderr).toMatch(/^Error: UNAUTHENTICATED: /);
  const unknown = await berthWith({ BERTH_TOKEN: 'not-a-token-0123456789' }, 'list-deployment-groups');
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/^Error: UNAUTHENTICATED: unknown API token/);

  const readFile = join(workDir, 'read.token');
  writeFileSync(readFile, `${E2E_TOKENS.read}\n`);
  const reader = await berthWith({ BERTH_TOKEN: '' }, '--token-file', readFile, 'list-deployment-groups');
  expect(reader).toMatchObject({ code: 0, stdout: 'rollout-group\n' });
  const forbidden = await berthWith({ BERTH_TOKEN: '' }, '--token-file', readFile, 'create-deployment-group', 'readers-group', 'role=rollout-e2e');
  expect(forbidden.code).toBe(1);
  expect(forbidden.stderr).toMatch(/^Error: FORBIDDEN: this needs an API token with the admin role/);
  expect((await berth('list-deployment-groups')).stdout).toBe('rollout-group\n');
});
