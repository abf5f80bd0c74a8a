import { startStack, type Stack } from './support/stack';

/**
 * kill -9 of the leading scheduler while a user's `berth rolling-update`
 * is following a rollout: the standby takes the lease, finishes the rollout
 * from the events alone, and the user's command still ends with "Done." and
 * exit 0. Afterwards `berth events` shows that every host got the job
 * exactly once, and who did what.
 */
const HOSTS = ['fo-e2e-1', 'fo-e2e-2', 'fo-e2e-3', 'fo-e2e-4'];
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ name: 'cli-failover-e2e', hosts: HOSTS, labels: ['role=fo-e2e'], schedulers: 2, leaseTtl: 1.5 });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

interface EventRow {
  readonly sequence: number;
  readonly type: string;
  readonly aggregate: string;
  readonly aggregateId: string;
  readonly actor: string;
  readonly data?: Record<string, unknown>;
}

it('a rolling update survives kill -9 of the leading scheduler, with no host deployed twice', async () => {
  const { cli } = stack;
  const created = await cli.run('create', '-q', 'fo:1', 'local/busybox:1', '--', 'sleep', '600');
  expect(created).toMatchObject({ code: 0, stderr: '' });
  const jobId = created.stdout.trim();
  expect(await cli.run('create-deployment-group', 'fo', 'role=fo-e2e')).toMatchObject({ code: 0 });

  // one host at a time, each healthy only after a second: the kill lands mid-rollout
  const rolling = cli.start('rolling-update', 'fo:1', 'fo', '-p', '1', '--min-healthy-time', '1', '-t', '60');
  await rolling.waitFor(/fo-e2e-1 -> RUNNING \(1\/4\)/, 30_000);
  const [leader, standby] = stack.schedulers;
  if (!leader || !standby) throw new Error('two schedulers expected');
  process.kill(leader.pid, 'SIGKILL');
  await leader.exited;
  expect(rolling.stdout()).not.toContain('fo-e2e-4 -> RUNNING');
  await standby.waitForOutput(/serving as leader/, 15_000);

  const outcome = await rolling.exited;
  if (outcome.code !== 0) throw new Error(`rolling-update exited ${outcome.code}:\n${outcome.stdout}${outcome.stderr}\n${stack.logs()}`);
  const lines = outcome.stdout.trimEnd().split('\n');
  expect(lines.filter((l) => / -> RUNNING /.test(l))).toEqual(HOSTS.map((h, i) => `${h} -> RUNNING (${i + 1}/4)`));
  expect(lines.at(-2)).toBe('Done.');

  const status = await cli.run('deployment-group-status', 'fo');
  expect(status.stdout).toContain('Status: DONE');
  for (const host of HOSTS) expect(status.stdout).toMatch(new RegExp(`^${host}\\s+X\\s+fo:1:\\w+\\s+RUNNING$`, 'm'));

  const deployed = await cli.run('--json', 'events', '--type', 'JobDeployed', '--data');
  const rows = JSON.parse(deployed.stdout) as EventRow[];
  expect(rows.map((e) => e.aggregateId).sort()).toEqual(HOSTS);
  // the scheduler deploys for the group; the user's gateway started the rollout
  expect(new Set(rows.map((e) => e.actor))).toEqual(new Set(['scheduler']));
  const started = JSON.parse((await cli.run('--json', 'events', '--type', 'RolloutStarted')).stdout) as EventRow[];
  expect(started).toHaveLength(1);
  expect(started[0]?.actor).toBe('cli-failover-e2e');
  const job = JSON.parse((await cli.run('--json', 'events', '--aggregate', 'job', '--id', jobId)).stdout) as EventRow[];
  expect(job.map((e) => [e.type, e.actor])).toEqual([['JobCreated', 'cli-failover-e2e']]);
}, 120_000);
