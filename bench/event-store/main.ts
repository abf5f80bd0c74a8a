/*
 * Event-store benchmark: JetStreamEventStore against raw JetStream, measured in the
 * same run on the same nats-server (file storage, sync_interval: always).
 *
 *   npm run bench -- event-store
 *
 * Env: BENCH_APPENDS (default 5000 per mode), BENCH_REPLAY (default 50000 events),
 * BENCH_IN_FLIGHT (default 64), BENCH_RUNS (replay repetitions, median reported; default 3),
 * BENCH_ATOMIC (messages per atomic-append mode, default 20000).
 * Publish baselines and appends alternate in two rounds so disk-speed drift hits both alike.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { NewEvent } from '@berth/contracts';
import { EVENTS_STREAM, eventSubject } from '@berth/contracts';
import { JetStreamEventStore } from '@berth/event-store';
import { startNatsServer } from '@berth/testing';
import { DeliverPolicy, StorageType, jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { median } from '../lib/measure';

const APPENDS = Number(process.env['BENCH_APPENDS'] ?? 5_000);
const REPLAY = Number(process.env['BENCH_REPLAY'] ?? 50_000);
const IN_FLIGHT = Number(process.env['BENCH_IN_FLIGHT'] ?? 64);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const ATOMIC = Number(process.env['BENCH_ATOMIC'] ?? 20_000);
const ROUNDS = 2;
const AGGREGATES = 100;
const RAW_STREAM = 'BENCH_RAW';

interface Row {
  readonly operation: string;
  readonly events: number;
  readonly seconds: number;
  readonly baseline?: string;
}

function event(n: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'TaskStatusChanged',
    schemaVersion: 1,
    time: new Date(1_790_000_000_000 + n).toISOString(),
    actor: 'scheduler',
    correlationId: randomUUID(),
    causationId: randomUUID(),
    data: { host: `host-${n % 50}.example`, job: 'web:1.4.2:3f2a9c1b', state: 'RUNNING', containerId: `c${n}` },
  };
}

async function timed(run: () => Promise<number>): Promise<{ events: number; seconds: number }> {
  const start = performance.now();
  const events = await run();
  return { events, seconds: (performance.now() - start) / 1000 };
}

/** Runs `count` tasks with at most `width` in flight; task i gets worker index i % width. */
async function pipelined(count: number, width: number, task: (i: number, worker: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async (_, worker) => {
      for (let i = next++; i < count; i = next++) await task(i, worker);
    }),
  );
}

/** Baseline: the same ordered consumer and pull size as the store, touching each payload, no decoding. */
async function rawReplay(js: JetStreamClient, stream: string, start: number, end: number): Promise<number> {
  const consumer = await js.consumers.get(stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start });
  const messages = await consumer.consume({ max_messages: 5_000 });
  let n = 0;
  let bytes = 0;
  for await (const m of messages) {
    n++;
    bytes += m.data.length;
    if (m.seq >= end) break;
  }
  messages.stop();
  if (bytes === 0) throw new Error('nothing read');
  return n;
}

async function countReplay(store: JetStreamEventStore, from: number): Promise<number> {
  let n = 0;
  for await (const e of store.readAll(from)) if (e.sequence > 0) n++;
  return n;
}

