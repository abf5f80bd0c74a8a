import { EVENTS_STREAM, LEADER_BUCKET, SNAPSHOTS_BUCKET, STATUS_STREAM } from '@berth/contracts';
import { eventually, startNatsCluster, type NatsCluster } from '@berth/testing';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { loadSchedulerConfig } from './config';
import { startScheduler, type RunningScheduler } from './scheduler';
import { silentLogger } from './testing/in-memory-scheduler';

/** Every stream and bucket the scheduler creates or uses. */
const ASSETS = [EVENTS_STREAM, `KV_${SNAPSHOTS_BUCKET}`, `KV_${LEADER_BUCKET}`, STATUS_STREAM];

let cluster: NatsCluster;
let nc: NatsConnection | undefined;
let scheduler: RunningScheduler | undefined;
beforeAll(async () => {
  cluster = await startNatsCluster({ size: 3 });
}, 60_000);
// one hook: the scheduler and our connection, then the servers
afterAll(async () => {
  await scheduler?.stop();
  await nc?.close();
  await cluster?.stop();
}, 60_000);

async function replicas(jsm: JetStreamManager): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of ASSETS) out[name] = await jsm.streams.info(name).then((i) => i.config.num_replicas, () => 0);
  return out;
}

const all = (n: number): Record<string, number> => Object.fromEntries(ASSETS.map((a) => [a, n]));

it('creates every stream and bucket with --replicas, and a later start with more scales the existing R1 ones up in place', async () => {
  nc = await connect({ servers: [...cluster.urls] });
  const jsm = await jetstreamManager(nc);
  const start = (...extra: string[]) =>
    startScheduler(loadSchedulerConfig(['--nats', cluster.urls[1] ?? '', '--http-port', '0', '--lease-ttl', '2', ...extra], {}), silentLogger);

  scheduler = await start();
  expect(scheduler.role()).toBe('leader');
  // the leader's term creates BERTH_STATUS for the agents' reports
  await eventually(async () => (await replicas(jsm))[STATUS_STREAM] === 1, { timeoutMs: 20_000, what: 'BERTH_STATUS created' });
  expect(await replicas(jsm)).toEqual(all(1));
  await scheduler.stop();
  scheduler = undefined;

  scheduler = await start('--replicas', '3');
  const second = scheduler;
  // the first one's key may outlive it by a lease
  await eventually(() => second.role() === 'leader', { timeoutMs: 20_000, what: 'the second scheduler leads' });
  await eventually(async () => (await replicas(jsm))[STATUS_STREAM] === 3, { timeoutMs: 20_000, what: 'BERTH_STATUS scaled to R3' });
  expect(await replicas(jsm)).toEqual(all(3));
}, 120_000);
