/*
 * Backup benchmark: `berth events export` and `berth events import` (the
 * library functions under them) over a history of N appends, on one
 * nats-server (R1) and on a 3-node loopback cluster (R3), against raw
 * JetStream publishes of as many messages (256 in flight) in the same run on
 * the same kind of target: how long a backup and a restore take.
 *
 *   npm run bench -- backup
 *
 * Env: BENCH_BACKUP_APPENDS (default 20000), BENCH_REPLICAS (default "1,3").
 */
import { EVENTS_STREAM } from '@berth/contracts';
import { JetStreamEventStore, exportEvents, importEvents, parseExport } from '@berth/event-store';
import { startNatsCluster, startNatsServer } from '@berth/testing';
import { StorageType, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { printTable } from '../lib/table';

const APPENDS = Number(process.env['BENCH_BACKUP_APPENDS'] ?? 20_000);
const REPLICAS = (process.env['BENCH_REPLICAS'] ?? '1,3').split(',').map(Number);
const IN_FLIGHT = 256;

interface Target {
  readonly servers: string[];
  stop(): Promise<void>;
}

async function startTarget(replicas: number): Promise<Target> {
  if (replicas === 1) {
    const s = await startNatsServer();
    return { servers: [s.url], stop: () => s.stop() };
  }
  const c = await startNatsCluster({ size: replicas });
  return { servers: [...c.urls], stop: () => c.stop() };
}

/** `n` tasks, at most IN_FLIGHT at once. */
async function inFlight(n: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(IN_FLIGHT, n) }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

/** A history of APPENDS single-event appends over 1,000 aggregates, as a service writes them. */
async function makeHistory(nc: NatsConnection, replicas: number): Promise<void> {
  const store = await JetStreamEventStore.connect({ nc, replicas });
  const ids = Array.from({ length: 1_000 }, () => randomUUID());
  try {
    await inFlight(APPENDS, (i) =>
      store.append('job', ids[i % ids.length] ?? '', 'any', [
        { id: randomUUID(), type: 'JobUpdated', schemaVersion: 1, time: new Date().toISOString(), actor: 'bench', correlationId: randomUUID(), causationId: randomUUID(), data: { i, image: 'registry.example/svc:1' } },
      ]),
    );
  } finally {
    await store.close();
  }
}

async function rawPublishes(nc: NatsConnection, replicas: number, bodies: readonly string[]): Promise<number> {
  await (await jetstreamManager(nc)).streams.add({ name: 'BENCH_RAW', subjects: ['bench.raw.>'], storage: StorageType.File, num_replicas: replicas });
  const js = jetstream(nc);
  const start = performance.now();
  await inFlight(bodies.length, (i) => js.publish(`bench.raw.${i % 1_000}`, bodies[i] ?? ''));
  return performance.now() - start;
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en-US');
  for (const replicas of REPLICAS) {
    const source = await startTarget(replicas);
    const target = await startTarget(replicas);
    const raw = await startTarget(replicas);
    const ncs = await Promise.all([source, target, raw].map((t) => connect({ servers: t.servers })));
    const [sourceNc, targetNc, rawNc] = ncs as [NatsConnection, NatsConnection, NatsConnection];
    try {
      await makeHistory(sourceNc, replicas);
      const lines: string[] = [];
      let start = performance.now();
      const exported = await exportEvents(sourceNc, { write: (line) => void lines.push(line) });
      const exportMs = performance.now() - start;
      const bytes = lines.reduce((n, l) => n + l.length + 1, 0);
      start = performance.now();
      const imported = await importEvents(targetNc, parseExport(lines), { replicas });
      const importMs = performance.now() - start;
      const last = (await (await jetstreamManager(targetNc)).streams.info(EVENTS_STREAM)).state.last_seq;
      if (last !== exported.header.toSequence) throw new Error(`imported up to ${last}, exported up to ${exported.header.toSequence}`);
      const rawMs = await rawPublishes(rawNc, replicas, lines.slice(1, -1));
      const label = `R${replicas}`;
      rows.push([`export (${label})`, exported.trailer.messages.toLocaleString('en-US'), `${(bytes / 1e6).toFixed(1)} MB`, exportMs.toFixed(0), rate(exported.trailer.messages, exportMs), '', '']);
      rows.push([`import (${label})`, imported.messages.toLocaleString('en-US'), '', importMs.toFixed(0), rate(imported.messages, importMs), rawMs.toFixed(0), 'atomic batches of 1,000, each expecting the stream to end where the last did']);
    } finally {
      await Promise.all(ncs.map((nc) => nc.close()));
      await Promise.all([source, target, raw].map((t) => t.stop()));
    }
  }
  printTable(['operation', 'appends', 'file', 'ms', 'appends/s', `raw publish × appends ms (${IN_FLIGHT} in flight)`, 'note'], rows);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
