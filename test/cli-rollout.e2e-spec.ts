import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_TOKENS } from './support/api-tokens';
import type { CliRun } from './support/berth-cli';
import { startStack, type Stack } from './support/stack';

/**
 * A rolling update through the `berth` CLI on the real stack: nats-server,
 * scheduler, gateway and three agents on the SIMULATED runtime (no Docker),
 * all as processes; the CLI run as a child process like a user types it.
 */
const HOSTS = ['rollout-e2e-1', 'rollout-e2e-2', 'rollout-e2e-3'];
let stack: Stack;

const berth = (...args: string[]): Promise<CliRun> => stack.cli.run(...args);
const berthWith = (env: Record<string, string>, ...args: string[]): Promise<CliRun> => stack.cliWith(env).run(...args);
const eventually = (args: string[], accept: (run: CliRun) => boolean): Promise<CliRun> => stack.cli.eventually(args, accept, { timeoutMs: 20_000, context: () => stack.logs() });

beforeAll(async () => {
  stack = await startStack({ name: 'cli-rollout-e2e', hosts: HOSTS, labels: (host) => ['role=rollout-e2e', `tier=${host.slice(-1)}`] });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
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
  expect((await berth('inspect-deployment-group', 'rollout-group')).stdout).toBe('Name: rollout-group\nLabels: role=rollout-e2e\nJob:\nHosts: 3 matching (3 UP)\n');

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

  const readFile = join(stack.workDir, 'read.token');
  writeFileSync(readFile, `${E2E_TOKENS.read}\n`);
  const reader = await berthWith({ BERTH_TOKEN: '' }, '--token-file', readFile, 'list-deployment-groups');
  expect(reader).toMatchObject({ code: 0, stdout: 'rollout-group\n' });
  const forbidden = await berthWith({ BERTH_TOKEN: '' }, '--token-file', readFile, 'create-deployment-group', 'readers-group', 'role=rollout-e2e');
  expect(forbidden.code).toBe(1);
  expect(forbidden.stderr).toMatch(/^Error: FORBIDDEN: this needs an API token with the admin role/);
  expect((await berth('list-deployment-groups')).stdout).toBe('rollout-group\n');
});
