import {
  ApiRole,
  EVENTS_STREAM,
  SchedulerCommand,
  busAllows,
  busIdentityName,
  busPermissions,
  type BusParty,
} from '@berth/contracts';
import { NatsAuth, formatCreds, keyPairFromSeed, pushAccountJwt, seedOf, userJwt } from '@berth/service';
import { SchedulerClient } from '@berth/scheduler-client';
import { eventually, startNatsServer, type NatsServer } from '@berth/testing';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { connect, credsAuthenticator, nkeys, type NatsConnection } from '@nats-io/transport-node';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSchedulerConfig } from './config';
import { startScheduler, type RunningScheduler } from './scheduler';
import { silentLogger } from './testing/in-memory-scheduler';

/**
 * The bus's permission matrix on a real nats-server with auth on, generated
 * from the one declaration (libs/contracts bus-permissions): every party ×
 * every subject family, publish and subscribe; what the declaration allows
 * must work, what it does not must fail with a permissions violation. Then
 * identity from the connection through a real scheduler, and revocation.
 */

const A = 'host-a';
const B = 'host-b';
const PARTIES: Record<string, BusParty> = {
  'agent A': { kind: 'agent', host: A },
  'agent B': { kind: 'agent', host: B },
  'read integration': { kind: 'integration', name: 'reader', role: ApiRole.READ },
  'deploy integration': { kind: 'integration', name: 'deployer', role: ApiRole.DEPLOY },
  'admin integration': { kind: 'integration', name: 'admin-bot', role: ApiRole.ADMIN },
  gateway: { kind: 'gateway' },
  scheduler: { kind: 'scheduler' },
};

/** one subject per family; `>`/`*` subjects only as subscriptions */
const PUBLISH_PROBES = [
  'berth.cmd.create-api-token',
  'berth.cmd.deploy',
  'berth.as.read.reader.jobs',
  'berth.as.deploy.reader.jobs',
  'berth.as.deploy.deployer.deploy',
  'berth.as.deploy.deployer.create-api-token',
  'berth.as.admin.deployer.create-api-token',
  'berth.as.admin.admin-bot.create-api-token',
  `berth.agent.${A}.heartbeat`,
  `berth.agent.${B}.heartbeat`,
  `berth.host.${A}.desired`,
  `berth.host.${B}.desired`,
  'berth.evt.job.probe',
  'berth.schedulers.presence',
  'berth.gate.svc.probe',
  `$JS.API.STREAM.INFO.${EVENTS_STREAM}`,
  `$JS.API.STREAM.DELETE.${EVENTS_STREAM}`,
  '$KV.BERTH_LEADER.probe',
];
const SUBSCRIBE_PROBES = [
  `berth.host.${A}.>`,
  `berth.host.${B}.>`,
  'berth.host.*.>',
  `berth.agent.${B}.>`,
  'berth.agent.*.>',
  'berth.agent.*.heartbeat',
  'berth.cmd.>',
  'berth.as.>',
  'berth.evt.>',
  `_INBOX.${A}.>`,
  `_INBOX.${B}.>`,
  '_INBOX_INTEGRATION.reader.>',
  '_INBOX_GATEWAY.>',
  '>',
];

let authDir: string;
let auth: NatsAuth;
let nats: NatsServer;
let observer: NatsConnection;
const credsFiles = new Map<string, string>();
const connections = new Map<string, NatsConnection>();
/** permission violations each party's connection was told about */
const violations = new Map<string, string[]>();

function credsFile(label: string, party: BusParty): string {
  const file = join(authDir, `${label.replace(/\W+/g, '-')}.creds`);
  writeFileSync(file, auth.issue(party).creds, { mode: 0o600 });
  return file;
}

async function connectAs(label: string, party: BusParty): Promise<NatsConnection> {
  const nc = await connect({
    servers: nats.url,
    authenticator: credsAuthenticator(readFileSync(credsFiles.get(label) as string)),
    inboxPrefix: busPermissions(party).inboxPrefix,
    maxReconnectAttempts: 0,
  });
  const seen: string[] = [];
  violations.set(label, seen);
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'error') seen.push(s.error.message);
  })();
  return nc;
}

/** A concrete subject inside a subscription's subject. */
function inside(subject: string): string {
  return subject.replace(/\*/g, 'x').replace(/>$/, 'probe.deep');
}

beforeAll(async () => {
  authDir = mkdtempSync(join(tmpdir(), 'berth-bus-auth-'));
  auth = NatsAuth.init(join(authDir, 'keys'));
  nats = await startNatsServer({ auth });
  for (const [label, party] of Object.entries(PARTIES)) credsFiles.set(label, credsFile(label, party));
  for (const [label, party] of Object.entries(PARTIES)) connections.set(label, await connectAs(label, party));
  // the test's own all-seeing user, signed with the account key: it sees what gets through and publishes what a subscriber should get
  const state = JSON.parse(readFileSync(join(auth.dir, 'auth.json'), 'utf8')) as { accountSeed: string };
  const user = nkeys.createUser();
  const jwt = userJwt(keyPairFromSeed(state.accountSeed), user.getPublicKey(), 'observer', { pub: { allow: ['>'] }, sub: { allow: ['>'] } }, Math.floor(Date.now() / 1000));
  observer = await connect({ servers: nats.url, authenticator: credsAuthenticator(new TextEncoder().encode(formatCreds(jwt, seedOf(user)))) });
}, 60_000);

