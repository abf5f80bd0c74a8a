import { BERTH_VERSION } from '@berth/contracts';
import { SchedulerClient } from '@berth/scheduler-client';
import { startNatsServer, type NatsServer } from '@berth/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { loadSchedulerConfig } from './config';
import { startScheduler, type RunningScheduler } from './scheduler';
import { silentLogger } from './testing/in-memory-scheduler';

/** Helios's `masters`: every scheduler process answers a presence request, the leader first. */
let nats: NatsServer;
let nc: NatsConnection;
const running: RunningScheduler[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
});

// one hook: schedulers and our connection, then the server
afterAll(async () => {
  for (const s of running) await s.stop();
  await nc?.close();
  await nats?.stop();
});

const start = async (): Promise<RunningScheduler> => {
  const s = await startScheduler(loadSchedulerConfig(['--nats', nats.url, '--http-port', '0', '--lease-ttl', '2'], {}), silentLogger);
  running.push(s);
  return s;
};

it('lists no scheduler when none runs, then the leader and the standby with their health URLs', async () => {
  const client = new SchedulerClient(nc);
  expect(await client.schedulers(200)).toEqual([]);

  const leader = await start();
  const standby = await start();
  expect([leader.role(), standby.role()]).toEqual(['leader', 'standby']);
  // a loaded machine may take a while to answer: wait longer than the CLI's default
  const found = await client.schedulers(2000);
  expect(found.map((p) => [p.role, p.health])).toEqual([
    ['leader', leader.healthUrl],
    ['standby', standby.healthUrl],
  ]);
  for (const p of found) expect(p).toMatchObject({ pid: process.pid, version: BERTH_VERSION, id: expect.stringContaining(`:${process.pid}:`) });
  expect(found[0]?.id).not.toBe(found[1]?.id);

  // a stopped scheduler stops answering
  await leader.stop();
  running.splice(running.indexOf(leader), 1);
  expect((await client.schedulers(2000)).map((p) => p.health)).toEqual([standby.healthUrl]);
}, 30_000);
