import { SchedulerCommand } from '@berth/contracts';
import { SchedulerClient } from '@berth/scheduler-client';
import { buildBundledService, eventually, startNatsServer, startService, type NatsServer, type ServiceProcess } from '@berth/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The scheduler and the agent as `npm start` runs them: built by
 * tools/bundle-services.cjs into dist/services/*.cjs and started with plain
 * node (no TypeScript hook). A job deployed through the bundled scheduler
 * runs on the bundled agent (SIMULATED runtime: no Docker needed here).
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

it('a job deployed through the bundled scheduler reaches RUNNING on the bundled agent', async () => {
  const schedulerBundle = buildBundledService('scheduler');
  const agentBundle = buildBundledService('agent');
  const scheduler = startService('scheduler', schedulerBundle.entry, ['--nats', nats.url, '--http-port', '0'], { LOG_LEVEL: 'warn' }, schedulerBundle.nodeArgs);
  started.push(scheduler);
  const agent = startService('agent', agentBundle.entry, ['--name', 'bundled-1', '--nats', nats.url, '--state-dir', join(dir, 'agent'), '--simulated', 'true', '--http-port', '0'], {}, agentBundle.nodeArgs);
  started.push(agent);
  const logs = () => `scheduler:\n${scheduler.output().slice(-2000)}\nagent:\n${agent.output().slice(-2000)}`;
  const client = new SchedulerClient(nc, { actor: 'bundles-e2e', timeoutMs: 5_000 });

  await eventually(async () => (await client.call<{ hosts: { host: string; status: string }[] }>(SchedulerCommand.LIST_HOSTS, {})).hosts.some((h) => h.host === 'bundled-1' && h.status === 'UP'), { timeoutMs: 30_000, what: logs });
  await client.call(SchedulerCommand.CREATE_JOB, { job: { id: 'bundled:1', image: 'local/busybox:1', command: ['sleep', '600'] } });
  await client.call(SchedulerCommand.DEPLOY, { job: 'bundled:1', host: 'bundled-1' });
  await eventually(async () => (await client.call<{ deployments: { host: string; state: string }[] }>(SchedulerCommand.JOB_STATUS, { job: 'bundled:1' })).deployments.some((d) => d.host === 'bundled-1' && d.state === 'RUNNING'), { timeoutMs: 30_000, what: logs });
  // plain node on the bundle: no TypeScript hook in the process
  for (const p of [scheduler, agent]) {
    const argv = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0');
    expect(argv.some((a) => a.endsWith('register.cjs'))).toBe(false);
    expect(argv.some((a) => a.endsWith(`dist/services/${p.name}.cjs`))).toBe(true);
    expect(argv).toEqual(expect.arrayContaining([...(p === agent ? agentBundle : schedulerBundle).nodeArgs]));
  }
}, 90_000);
