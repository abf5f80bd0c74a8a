import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { existsSync } from 'node:fs';
import { eventually } from '../eventually';
import { startNatsCluster, type NatsCluster } from './nats-cluster';

interface Jsz {
  readonly config: { readonly sync_always?: boolean; readonly store_dir: string };
  readonly meta_cluster?: { readonly cluster_size?: number; readonly leader?: string };
}

describe('startNatsCluster', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection | undefined;
  beforeAll(async () => {
    cluster = await startNatsCluster({ size: 3 });
  }, 60_000);
  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
  }, 60_000);

  it('runs three routed JetStream nodes, each with its own store and fsync on every write', async () => {
    expect(cluster.urls).toHaveLength(3);
    expect(new Set(cluster.urls).size).toBe(3);
    expect(cluster.servers).toBe(cluster.urls.join(','));
    const stores = new Set<string>();
    for (const node of cluster.nodes) {
      const jsz = await node.monitor<Jsz>('/jsz');
      expect(jsz.config.sync_always).toBe(true);
      expect(jsz.meta_cluster?.cluster_size).toBe(3);
      expect(jsz.meta_cluster?.leader).toBeTruthy();
      stores.add(jsz.config.store_dir);
    }
    expect(stores.size).toBe(3);
  });

  it('keeps an R3 stream writable through a SIGKILL of one node, which comes back on its store and catches up', async () => {
    nc = await connect({ servers: [...cluster.urls], maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'CLUSTER_SPEC', subjects: ['cluster.spec.>'], storage: StorageType.File, num_replicas: 3 });
    const js = jetstream(nc);
    await js.publish('cluster.spec.a', 'one');

    const victim = cluster.nodes[0];
    if (!victim) throw new Error('no node');
    const pid = victim.pid;
    await victim.kill();
    expect(() => process.kill(pid, 0)).toThrow();
    // two of three still form a majority: the write is acknowledged (after a new stream leader if n1 led it)
    // (retried while the client reconnects to a survivor; the message id makes a retry of a stored write a duplicate)
    let acked = 0;
    await eventually(async () => {
      acked = (await js.publish('cluster.spec.a', 'two', { timeout: 2_000, msgID: 'two' })).seq;
      return true;
    }, { timeoutMs: 20_000, intervalMs: 100, what: 'a write acknowledged by the two surviving nodes' });
    expect(acked).toBe(2);

    await victim.start();
    expect(victim.pid).not.toBe(pid);
    expect(existsSync(victim.storeDir)).toBe(true);
    const info = await jsm.streams.info('CLUSTER_SPEC');
    expect(info.config.num_replicas).toBe(3);
    expect(info.state.messages).toBe(2);
    // the restarted node catches up: the leader sees every replica current (its view lags /healthz a little)
    await eventually(async () => {
      const { cluster: c } = await jsm.streams.info('CLUSTER_SPEC');
      return c?.leader !== undefined && (c.replicas ?? []).filter((r) => r.current).length === 2;
    }, { what: 'all three replicas of CLUSTER_SPEC current' });
  }, 90_000);
});
