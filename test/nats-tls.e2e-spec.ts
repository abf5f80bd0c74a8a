import { ApiRole, SchedulerCommand, integrationInboxPrefix } from '@berth/contracts';
import { NatsAuth, natsConnectOptions } from '@berth/service';
import { SchedulerClient } from '@berth/scheduler-client';
import { buildBundledService, eventually, makeTestTls, startNatsServer, startService, type NatsServer, type ServiceProcess, type TestTls } from '@berth/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every service over TLS with auth on, as they run from their bundles: a CA,
 * a server certificate and a client certificate made here with openssl,
 * nats-server verifying client certificates; the scheduler, the agent and the
 * gateway each with its own credentials and --nats-tls-ca/-cert/-key. A job
 * deployed by an integration reaches RUNNING on the agent and the gateway
 * shows it; a client without the CA is refused.
 */
let dir: string;
let tls: TestTls;
let nats: NatsServer;
let nc: NatsConnection | undefined;
const started: ServiceProcess[] = [];
const file = (name: string) => join(dir, name);



beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-tls-e2e-'));
  tls = makeTestTls(dir, 'berth-e2e-ca');
  const auth = NatsAuth.init(file('keys'));
  for (const [name, party] of [
    ['scheduler', { kind: 'scheduler' }],
    ['gateway', { kind: 'gateway' }],
    ['agent', { kind: 'agent', host: 'tls-1' }],
    ['ci', { kind: 'integration', name: 'ci', role: ApiRole.DEPLOY }],
  ] as const) {
    writeFileSync(file(`${name}.creds`), auth.issue(party).creds, { mode: 0o600 });
  }
  nats = await startNatsServer({
    auth,
    extraConfig: tls.serverConfig,
  });
}, 60_000);

afterAll(async () => {
  for (const p of started.reverse()) await p.stop();
  await nc?.close();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('runs the scheduler, the agent and the gateway over TLS with their own credentials; a client without the CA is refused', async () => {
  const tlsFlags = ['--nats-tls-ca', tls.caFile, '--nats-tls-cert', tls.clientCert, '--nats-tls-key', tls.clientKey];
  const natsFlags = (creds: string) => ['--nats', nats.url, '--nats-creds', file(`${creds}.creds`), ...tlsFlags];
  const schedulerBundle = buildBundledService('scheduler');
  const agentBundle = buildBundledService('agent');
  const gatewayBundle = buildBundledService('gateway');
  const scheduler = startService('scheduler', schedulerBundle.entry, [...natsFlags('scheduler'), '--http-port', '0'], { LOG_LEVEL: 'warn' }, schedulerBundle.nodeArgs);
  started.push(scheduler);
  const agent = startService('agent', agentBundle.entry, ['--name', 'tls-1', ...natsFlags('agent'), '--state-dir', file('agent-state'), '--simulated', 'true', '--http-port', '0'], {}, agentBundle.nodeArgs);
  started.push(agent);
  const gateway = startService('gateway', gatewayBundle.entry, [...natsFlags('gateway'), '--port', '0', '--auth', 'none'], {}, gatewayBundle.nodeArgs);
  started.push(gateway);
  const logs = () => [scheduler, agent, gateway].map((p) => `${p.name}:\n${p.output().slice(-2000)}`).join('\n');

  const options = natsConnectOptions(
    { nats: nats.url, natsCreds: file('ci.creds'), natsTlsCa: tls.caFile, natsTlsCert: tls.clientCert, natsTlsKey: tls.clientKey },
    { inboxPrefix: integrationInboxPrefix('ci'), timeout: 10_000 },
  );
  // a TLS handshake once timed out here while three services started on a loaded machine: tried again, bounded
  let connected: NatsConnection | undefined;
  await eventually(async () => Boolean((connected = await connect(options))), { timeoutMs: 60_000, what: logs });
  nc = connected as NatsConnection;
  expect(nc.info?.tls_required).toBe(true);
  const client = new SchedulerClient(nc, { identity: { name: 'ci', role: ApiRole.DEPLOY }, timeoutMs: 5_000 });
  await eventually(async () => (await client.call<{ hosts: { host: string; status: string }[] }>(SchedulerCommand.LIST_HOSTS, {})).hosts.some((h) => h.host === 'tls-1' && h.status === 'UP'), { timeoutMs: 60_000, what: logs });
  await client.call(SchedulerCommand.CREATE_JOB, { job: { id: 'tls:1', image: 'local/busybox:1', command: ['sleep', '600'] } });
  await client.call(SchedulerCommand.DEPLOY, { job: 'tls:1', host: 'tls-1' });
  await eventually(async () => (await client.call<{ deployments: { host: string; state: string }[] }>(SchedulerCommand.JOB_STATUS, { job: 'tls:1' })).deployments.some((d) => d.state === 'RUNNING'), { timeoutMs: 30_000, what: logs });

  const url = (JSON.parse(await gateway.waitForOutput(/gateway serving/, 60_000)) as { url: string }).url;
  const deployments = async () => {
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ job(id: "tls:1") { job { deployments { host state } } } }' }) });
    return ((await res.json()) as { data: { job: { job: { deployments: { host: string; state: string }[] } } } }).data.job.job.deployments;
  };
  await eventually(async () => (await deployments()).some((d) => d.state === 'RUNNING'), { timeoutMs: 15_000, what: logs });

  await expect(connect(natsConnectOptions({ nats: nats.url, natsCreds: file('ci.creds') }, { maxReconnectAttempts: 0, timeout: 3_000 }))).rejects.toThrow(/unable to verify the first certificate/);
}, 180_000);