async function main(): Promise<void> {
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  const store = await JetStreamEventStore.connect({ servers: server.url });
  const rows: Row[] = [];
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    await jsm.streams.add({ name: RAW_STREAM, subjects: ['bench.raw.>'], storage: StorageType.File, allow_direct: true });
    const payload = JSON.stringify({ version: 1, events: [{ ...event(0), aggregate: 'task', aggregateId: 'x' }] });
    console.log(`nats-server ${server.version} (sync_interval: always), payload ${payload.length} B, ${IN_FLIGHT} in flight`);

    // raw and store alternate in ROUNDS slices so that drift in disk speed hits both alike
    const slice = Math.ceil(APPENDS / ROUNDS);
    const seqIds = Array.from({ length: AGGREGATES }, () => randomUUID());
    const pipeIds = Array.from({ length: IN_FLIGHT }, () => randomUUID());
    const pipeVersions = new Array<number>(IN_FLIGHT).fill(0);
    let seqDone = 0;
    const totals = { rawSeq: 0, storeSeq: 0, rawPipe: 0, storePipe: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      totals.rawSeq += (
        await timed(async () => {
          for (let i = 0; i < slice; i++) await js.publish(`bench.raw.${i % AGGREGATES}`, payload);
          return slice;
        })
      ).seconds;
      // sequential appends round-robin over 100 aggregates, each with its exact expected version
      totals.storeSeq += (
        await timed(async () => {
          for (let i = seqDone; i < seqDone + slice; i++) {
            await store.append('task', seqIds[i % AGGREGATES] as string, Math.floor(i / AGGREGATES), [event(i)]);
          }
          return slice;
        })
      ).seconds;
      seqDone += slice;
      totals.rawPipe += (
        await timed(async () => {
          await pipelined(slice, IN_FLIGHT, async (i) => {
            await js.publish(`bench.raw.p${i % AGGREGATES}`, payload);
          });
          return slice;
        })
      ).seconds;
      // pipelined: each in-flight slot appends to its own aggregate, so concurrent appends never conflict
      totals.storePipe += (
        await timed(async () => {
          await pipelined(slice, IN_FLIGHT, async (i, w) => {
            const r = await store.append('task', pipeIds[w] as string, pipeVersions[w] as number, [event(i)]);
            pipeVersions[w] = r.version;
          });
          return slice;
        })
      ).seconds;
    }
    const total = slice * ROUNDS;
    rows.push({ operation: 'raw js.publish, sequential', events: total, seconds: totals.rawSeq });
    rows.push({ operation: 'store.append, sequential', events: total, seconds: totals.storeSeq, baseline: 'raw js.publish, sequential' });
    rows.push({ operation: `raw js.publish, ${IN_FLIGHT} in flight`, events: total, seconds: totals.rawPipe });
    rows.push({
      operation: `store.append, ${IN_FLIGHT} in flight`,
      events: total,
      seconds: totals.storePipe,
      baseline: `raw js.publish, ${IN_FLIGHT} in flight`,
    });

    // fill BERTH_EVENTS up to REPLAY single-event appends (one message per event) for a 1:1 replay comparison
    const fillIds = Array.from({ length: 1_000 }, () => randomUUID());
    const have = (await jsm.streams.info(EVENTS_STREAM)).state.last_seq;
    await pipelined(Math.max(0, REPLAY - have), 256, async (i) => {
      // 1,000 aggregates round-robin: the 256 appends in flight never share one
      await store.append('task', fillIds[i % fillIds.length] as string, 'any', [event(i)]);
    });
    const end = (await jsm.streams.info(EVENTS_STREAM)).state.last_seq;
    const raw: number[] = [];
    const ours: number[] = [];
    let replayed = 0;
    for (let run = 0; run < RUNS; run++) {
      raw.push((await timed(() => rawReplay(js, EVENTS_STREAM, 1, end))).seconds);
      const r = await timed(() => countReplay(store, 1));
      replayed = r.events;
      ours.push(r.seconds);
    }
    const rawName = `raw ordered consumer, ${end} msgs (median of ${RUNS})`;
    rows.push({ operation: rawName, events: end, seconds: median(raw) });
    rows.push({ operation: `store.readAll, 1 event/append (median of ${RUNS})`, events: replayed, seconds: median(ours), baseline: rawName });

    // the same number of events written the way DESIGN asks for: fewer, larger appends (10 events each)
    const batchFrom = end + 1;
    await pipelined(Math.ceil(REPLAY / 10), 256, async (i) => {
      await store.append('task-batch', fillIds[i % fillIds.length] as string, 'any', Array.from({ length: 10 }, (_, k) => event(i * 10 + k)));
    });
    const batchEnd = (await jsm.streams.info(EVENTS_STREAM)).state.last_seq;
    const rawBatch: number[] = [];
    const oursBatch: number[] = [];
    let replayedBatch = 0;
    for (let run = 0; run < RUNS; run++) {
      rawBatch.push((await timed(() => rawReplay(js, EVENTS_STREAM, batchFrom, batchEnd))).seconds);
      const r = await timed(() => countReplay(store, batchFrom));
      replayedBatch = r.events;
      oursBatch.push(r.seconds);
    }
    const rawBatchName = `raw ordered consumer, ${batchEnd - batchFrom + 1} msgs (median of ${RUNS})`;
    rows.push({ operation: rawBatchName, events: batchEnd - batchFrom + 1, seconds: median(rawBatch) });
    rows.push({
      operation: `store.readAll, 10 events/append (median of ${RUNS})`,
      events: replayedBatch,
      seconds: median(oursBatch),
      baseline: rawBatchName,
    });

    await atomicRows(store, js, rows);
    await fencedRows(server.url, total, rows);

    printTable(rows);
    const rate = (op: string): number => {
      const r = rows.find((x) => x.operation.startsWith(op)) as Row;
      return r.events / r.seconds;
    };
    const checks: [string, boolean][] = [
      ['append sequential >= 80% of raw', rate('store.append, sequential') >= 0.8 * rate('raw js.publish, sequential')],
      ['append pipelined >= 80% of raw', rate(`store.append, ${IN_FLIGHT}`) >= 0.8 * rate(`raw js.publish, ${IN_FLIGHT}`)],
      ['replay (1 event/append) >= 100k events/s', rate('store.readAll, 1') >= 100_000],
      ['replay (1 event/append) >= 70% of raw ordered consumer', rate('store.readAll, 1') >= 0.7 * rate(rawName)],
      ['replay (10 events/append) >= 100k events/s', rate('store.readAll, 10') >= 100_000],
    ];
    console.log('\ntargets');
    for (const [name, ok] of checks) console.log(`  ${ok ? 'MET   ' : 'MISSED'} ${name}`);
  } finally {
    await store.close();
    await nc.close();
    await server.stop();
  }
}

