import { SchedulerCommand } from '@berth/contracts';
import { SchedulerClient } from '@berth/scheduler-client';
import { buildBundledService, eventually, startNatsServer, startService, type NatsServer, type ServiceProcess } from '@berth/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { buildClientSchema, buildSchema, getIntrospectionQuery, lexicographicSortSchema, printSchema, type IntrospectionQuery } from 'graphql';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The scheduler, the agent and the gateway as `npm start` runs them: built
 * by tools/bundle-services.cjs into dist/services/*.cjs and started with
 * plain node (no TypeScript hook). A job deployed through the bundled
 * scheduler runs on the bundled agent (SIMULATED runtime: no Docker needed
 * here), and the bundled gateway shows it, serving the committed schema.
 */
let nats: NatsServer;
let nc: NatsConnection;
let dir: string;
const started: ServiceProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-bundles-'));
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
}, 30_000);

afterAll(async () => {
  for (const p of started.reverse()) await p.stop();
  await nc?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('a job deployed through the bundled scheduler reaches RUNNING on the bundled agent, and the bundled gateway shows it', async () => {
  const schedulerBundle = buildBundledService('scheduler');
  const agentBundle = buildBundledService('agent');
  const scheduler = startService('scheduler', schedulerBundle.entry, ['--nats', nats.url, '--http-port', '0'], { LOG_LEVEL: 'warn' }, schedulerBundle.nodeArgs);
  started.push(scheduler);
  const agent = startService('agent', agentBundle.entry, ['--name', 'bundled-1', '--nats', nats.url, '--state-dir', join(dir, 'agent'), '--simulated', 'true', '--http-port', '0'], {}, agentBundle.nodeArgs);
  started.push(agent);
  const gatewayBundle = buildBundledService('gateway');
  const schemaFile = join(__dirname, '../apps/gateway/schema.gql');
  const schemaWritten = statSync(schemaFile).mtimeMs;
  const gateway = startService('gateway', gatewayBundle.entry, ['--nats', nats.url, '--port', '0', '--auth', 'none'], {}, gatewayBundle.nodeArgs);
  started.push(gateway);
  const logs = () => [scheduler, agent, gateway].map((p) => `${p.name}:\n${p.output().slice(-2000)}`).join('\n');
  const client = new SchedulerClient(nc, { actor: 'bundles-e2e', timeoutMs: 5_000 });

  await eventually(async () => (await client.call<{ hosts: { host: string; status: string }[] }>(SchedulerCommand.LIST_HOSTS, {})).hosts.some((h) => h.host === 'bundled-1' && h.status === 'UP'), { timeoutMs: 30_000, what: logs });
  await client.call(SchedulerCommand.CREATE_JOB, { job: { id: 'bundled:1', image: 'local/busybox:1', command: ['sleep', '600'] } });
  await client.call(SchedulerCommand.DEPLOY, { job: 'bundled:1', host: 'bundled-1' });
  await eventually(async () => (await client.call<{ deployments: { host: string; state: string }[] }>(SchedulerCommand.JOB_STATUS, { job: 'bundled:1' })).deployments.some((d) => d.host === 'bundled-1' && d.state === 'RUNNING'), { timeoutMs: 30_000, what: logs });

  // the bundled gateway: its schema (built in memory) is the committed one, and it sees the job running
  const url = (JSON.parse(await gateway.waitForOutput(/gateway serving/, 60_000)) as { url: string }).url;
  const gql = async <T>(query: string): Promise<T> => {
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const answer = (await res.json()) as { data?: T; errors?: unknown[] };
    expect(answer.errors).toBeUndefined();
    return answer.data as T;
  };
  const served = buildClientSchema(await gql<IntrospectionQuery>(getIntrospectionQuery()));
  const committed = buildSchema(readFileSync(schemaFile, 'utf8'));
  expect(printSchema(lexicographicSortSchema(served))).toBe(printSchema(lexicographicSortSchema(committed)));
  expect(statSync(schemaFile).mtimeMs).toBe(schemaWritten);
  const deployments = async () => (await gql<{ job: { job: { deployments: { host: string; state: string }[] } } }>('{ job(id: "bundled:1") { job { deployments { host state } } } }')).job.job.deployments;
  // the gateway follows the stream on its own: it may be an event or two behind the scheduler
  await eventually(async () => (await deployments()).some((d) => d.state === 'RUNNING'), { timeoutMs: 10_000, what: logs });
  expect(await deployments()).toEqual([{ host: 'bundled-1', state: 'RUNNING' }]);

  // plain node on the bundle: no TypeScript hook in the process
  const bundles = new Map([
    [scheduler, schedulerBundle],
    [agent, agentBundle],
    [gateway, gatewayBundle],
  ]);
  for (const [p, bundle] of bundles) {
    const argv = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0');
    expect(argv.some((a) => a.endsWith('register.cjs'))).toBe(false);
    expect(argv.some((a) => a.endsWith(`dist/services/${p.name}.cjs`))).toBe(true);
    expect(argv).toEqual(expect.arrayContaining([...bundle.nodeArgs]));
  }
}, 90_000);
