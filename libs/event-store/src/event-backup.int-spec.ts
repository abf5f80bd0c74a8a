import { EVENTS_STREAM } from '@berth/contracts';
import { startNatsServer, type NatsServer } from '@berth/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { BackupError, exportEvents, importEvents, parseExport } from './event-backup';
import { newEvent } from './event-store.contract';
import { JetStreamEventStore } from './jetstream-event-store';

/** Export and import of a history longer than one import batch (1,000 sequences). */
jest.setTimeout(60_000);

let source: NatsServer;
let target: NatsServer;
let sourceNc: NatsConnection;
let targetNc: NatsConnection;
beforeAll(async () => {
  [source, target] = await Promise.all([startNatsServer(), startNatsServer()]);
  [sourceNc, targetNc] = await Promise.all([connect({ servers: source.url }), connect({ servers: target.url })]);
}, 30_000);
afterAll(async () => {
  await Promise.all([sourceNc?.close(), targetNc?.close()]);
  await Promise.all([source?.stop(), target?.stop()]);
}, 30_000);

async function exportLines(nc: NatsConnection): Promise<string[]> {
  const lines: string[] = [];
  await exportEvents(nc, { write: (line) => void lines.push(line) });
  return lines;
}

it('restores 2,306 appends (three import batches) so that exporting the copy gives the same records, and the copy takes new appends', async () => {
  const store = await JetStreamEventStore.connect({ nc: sourceNc });
  const ids = Array.from({ length: 50 }, () => randomUUID());
  // 2,304 appends over 50 aggregates, 8 at a time, and one atomic append across two
  for (let i = 0; i < 2_304; i += 8) {
    await Promise.all(Array.from({ length: 8 }, (_, k) => store.append('job', ids[(i + k) % ids.length] ?? '', 'any', [newEvent('Touched', { i: i + k })])));
  }
  const [a, b] = ids;
  const heads = await Promise.all([store.read('job', a ?? ''), store.read('job', b ?? '')]);
  await store.appendAtomic([
    { aggregate: 'job', aggregateId: a ?? '', expectedVersion: heads[0].length, events: [newEvent('Linked', { to: b })] },
    { aggregate: 'job', aggregateId: b ?? '', expectedVersion: heads[1].length, events: [newEvent('Linked', { to: a })] },
  ]);
  await store.close();

  const lines = await exportLines(sourceNc);
  const parsed = parseExport(lines);
  expect(parsed.records.length).toBe(2_306);
  const progress: number[] = [];
  const result = await importEvents(targetNc, parsed, { onProgress: (p) => progress.push(p.done) });
  expect(result).toMatchObject({ messages: 2_306, lastSequence: parsed.header.toSequence, snapshotsRemoved: 0 });
  expect(progress.slice(0, 3)).toEqual([1_000, 2_000, parsed.header.toSequence]);

  // the copy, exported, is the original record for record (the header's time aside)
  expect((await exportLines(targetNc)).slice(1)).toEqual(lines.slice(1));
  // and it is a working store: the next append lands after the history
  const restored = await JetStreamEventStore.connect({ nc: targetNc });
  try {
    const before = await restored.read('job', a ?? '');
    const next = await restored.append('job', a ?? '', before.length, [newEvent('AfterRestore')]);
    expect(next.lastSequence).toBe(parsed.header.toSequence + 1);
  } finally {
    await restored.close();
  }
  const refused = await importEvents(targetNc, parsed).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(BackupError);
  expect((refused as BackupError).code).toBe('IMPORT_TARGET_NOT_EMPTY');
  expect((await (await jetstreamManager(targetNc)).streams.info(EVENTS_STREAM)).state.last_seq).toBe(parsed.header.toSequence + 1);
});

it('refuses an export whose records are out of order or not on an event subject, naming the line', () => {
  const header = JSON.stringify({ format: 'berth-events', version: 1, stream: EVENTS_STREAM, fromSequence: 1, toSequence: 2, exportedAt: new Date(0).toISOString() });
  const append = { version: 1, events: [{ id: 'x', type: 'T' }] };
  const trailer = JSON.stringify({ end: true, messages: 2, lastSequence: 2 });
  const outOfOrder = [header, JSON.stringify({ seq: 2, subject: 'berth.evt.job.a', append }), JSON.stringify({ seq: 1, subject: 'berth.evt.job.b', append }), trailer];
  expect(() => parseExport(outOfOrder)).toThrow(/line 3: "seq" must be an integer above the previous record's 2/);
  const foreign = [header, JSON.stringify({ seq: 1, subject: 'other.subject', append }), JSON.stringify({ seq: 2, subject: 'berth.evt.job.b', append }), trailer];
  expect(() => parseExport(foreign)).toThrow(/line 2: "subject" must be an event subject/);
  expect(() => parseExport([JSON.stringify({ format: 'something-else' }), trailer])).toThrow(/line 1: not a Berth events export/);
});