afterAll(async () => {
  for (const nc of connections.values()) await nc.close().catch(() => undefined);
  await observer?.close();
  await nats?.stop();
  rmSync(authDir, { recursive: true, force: true });
});

describe('deny by default', () => {
  it('refuses a client without credentials', async () => {
    await expect(connect({ servers: nats.url, maxReconnectAttempts: 0 })).rejects.toThrow(/Authorization Violation/);
  });

  it('states what the issue asks of the declaration itself', () => {
    const agentA = busPermissions(PARTIES['agent A'] as BusParty);
    expect(busAllows(agentA, 'sub', `berth.host.${B}.>`)).toBe(false);
    expect(busAllows(agentA, 'pub', `berth.agent.${B}.status`)).toBe(false);
    expect(busAllows(agentA, 'pub', 'berth.cmd.deploy')).toBe(false);
    expect(busAllows(agentA, 'pub', '$JS.API.STREAM.INFO.BERTH_EVENTS')).toBe(false);
    const deploy = busPermissions(PARTIES['deploy integration'] as BusParty);
    // under its own role NATS lets it through, and the scheduler refuses what needs more (below)
    expect(busAllows(deploy, 'pub', 'berth.as.deploy.deployer.create-api-token')).toBe(true);
    expect(busAllows(deploy, 'pub', 'berth.as.admin.deployer.create-api-token')).toBe(false);
    expect(busAllows(deploy, 'pub', 'berth.as.deploy.other.deploy')).toBe(false);
    for (const party of Object.values(PARTIES)) {
      if (party.kind !== 'scheduler') expect(busAllows(busPermissions(party), 'pub', 'berth.evt.job.x')).toBe(false);
      expect(busAllows(busPermissions(party), 'pub', `$JS.API.STREAM.DELETE.${EVENTS_STREAM}`)).toBe(false);
    }
  });
});

describe('permission matrix (generated from libs/contracts bus-permissions)', () => {
  const cases = Object.keys(PARTIES).flatMap((label) => PUBLISH_PROBES.map((subject) => [label, subject] as const));
  it.each(cases)('%s publishing %s: allowed exactly when declared', async (label, subject) => {
    const party = PARTIES[label] as BusParty;
    const nc = connections.get(label) as NatsConnection;
    const allowed = busAllows(busPermissions(party), 'pub', subject);
    const marker = `${label}:${subject}:${Math.random()}`;
    const seen = observer.subscribe(subject, { max: 1 });
    await observer.flush();
    nc.publish(subject, marker);
    await nc.flush();
    if (allowed) {
      const timer = setTimeout(() => seen.unsubscribe(), 3_000);
      let got: string | undefined;
      for await (const m of seen) got = m.string();
      clearTimeout(timer);
      expect(got).toBe(marker);
    } else {
      await eventually(() => (violations.get(label) ?? []).some((v) => v.includes(`Permissions Violation for Publish to "${subject}"`)), { timeoutMs: 3_000 });
      seen.unsubscribe();
    }
  }, 10_000);

  const subCases = Object.keys(PARTIES).flatMap((label) => SUBSCRIBE_PROBES.map((subject) => [label, subject] as const));
  it.each(subCases)('%s subscribing to %s: allowed exactly when declared', async (label, subject) => {
    const party = PARTIES[label] as BusParty;
    const nc = connections.get(label) as NatsConnection;
    const allowed = busAllows(busPermissions(party), 'sub', subject);
    const marker = `${label}:${subject}:${Math.random()}`;
    // settled into a value at once: a refusal arriving before the assertion is not an unhandled rejection
    const received = new Promise<string>((resolve, reject) => {
      nc.subscribe(subject, {
        max: 1,
        callback: (err, msg) => (err ? reject(err) : resolve(msg.string())),
      });
    }).then(
      (message) => ({ message }),
      (error: Error) => ({ error: error.message }),
    );
    await nc.flush();
    observer.publish(inside(subject), marker);
    expect(await received).toEqual(allowed ? { message: marker } : { error: `Permissions Violation for Subscription to "${subject}"` });
  }, 10_000);
});

