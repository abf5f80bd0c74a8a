import { LEADER_BUCKET } from '@berth/contracts';
import { startNatsServer, type NatsServer } from '@berth/testing';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { LEADER_KEY, LeaderLease, type LeadershipHandlers } from './leader-lease';
import { silentLogger } from './testing/in-memory-scheduler';

const TTL_MS = 1_000;
let nats: NatsServer;
const connections: NatsConnection[] = [];
const leases: LeaderLease[] = [];
const contenders: { lease: LeaderLease; rec: ReturnType<typeof recorder> }[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
});

afterAll(async () => {
  for (const l of leases) await l.stop();
  for (const c of connections) if (!c.isClosed()) await c.close();
  await nats?.stop();
});

/** Records the role changes of one contender; `next(role)` resolves at the next change to it. */
function recorder() {
  const log: string[] = [];
  const waiting: { role: string; resolve: () => void }[] = [];
  const note = (role: string) => {
    log.push(role);
    for (const w of waiting.filter((x) => x.role === role)) w.resolve();
  };
  const handlers: LeadershipHandlers = {
    onAcquired: async () => note('leader'),
    onLost: async () => note('standby'),
  };
  return { log, handlers, next: (role: string) => new Promise<void>((resolve) => waiting.push({ role, resolve })) };
}

async function contender(): Promise<{ lease: LeaderLease; nc: NatsConnection; rec: ReturnType<typeof recorder> }> {
  const nc = await connect({ servers: nats.url });
  connections.push(nc);
  const lease = await LeaderLease.open(nc, { ttlMs: TTL_MS, logger: silentLogger });
  leases.push(lease);
  const rec = recorder();
  await lease.start(rec.handlers);
  contenders.push({ lease, rec });
  return { lease, nc, rec };
}

describe('LeaderLease', () => {
  it('gives the lease to one contender; the other takes over within the TTL after the leader dies', async () => {
    const a = await contender();
    const b = await contender();
    expect([a.lease.isLeader, b.lease.isLeader]).toEqual([true, false]);

    // keeps it across several renewals
    const held = Date.now();
    while (Date.now() - held < 2 * TTL_MS) await new Promise((r) => setTimeout(r, 100));
    expect(b.lease.isLeader).toBe(false);

    const takeover = b.rec.next('leader');
    const died = Date.now();
    await a.nc.close(); // no release, no more renewals: a crash as far as the lease is concerned
    await takeover;
    expect(Date.now() - died).toBeLessThan(TTL_MS + 700);
    await a.lease.stop();
  });

  it('hands over at once on a clean stop', async () => {
    const c = leases.find((l) => l.isLeader) as LeaderLease;
    const d = await contender();
    expect(d.lease.isLeader).toBe(false);
    const takeover = d.rec.next('leader');
    const stopped = Date.now();
    await c.stop();
    await takeover;
    expect(Date.now() - stopped).toBeLessThan(TTL_MS / 2);
  });

  it('steps down when its renewal is refused because someone else wrote the key', async () => {
    const leader = contenders.find((c) => c.lease.isLeader);
    if (!leader) throw new Error('no leader');
    const nc = await connect({ servers: nats.url });
    connections.push(nc);
    const lost = leader.rec.next('standby');
    const kv = await new Kvm(jetstream(nc)).open(LEADER_BUCKET);
    await kv.put(LEADER_KEY, JSON.stringify({ holder: 'usurper' }));
    await lost;
    expect(leader.lease.isLeader).toBe(false);
    expect(leader.rec.log).toEqual(['leader', 'standby']);
  });
});
