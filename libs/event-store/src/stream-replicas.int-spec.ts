import { EVENTS_STREAM, SNAPSHOTS_BUCKET } from '@berth/contracts';
import { eventually, startNatsServer, useNatsCluster } from '@berth/testing';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { newEvent } from './event-store.contract';
import { JetStreamEventStore } from './jetstream-event-store';
import { ReplicasUnavailableError, parseReplicas } from './stream-replicas';

const SNAPSHOT_STREAM = `KV_${SNAPSHOTS_BUCKET}`;

async function replicasOf(jsm: JetStreamManager, stream: string): Promise<number> {
  return (await jsm.streams.info(stream)).config.num_replicas;
}

describe('replicas of the event stream and the snapshot bucket on a 3-node cluster', () => {
  const nats = useNatsCluster({ size: 3 });
  let nc: NatsConnection | undefined;
  afterAll(async () => {
    await nc?.close();
  });

  it('refuses more replicas than the cluster has servers, with a clear error, and creates nothing', async () => {
    const err = await JetStreamEventStore.connect({ servers: [...nats.cluster.urls], replicas: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplicasUnavailableError);
    expect((err as ReplicasUnavailableError).code).toBe('REPLICAS_UNAVAILABLE');
    expect((err as Error).message).toMatch(/5 replicas.*--replicas/);
    const probe = await connect({ servers: [...nats.cluster.urls] });
    try {
      expect(await (await jetstreamManager(probe)).streams.names().next()).toEqual([]);
    } finally {
      await probe.close();
    }
  }, 60_000);

  it('creates R1 by default, scales existing R1 assets up to R3 in place with their data, never down, and R3 survives a node loss', async () => {
    const { cluster } = nats;
    nc = await connect({ servers: [...cluster.urls], maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    const jsm = await jetstreamManager(nc);
    const job = randomUUID();

    const r1 = await JetStreamEventStore.connect({ servers: [...cluster.urls] });
    await r1.append('job', job, 0, [newEvent('Created')]);
    await r1.saveSnapshot('spec', { sequence: 1, state: { jobs: [job] } });
    await r1.close();
    expect(await replicasOf(jsm, EVENTS_STREAM)).toBe(1);
    expect(await replicasOf(jsm, SNAPSHOT_STREAM)).toBe(1);

    const r3 = await JetStreamEventStore.connect({ servers: [...cluster.urls], replicas: 3 });
    try {
      expect(await replicasOf(jsm, EVENTS_STREAM)).toBe(3);
      expect(await replicasOf(jsm, SNAPSHOT_STREAM)).toBe(3);
      expect((await r3.read('job', job)).map((e) => e.type)).toEqual(['Created']);
      expect(await r3.loadSnapshot('spec')).toEqual({ sequence: 1, state: { jobs: [job] } });

      // a later service with the default (1) leaves them R3
      const lower = await JetStreamEventStore.connect({ servers: [...cluster.urls] });
      await lower.close();
      expect(await replicasOf(jsm, EVENTS_STREAM)).toBe(3);
      expect(await replicasOf(jsm, SNAPSHOT_STREAM)).toBe(3);

      // every replica holds the history: kill the stream's leader and the others carry on with it
      await eventually(async () => (await jsm.streams.info(EVENTS_STREAM)).cluster?.replicas?.filter((r) => r.current).length === 2, {
        timeoutMs: 20_000,
        what: 'both followers of BERTH_EVENTS current',
      });
      const leaderName = (await jsm.streams.info(EVENTS_STREAM)).cluster?.leader;
      const leader = cluster.nodes.find((n) => n.name === leaderName);
      if (!leader) throw new Error(`no node is the stream leader ${String(leaderName)}`);
      await leader.kill();
      let appended = 0;
      await eventually(
        async () => {
          appended = (await r3.append('job', job, 1, [newEvent('Updated', {}, `updated-${job}`)])).version;
          return true;
        },
        { timeoutMs: 20_000, intervalMs: 200, what: 'an append acknowledged by the two surviving replicas' },
      ).catch(async (err: unknown) => {
        // a lost reply of a stored append makes the retry a concurrency conflict: the history says which
        if ((await r3.read('job', job)).length !== 2) throw err;
        appended = 2;
      });
      expect(appended).toBe(2);
      // read from the stream leader: a direct get may be answered by a follower that has not applied it yet
      const last = await jsm.streams.getMessage(EVENTS_STREAM, { last_by_subj: `berth.evt.job.${job}` });
      expect(last?.seq).toBeGreaterThan(1);
      await leader.start();
    } finally {
      await r3.close();
    }
  }, 120_000);

});

describe('replicas on a single nats-server', () => {
  it('refuses replicas above 1 saying the server is not clustered, and creates nothing', async () => {
    const server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    try {
      const err = await JetStreamEventStore.connect({ servers: server.url, replicas: 3 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReplicasUnavailableError);
      expect((err as Error).message).toMatch(/not part of a cluster.*--replicas.*1 for a single server/);
      const jsm = await jetstreamManager(nc);
      expect(await jsm.streams.names().next()).toEqual([]);
    } finally {
      await nc.close();
      await server.stop();
    }
  }, 30_000);
});

describe('parseReplicas', () => {
  it('takes 1 to 5 and refuses anything else', () => {
    expect(parseReplicas('3')).toBe(3);
    for (const bad of ['0', '6', '2.5', 'three', '']) expect(() => parseReplicas(bad)).toThrow(/not a number of replicas/);
  });
});
