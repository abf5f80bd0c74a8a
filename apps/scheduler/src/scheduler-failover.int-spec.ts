import { EVENTS_STREAM, EVENTS_SUBJECT_WILDCARD, SchedulerCommand } from '@berth/contracts';
import { JetStreamEventStore } from '@berth/event-store';
import { SchedulerClient } from '@berth/scheduler-client';
import { startNatsServer, type NatsServer, type ServiceProcess } from '@berth/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startLeaderAndStandby } from './testing/scheduler-processes';

const LEASE_TTL_S = 1.5;

let nats: NatsServer;
let nc: NatsConnection;
const schedulers: ServiceProcess[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
});

// one hook: schedulers first, then the server they are connected to
afterAll(async () => {
  await nc?.close();
  for (const s of schedulers) await s.stop();
  await nats?.stop();
});

const createJob = (client: SchedulerClient, name: string, timeoutMs?: number) =>
  client.request(SchedulerCommand.CREATE_JOB, { correlationId: name, job: { id: `${name}:1`, image: 'local/busybox:1' } }, timeoutMs === undefined ? {} : { timeoutMs });

describe('leader failover between two scheduler processes', () => {
  it('the standby serves within the lease TTL after kill -9 of the leader; no event is lost or duplicated', async () => {
    const { leader: a, standby: b } = await startLeaderAndStandby(nats.url, LEASE_TTL_S);
    schedulers.push(a, b);
    const client = new SchedulerClient(nc, { actor: 'failover-test' });

    const before = Array.from({ length: 20 }, (_, i) => `before-${i}`);
    for (const name of before) expect(await createJob(client, name)).toMatchObject({ ok: true });
    await client.call(SchedulerCommand.REGISTER_HOST, { host: 'h1', agentId: 'a1', correlationId: 'register-h1' });

    process.kill(a.pid, 'SIGKILL');
    await a.exited;
    const killedAt = Date.now();

    // keep asking (bounded) until the standby answers; a killed leader leaves no responders → UNAVAILABLE
    const after: string[] = [];
    const unsure: string[] = [];
    for (let i = 0; ; i++) {
      const name = `after-${i}`;
      const response = await createJob(client, name, 500);
      if (response.ok) {
        after.push(name);
        break;
      }
      expect(response.error.code).toBe('UNAVAILABLE');
      // a timeout (not "no responders") may or may not have been applied
      if (!/no scheduler/.test(response.error.message)) unsure.push(name);
      if (Date.now() - killedAt > (LEASE_TTL_S + 3) * 1000) throw new Error(`standby did not take over:\n${b.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const tookOverMs = Date.now() - killedAt;
    expect(tookOverMs).toBeLessThan(LEASE_TTL_S * 1000 + 1500);
    await b.waitForOutput(/serving as leader/, 1000);
    for (let i = 0; i < 5; i++) {
      const name = `after-more-${i}`;
      expect(await createJob(client, name)).toMatchObject({ ok: true });
      after.push(name);
    }
    // the new leader knows everything the old one wrote
    const listed = await client.call<{ jobs: { id: string }[] }>(SchedulerCommand.LIST_JOBS, {});
    expect(listed.jobs.length).toBe(before.length + after.length + unsure.filter((u) => listed.jobs.some((j) => j.id.startsWith(`${u}:`))).length);

    // the stream: every acknowledged command's event exactly once, no duplicate ids, gap-free versions
    const store = await JetStreamEventStore.connect({ nc });
    const events = [];
    for await (const e of store.readAll()) events.push(e);
    const created = events.filter((e) => e.type === 'JobCreated');
    for (const name of [...before, ...after]) expect(created.filter((e) => e.correlationId === name)).toHaveLength(1);
    for (const name of unsure) expect(created.filter((e) => e.correlationId === name).length).toBeLessThanOrEqual(1);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const versions = new Map<string, number[]>();
    for (const e of events) versions.set(`${e.aggregate}/${e.aggregateId}`, [...(versions.get(`${e.aggregate}/${e.aggregateId}`) ?? []), e.version]);
    for (const v of versions.values()) expect(v).toEqual(v.map((_, i) => i + 1));
    const jsm = await jetstreamManager(nc);
    // every message on an event subject is an append read above (the leader's fence messages hold no events)
    const { subjects } = (await jsm.streams.info(EVENTS_STREAM, { subjects_filter: EVENTS_SUBJECT_WILDCARD })).state;
    expect(Object.values(subjects ?? {}).reduce((sum, n) => sum + n, 0)).toBe(new Set(events.map((e) => e.sequence)).size);
    await store.close();
  }, 30_000);
});