/**
 * Many events per fsync: the same number of messages as single raw publishes
 * with 256 in flight, and as atomic appends of 100 and 1,000 aggregates (one
 * event each, a fresh aggregate per part, one batch at a time and 4 in flight).
 */
async function atomicRows(store: JetStreamEventStore, js: JetStreamClient, rows: Row[]): Promise<void> {
  const rawName = `raw js.publish, 256 in flight (${ATOMIC} msgs)`;
  const payload = JSON.stringify({ version: 1, events: [{ ...event(0), aggregate: 'task', aggregateId: 'x' }] });
  const raw = await timed(async () => {
    await pipelined(ATOMIC, 256, async (i) => {
      await js.publish(`bench.raw.a${i % AGGREGATES}`, payload);
    });
    return ATOMIC;
  });
  rows.push({ operation: rawName, ...raw });
  for (const [size, inFlight] of [
    [100, 1],
    [100, 4],
    [1_000, 1],
    [1_000, 4],
  ] as const) {
    const batches = Math.ceil(ATOMIC / size);
    const result = await timed(async () => {
      await pipelined(batches, inFlight, async (b) => {
        await store.appendAtomic(
          Array.from({ length: size }, (_, k) => ({ aggregate: 'task-atomic', aggregateId: randomUUID(), expectedVersion: 0, events: [event(b * size + k)] })),
        );
      });
      return batches * size;
    });
    rows.push({ operation: `store.appendAtomic, ${size} aggregates/batch, ${inFlight} in flight`, ...result, baseline: rawName });
  }
}

/**
 * What a leader's fence costs (apps/scheduler leader-fence.ts): the same appends
 * through a fenced handle, whose every append is an atomic batch headed by the
 * fence's message, against the unfenced rows above.
 */
async function fencedRows(url: string, total: number, rows: Row[]): Promise<void> {
  const fenced = await JetStreamEventStore.connect({ servers: url });
  try {
    const term = randomUUID();
    const marker = await fenced.append('leader-term', term, 'any', [event(0)]);
    fenced.fence({ subject: eventSubject('leader-term', term), unchangedSince: marker.lastSequence });
    const seqIds = Array.from({ length: AGGREGATES }, () => randomUUID());
    const sequential = await timed(async () => {
      for (let i = 0; i < total; i++) await fenced.append('task', seqIds[i % AGGREGATES] as string, Math.floor(i / AGGREGATES), [event(i)]);
      return total;
    });
    rows.push({ operation: 'store.append, sequential, fenced', ...sequential, baseline: 'store.append, sequential' });
    const pipeIds = Array.from({ length: IN_FLIGHT }, () => randomUUID());
    const versions = new Array<number>(IN_FLIGHT).fill(0);
    const pipelinedResult = await timed(async () => {
      await pipelined(total, IN_FLIGHT, async (i, w) => {
        versions[w] = (await fenced.append('task', pipeIds[w] as string, versions[w] as number, [event(i)])).version;
      });
      return total;
    });
    rows.push({ operation: `store.append, ${IN_FLIGHT} in flight, fenced`, ...pipelinedResult, baseline: `store.append, ${IN_FLIGHT} in flight` });
  } finally {
    await fenced.close();
  }
}

function printTable(rows: readonly Row[]): void {
  const header = ['operation', 'events', 'seconds', 'events/s', 'ratio vs raw'];
  const lines = rows.map((r) => {
    const base = r.baseline ? rows.find((x) => x.operation === r.baseline) : undefined;
    const rate = r.events / r.seconds;
    const ratio = base ? `${((rate / (base.events / base.seconds)) * 100).toFixed(0)} %` : 'baseline';
    return [r.operation, String(r.events), r.seconds.toFixed(3), Math.round(rate).toLocaleString('en-US'), ratio];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const fmt = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  console.log('\n' + fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
