import { eventually, startNatsCluster, startNatsServer } from '@berth/testing';
import { StorageType, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { JetStreamHealth } from './jetstream-health';

/** The readiness both services build on: does the stream have a JetStream leader, and which server are we on. */
describe('JetStreamHealth', () => {
  it('is ready on a single server while the stream answers, and not when the stream is missing', async () => {
    const server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    const health = new JetStreamHealth(nc, { stream: 'HEALTH_SPEC', intervalMs: 100 });
    try {
      await health.start();
      expect(health.status()).toMatchObject({ ready: false, detail: expect.stringContaining('JetStream did not answer about HEALTH_SPEC') });
      await (await jetstreamManager(nc)).streams.add({ name: 'HEALTH_SPEC', subjects: ['health.spec'], storage: StorageType.File });
      await eventually(() => health.status().ready);
      // a single 2.15 server reports itself as the leader; older ones give no cluster info
      expect(health.status().detail).toMatch(/^HEALTH_SPEC (available|led by \S+)$/);
    } finally {
      health.stop();
      await nc.close();
      await server.stop();
    }
  }, 30_000);

  it('on a 3-node cluster: names the stream leader and the connected server, and is not ready while two of three servers are down', async () => {
    const cluster = await startNatsCluster({ size: 3 });
    const nc = await connect({ servers: [...cluster.urls], maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    const registry = new Registry();
    const health = new JetStreamHealth(nc, { stream: 'HEALTH_SPEC', intervalMs: 200, registry });
    try {
      await (await jetstreamManager(nc)).streams.add({ name: 'HEALTH_SPEC', subjects: ['health.spec'], storage: StorageType.File, num_replicas: 3 });
      await health.start();
      await eventually(() => health.status().ready, { timeoutMs: 20_000 });
      expect(health.status().detail).toMatch(/^HEALTH_SPEC led by n[123]$/);
      const metrics = await registry.metrics();
      expect(metrics).toContain(`berth_nats_server_info{server_name="${nc.info?.server_name ?? ''}",url="${nc.getServer()}"} 1`);
      expect(metrics).toMatch(/^berth_jetstream_stream_leader 1$/m);

      const [a, b] = cluster.nodes;
      if (!a || !b) throw new Error('no nodes');
      await Promise.all([a.kill(), b.kill()]);
      await eventually(() => !health.status().ready, { timeoutMs: 30_000, what: () => `not ready (now: ${health.status().detail})` });
      expect(await registry.metrics()).toMatch(/^berth_jetstream_stream_leader 0$/m);

      await Promise.all([a.start(), b.start()]);
      await eventually(() => health.status().ready, { timeoutMs: 60_000, what: () => `ready again (now: ${health.status().detail})` });
    } finally {
      health.stop();
      await nc.close();
      await cluster.stop();
    }
  }, 120_000);
});
