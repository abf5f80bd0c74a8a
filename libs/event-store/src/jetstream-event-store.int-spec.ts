import { createServer } from 'node:net';
import { EVENTS_STREAM, SNAPSHOTS_BUCKET, eventSubject } from '@berth/contracts';
import { encodeAppend } from './append-codec';
import { startNatsServer, useNatsServer } from '@berth/testing';
import { StorageType, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { StoreUnavailableError } from './errors';
import { eventStoreContract, newEvent } from './event-store.contract';
import type { EventStore } from './event-store';
import { DEFAULT_DUPLICATE_WINDOW_MS, JetStreamEventStore } from './jetstream-event-store';

const nats = useNatsServer();

eventStoreContract('JetStreamEventStore', async () => {
  const opened: EventStore[] = [];
  const open = async (): Promise<EventStore> => {
    const s = await JetStreamEventStore.connect({ servers: nats.url });
    opened.push(s);
    return s;
  };
  const store = await open();
  return { store, other: open, close: async () => void (await Promise.all(opened.map((s) => s.close()))) };
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('JetStreamEventStore on a real nats-server', () => {
  it('creates BERTH_EVENTS as file storage that denies delete and purge, with direct get, a dedupe window and the fence subject (its messages expire)', async () => {
    const store = await JetStreamEventStore.connect({ servers: nats.url });
    const nc = await connect({ servers: nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      const { config } = await jsm.streams.info(EVENTS_STREAM);
      expect(config).toMatchObject({
        subjects: ['berth.evt.>', 'berth.fence'],
        storage: 'file',
        deny_delete: true,
        deny_purge: true,
        allow_direct: true,
        duplicate_window: DEFAULT_DUPLICATE_WINDOW_MS * 1_000_000,
        allow_atomic: true,
        allow_msg_ttl: true,
      });
      const { lastSequence } = await store.append('job', randomUUID(), 0, [newEvent('Created')]);
      await expect(jsm.streams.deleteMessage(EVENTS_STREAM, lastSequence)).rejects.toThrow();
      await expect(jsm.streams.purge(EVENTS_STREAM)).rejects.toThrow();
      const kv = await jsm.streams.info(`KV_${SNAPSHOTS_BUCKET}`);
      expect(kv.config.storage).toBe('file');
    } finally {
      await nc.close();
      await store.close();
    }
  });

  describe('snapshots larger than one NATS message', () => {
    const big = (tag: string) => ({ tag, rows: Array.from({ length: 8_000 }, (_, i) => `${tag}-${i}-${'y'.repeat(120)}`) });

    it('alternate between two slots of parts, so each save leaves the one before readable until its manifest is written', async () => {
      const store = await JetStreamEventStore.connect({ servers: nats.url });
      const nc = await connect({ servers: nats.url });
      try {
        const name = `scheduler-test-${randomUUID()}`;
        const kv = await new Kvm(nc).open(SNAPSHOTS_BUCKET);
        const slotOf = async () => ((await kv.get(name))?.json<{ parts?: { slot: string } }>().parts?.slot);
        await store.saveSnapshot(name, { sequence: 1, state: big('first') });
        expect(await slotOf()).toBe('a');
        await store.saveSnapshot(name, { sequence: 2, state: big('second') });
        expect(await slotOf()).toBe('b');
        // the first generation's parts are still whole under slot a
        expect((await kv.get(`${name}.__part.a.0`))?.string()).toContain('first-0-');
        expect(await store.loadSnapshot(name)).toEqual({ sequence: 2, state: big('second') });
        await store.saveSnapshot(name, { sequence: 3, state: big('third') });
        expect(await slotOf()).toBe('a');
        expect(await store.loadSnapshot(name)).toEqual({ sequence: 3, state: big('third') });
      } finally {
        await nc.close();
        await store.close();
      }
    });

    it('fails as CORRUPT_EVENT, not with a wrong state, when a part does not match its manifest or is gone', async () => {
      const store = await JetStreamEventStore.connect({ servers: nats.url });
      const nc = await connect({ servers: nats.url });
      try {
        const name = `scheduler-test-${randomUUID()}`;
        const kv = await new Kvm(nc).open(SNAPSHOTS_BUCKET);
        await store.saveSnapshot(name, { sequence: 7, state: big('whole') });
        await kv.put(`${name}.__part.a.1`, 'written over by someone else');
        await expect(store.loadSnapshot(name)).rejects.toMatchObject({ code: 'CORRUPT_EVENT', message: expect.stringContaining('do not match their manifest') });
        await kv.delete(`${name}.__part.a.1`);
        await expect(store.loadSnapshot(name)).rejects.toMatchObject({ code: 'CORRUPT_EVENT', message: expect.stringMatching(/part 2 of \d+ is missing/) });
      } finally {
        await nc.close();
        await store.close();
      }
    });
  });

  it('brings a BERTH_EVENTS stream of the old layout (no allow_atomic, as nats-server 2.10 stores had) up to atomic appends in place, keeping its history', async () => {
    const old = await startNatsServer();
    const nc = await connect({ servers: old.url });
    try {
      const jsm = await jetstreamManager(nc);
      // the configuration the store created before Berth required nats-server 2.12
      await jsm.streams.add({
        name: EVENTS_STREAM,
        subjects: ['berth.evt.>'],
        storage: StorageType.File,
        deny_delete: true,
        deny_purge: true,
        allow_direct: true,
        duplicate_window: DEFAULT_DUPLICATE_WINDOW_MS * 1_000_000,
      });
      expect((await jsm.streams.info(EVENTS_STREAM)).config.allow_atomic ?? false).toBe(false);
      const id = randomUUID();
      await jetstream(nc).publish(eventSubject('job', id), encodeAppend('job', id, 1, [newEvent('WrittenBefore')]));
      await JetStreamEventStore.connect({ nc });
      expect((await jsm.streams.info(EVENTS_STREAM)).config.allow_atomic).toBe(true);
      await old.restart();
      const store = await JetStreamEventStore.connect({ servers: old.url });
      try {
        await store.appendAtomic([
          { aggregate: 'job', aggregateId: id, expectedVersion: 1, events: [newEvent('After')] },
          { aggregate: 'host', aggregateId: id, expectedVersion: 0, events: [newEvent('After')] },
        ]);
        expect((await store.read('job', id)).map((e) => e.type)).toEqual(['WrittenBefore', 'After']);
      } finally {
        await store.close();
      }
    } finally {
      await nc.close();
      await old.stop();
    }
  }, 30_000);

  it("stays under nats-server's 50 open atomic batches per stream: 400 concurrent atomic appends from two writers all land", async () => {
    const first = await JetStreamEventStore.connect({ servers: nats.url });
    const second = await JetStreamEventStore.connect({ servers: nats.url });
    try {
      const append = (store: JetStreamEventStore) =>
        store.appendAtomic([
          { aggregate: 'job', aggregateId: randomUUID(), expectedVersion: 0, events: [newEvent('A')] },
          { aggregate: 'host', aggregateId: randomUUID(), expectedVersion: 0, events: [newEvent('B')] },
        ]);
      const results = await Promise.allSettled(Array.from({ length: 400 }, (_, i) => append(i % 2 === 0 ? first : second)));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    } finally {
      await first.close();
      await second.close();
    }
  }, 60_000);

  it('commits concurrent atomic appends together, and one stale among them fails alone', async () => {
    const store = await JetStreamEventStore.connect({ servers: nats.url });
    try {
      const stale = randomUUID();
      await store.append('job', stale, 0, [newEvent('A')]);
      const part = (aggregateId: string, expectedVersion: number) => ({ aggregate: 'job', aggregateId, expectedVersion, events: [newEvent('B')] });
      const hosts = Array.from({ length: 60 }, () => randomUUID());
      const results = await Promise.allSettled(
        hosts.map((host, i) => store.appendAtomic([i === 30 ? part(stale, 0) : part(randomUUID(), 0), { aggregate: 'host', aggregateId: host, expectedVersion: 0, events: [newEvent('C')] }])),
      );
      expect(results.map((r) => r.status)).toEqual(hosts.map((_, i) => (i === 30 ? 'rejected' : 'fulfilled')));
      expect((results[30] as PromiseRejectedResult).reason).toMatchObject({ code: 'CONCURRENCY_CONFLICT', aggregateId: stale });
      // every other one is stored whole, each part where its result says
      for (const [i, r] of results.entries()) {
        if (r.status !== 'fulfilled') continue;
        expect((await store.read('host', hosts[i] as string)).map((e) => [e.type, e.sequence])).toEqual([['C', r.value[1]?.lastSequence]]);
      }
      expect(await store.read('host', hosts[30] as string)).toEqual([]);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('runs on a server that fsyncs every write (/jsz sync_always)', async () => {
    const jsz = await nats.server.monitor<{ config: { sync_always?: boolean } }>('/jsz');
    expect(jsz.config.sync_always).toBe(true);
  });

  it('maps the 10071 wrong-last-sequence error to ConcurrencyError by code', async () => {
    const store = await JetStreamEventStore.connect({ servers: nats.url });
    try {
      const id = randomUUID();
      await store.append('job', id, 0, [newEvent('A')]);
      const err = await store.append('job', id, 0, [newEvent('B')]).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'CONCURRENCY_CONFLICT', cause: expect.objectContaining({ code: 10071 }) });
    } finally {
      await store.close();
    }
  });

  it('loses nothing when nats-server restarts with the same store dir', async () => {
    const store = await JetStreamEventStore.connect({ servers: nats.url });
    const id = randomUUID();
    await store.append('job', id, 0, [newEvent('A')]);
    await store.append('job', id, 1, [newEvent('B'), newEvent('C')]);
    await store.saveSnapshot('restart-test', { sequence: 7, state: { ok: true } });
    const before = await store.read('job', id);
    const pidBefore = nats.server.pid;

    await nats.server.restart();
    expect(nats.server.pid).not.toBe(pidBefore);

    const fresh = await JetStreamEventStore.connect({ servers: nats.url });
    try {
      expect(await fresh.read('job', id)).toEqual(before);
      expect(await fresh.loadSnapshot('restart-test')).toEqual({ sequence: 7, state: { ok: true } });
      // the old handle reconnects by itself (same port) and carries on
      await expect(store.append('job', id, 3, [newEvent('D')])).resolves.toMatchObject({ version: 4 });
      expect((await fresh.read('job', id)).map((e) => e.type)).toEqual(['A', 'B', 'C', 'D']);
    } finally {
      await fresh.close();
      await store.close();
    }
  }, 30_000);

  it('fails fast with STORE_UNAVAILABLE naming the URL when NATS is unreachable', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const err = await JetStreamEventStore.connect({ servers: url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect((err as Error).message).toContain(url);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
