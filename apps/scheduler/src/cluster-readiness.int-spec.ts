import { eventually, startNatsCluster, type NatsCluster, type NatsClusterNode } from '@berth/testing';
import { loadSchedulerConfig } from './config';
import { startScheduler, type RunningScheduler } from './scheduler';
import { silentLogger } from './testing/in-memory-scheduler';

/**
 * A scheduler on a 3-node cluster (all three URLs, R3): it moves to another server
 * when its own dies, its metrics say which server it is on, and /readyz follows the
 * event stream's JetStream leader (none when two of three servers are down).
 */
jest.setTimeout(120_000);

let cluster: NatsCluster;
let scheduler: RunningScheduler | undefined;
beforeAll(async () => {
  cluster = await startNatsCluster({ size: 3 });
}, 60_000);
// one hook: the scheduler, then the servers
afterAll(async () => {
  await scheduler?.stop();
  await cluster?.stop();
}, 60_000);

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

/** the server_name label of berth_nats_server_info, from /metrics */
async function connectedTo(healthUrl: string): Promise<string | undefined> {
  const { body } = await get(`${healthUrl}/metrics`);
  return /^berth_nats_server_info\{[^}]*server_name="([^"]+)"[^}]*\} 1$/m.exec(body)?.[1];
}

const nodeNamed = (name: string | undefined): NatsClusterNode => {
  const node = cluster.nodes.find((n) => n.name === name);
  if (!node) throw new Error(`no node ${String(name)}`);
  return node;
};

it('reconnects across the servers of --nats, shows its server in metrics, and is not ready while the stream has no JetStream leader', async () => {
  scheduler = await startScheduler(loadSchedulerConfig(['--nats', cluster.servers, '--replicas', '3', '--http-port', '0', '--lease-ttl', '2'], {}), silentLogger);
  const health = scheduler.healthUrl;
  await eventually(async () => (await get(`${health}/readyz`)).status === 200, { timeoutMs: 20_000, what: 'ready on the cluster' });
  const first = await connectedTo(health);
  expect(cluster.nodes.map((n) => n.name)).toContain(first);
  expect((await get(`${health}/metrics`)).body).toMatch(/^berth_jetstream_stream_leader\{[^}]*\} 1$/m);

  // its server dies: it carries on through another one of the list
  const own = nodeNamed(first);
  await own.kill();
  await eventually(async () => {
    const now = await connectedTo(health);
    return now !== undefined && now !== first;
  }, { timeoutMs: 20_000, what: 'connected to another server' });
  await eventually(async () => (await get(`${health}/readyz`)).status === 200, { timeoutMs: 30_000, what: 'ready again with two of three servers' });

  // a second server down: no majority, no stream leader, not ready, and /readyz says why
  const second = nodeNamed(await connectedTo(health));
  await second.kill();
  let detail = '';
  await eventually(async () => {
    const res = await get(`${health}/readyz`);
    detail = res.body;
    return res.status === 503 && /BERTH_EVENTS/.test(res.body);
  }, { timeoutMs: 30_000, what: () => `not ready for the event stream (last: ${detail})` });
  expect(detail).toMatch(/^not ready: (BERTH_EVENTS has no JetStream leader|JetStream did not answer about BERTH_EVENTS)/);
  expect((await get(`${health}/metrics`)).body).toMatch(/^berth_jetstream_stream_leader\{[^}]*\} 0$/m);

  // both back: a leader again, ready again, nobody restarted the scheduler
  await Promise.all([own.start(), second.start()]);
  await eventually(async () => (await get(`${health}/readyz`)).status === 200, { timeoutMs: 60_000, what: 'ready once the servers are back' });
});