describe('identity from the connection, through a real scheduler', () => {
  let scheduler: RunningScheduler;
  beforeAll(async () => {
    const creds = credsFile('scheduler-process', { kind: 'scheduler' });
    scheduler = await startScheduler(loadSchedulerConfig(['--nats', nats.url, '--nats-creds', creds, '--http-port', '0'], {}), silentLogger);
    await eventually(async () => (await new SchedulerClient(connections.get('gateway') as NatsConnection).leader(300)) !== undefined, { timeoutMs: 15_000 });
  }, 30_000);
  afterAll(async () => {
    await scheduler?.stop();
  });

  const client = (label: string, actor?: string) => {
    const party = PARTIES[label] as BusParty;
    const identity = party.kind === 'integration' ? { name: busIdentityName(party), role: party.role } : undefined;
    return new SchedulerClient(connections.get(label) as NatsConnection, { ...(actor ? { actor } : {}), ...(identity ? { identity } : {}) });
  };

  it("records an admin integration's NATS identity as the actor of its API token, whatever the payload claims", async () => {
    await client('admin integration', 'root').call(SchedulerCommand.CREATE_API_TOKEN, { subject: 'made-by-bot', role: 'admin', tokenSha256: 'e'.repeat(64) });
    // read back as an integration may: a read-only ordered consumer of the events stream
    const js = jetstream(connections.get('read integration') as NatsConnection);
    const consumer = await js.consumers.get(EVENTS_STREAM, { filter_subjects: ['berth.evt.api-token.>'], deliver_policy: DeliverPolicy.All });
    const msg = await consumer.next({ expires: 5_000 });
    expect(msg?.json()).toMatchObject({ events: [{ type: 'ApiTokenCreated', actor: 'integration:admin-bot', data: expect.objectContaining({ subject: 'made-by-bot' }) }] });
  }, 20_000);

  it("records an agent's registration with the actor agent:<its host>, whatever the payload claims, and refuses another host's", async () => {
    const nc = connections.get('agent A') as NatsConnection;
    const own = await nc.request(`berth.agent.${A}.register`, JSON.stringify({ host: A, agentId: 'agent-a-1', actor: 'root' }), { timeout: 5_000 });
    expect(own.json()).toMatchObject({ ok: true });
    const other = await nc.request(`berth.agent.${A}.register`, JSON.stringify({ host: B, agentId: 'agent-a-1' }), { timeout: 5_000 });
    expect(other.json()).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const js = jetstream(connections.get('read integration') as NatsConnection);
    const consumer = await js.consumers.get(EVENTS_STREAM, { filter_subjects: ['berth.evt.host.>'], deliver_policy: DeliverPolicy.All });
    const msg = await consumer.next({ expires: 5_000 });
    expect(msg?.json()).toMatchObject({ events: [{ type: 'HostRegistered', actor: `agent:${A}`, aggregateId: A }] });
  }, 20_000);

  it('refuses an API token to a deploy integration, under its own role or a claimed admin one, and to the gateway subject', async () => {
    const body = { subject: 'sneaky', role: 'admin', tokenSha256: 'f'.repeat(64) };
    await expect(client('deploy integration').request(SchedulerCommand.CREATE_API_TOKEN, body)).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const nc = connections.get('deploy integration') as NatsConnection;
    const forged = new SchedulerClient(nc, { identity: { name: 'deployer', role: ApiRole.ADMIN } });
    await expect(forged.request(SchedulerCommand.CREATE_API_TOKEN, body)).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await expect(new SchedulerClient(nc, { actor: 'root' }).request(SchedulerCommand.CREATE_API_TOKEN, body)).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await expect(client('admin integration').call(SchedulerCommand.REVOKE_API_TOKEN, { subject: 'sneaky' })).rejects.toMatchObject({ code: 'API_TOKEN_NOT_FOUND' });
  }, 20_000);

  it('lets a deploy integration deploy-level commands but not undeploy with overrideGroup (admin only)', async () => {
    await expect(client('deploy integration').call(SchedulerCommand.LIST_JOBS, {})).resolves.toBeDefined();
    await expect(client('deploy integration').request(SchedulerCommand.UNDEPLOY, { job: 'x:1', host: A, overrideGroup: true })).resolves.toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: expect.stringMatching(/overrideGroup needs the admin role/) },
    });
  }, 20_000);

  it('revoking credentials cuts the connection within 5 s and refuses the next connect; other parties stay', async () => {
    const file = credsFile('revoked-agent', { kind: 'agent', host: 'host-r' });
    credsFiles.set('revoked agent', file);
    const nc = await connectAs('revoked agent', { kind: 'agent', host: 'host-r' });
    const closed = nc.closed();
    auth.revoke('host-r');
    const sys = await connect({ servers: nats.url, authenticator: credsAuthenticator(new TextEncoder().encode(auth.systemCreds())) });
    // from the moment nats-server is told (what `berth credentials revoke` does)
    const started = Date.now();
    await pushAccountJwt(sys, auth.accountJwt());
    await sys.close();
    await Promise.race([closed, new Promise((_r, reject) => setTimeout(() => reject(new Error('still connected 5 s after the revocation')), 5_000))]);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(connect({ servers: nats.url, authenticator: credsAuthenticator(readFileSync(file)), maxReconnectAttempts: 0 })).rejects.toThrow(/Authorization Violation|Revoked/);
    await expect(client('deploy integration').call(SchedulerCommand.LIST_JOBS, {})).resolves.toBeDefined();
  }, 20_000);
});
