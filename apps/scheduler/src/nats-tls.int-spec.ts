import { ApiRole, SchedulerCommand } from '@berth/contracts';
import { NatsAuth, natsConnectOptions } from '@berth/service';
import { SchedulerClient } from '@berth/scheduler-client';
import { eventually, makeTestTls, startNatsServer, type NatsServer, type TestTls } from '@berth/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSchedulerConfig } from './config';
import { startScheduler, type RunningScheduler } from './scheduler';
import { silentLogger } from './testing/in-memory-scheduler';

/**
 * NATS over TLS with a CA made here (openssl), client certificates required
 * (`verify`), auth on: the scheduler and an integration connect with
 * --nats-tls-ca/--nats-tls-cert/--nats-tls-key through the one connection
 * builder every service uses; a client without the CA, or without a client
 * certificate, is refused.
 */

let dir: string;
let tls: TestTls;
let nats: NatsServer;
let scheduler: RunningScheduler | undefined;
let integration: NatsConnection | undefined;
const file = (name: string) => join(dir, name);



beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-nats-tls-'));
  tls = makeTestTls(dir, 'berth-test-ca');
  const auth = NatsAuth.init(file('keys'));
  writeFileSync(file('scheduler.creds'), auth.issue({ kind: 'scheduler' }).creds);
  writeFileSync(file('ci.creds'), auth.issue({ kind: 'integration', name: 'ci', role: ApiRole.READ }).creds);
  nats = await startNatsServer({
    auth,
    extraConfig: tls.serverConfig,
  });
}, 60_000);

afterAll(async () => {
  await integration?.close();
  await scheduler?.stop();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const tlsFlags = () => ({ natsTlsCa: tls.caFile, natsTlsCert: tls.clientCert, natsTlsKey: tls.clientKey });

it('serves commands over TLS to a client holding the CA and a client certificate', async () => {
  const flags = ['--nats-tls-ca', tls.caFile, '--nats-tls-cert', tls.clientCert, '--nats-tls-key', tls.clientKey];
  scheduler = await startScheduler(loadSchedulerConfig(['--nats', nats.url, '--nats-creds', file('scheduler.creds'), ...flags, '--http-port', '0'], {}), silentLogger);
  integration = await connect(natsConnectOptions({ nats: nats.url, natsCreds: file('ci.creds'), ...tlsFlags() }, { inboxPrefix: '_INBOX_INTEGRATION.ci' }));
  const client = new SchedulerClient(integration, { identity: { name: 'ci', role: ApiRole.READ } });
  await eventually(async () => (await client.request(SchedulerCommand.LIST_JOBS, {})).ok, { timeoutMs: 15_000 });
  expect(integration.info?.tls_required).toBe(true);
}, 30_000);

it('refuses a client without the CA, and one without a client certificate', async () => {
  const { natsTlsCa } = tlsFlags();
  const options = { maxReconnectAttempts: 0, timeout: 3_000 };
  await expect(connect(natsConnectOptions({ nats: nats.url, natsCreds: file('ci.creds') }, options))).rejects.toThrow(/unable to verify the first certificate/);
  // the server ends the handshake of a client without a certificate: it never gets connected
  await expect(connect(natsConnectOptions({ nats: nats.url, natsCreds: file('ci.creds'), natsTlsCa }, options))).rejects.toThrow(/timeout|certificate|handshake|closed/i);
}, 30_000);
