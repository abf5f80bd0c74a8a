import { EVENTS_STREAM, EVENTS_SUBJECT_WILDCARD, FENCE_SUBJECT, SNAPSHOTS_BUCKET, isEventSubject } from '@berth/contracts';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { decodeAppend } from './append-codec';
import { JetStreamEventStore } from './jetstream-event-store';

/*
 * Backup and restore of the history: `berth events export` writes BERTH_EVENTS as JSON
 * lines, `berth events import` writes them into an empty stream with the same stream
 * sequences, so every projection (and every answer that quotes a sequence) is the same.
 *
 * File: a header line, one line per stored append (its stream sequence, subject and body,
 * the body as JSON), a trailer line with the count (a truncated file is refused).
 * Only `berth.evt.>` is exported: the fence's messages expire within a second and carry
 * nothing; the gaps they leave in the sequence are filled on import with expiring
 * messages of the same kind, so sequence numbers line up again. Snapshots are derived
 * from the events and are not exported; the lease and agents' status reports are transient.
 */

export const EXPORT_FORMAT = 'berth-events';
export const EXPORT_VERSION = 1;

export interface ExportHeader {
  readonly format: typeof EXPORT_FORMAT;
  readonly version: number;
  readonly stream: string;
  /** first stream sequence the export covers (1: the whole history) */
  readonly fromSequence: number;
  /** last stream sequence when the export began: later appends are not in it */
  readonly toSequence: number;
  readonly exportedAt: string;
}

/** One stored append: `append` is its body; `raw` only for a body that is not JSON (kept as it is). */
export interface ExportRecord {
  readonly seq: number;
  readonly subject: string;
  readonly append?: unknown;
  readonly raw?: string;
}

export interface ExportTrailer {
  readonly end: true;
  /** records between header and trailer */
  readonly messages: number;
  readonly lastSequence: number;
}

export interface BackupProgress {
  /** stream sequences handled so far */
  readonly done: number;
  readonly total: number;
}

export type BackupErrorCode = 'INVALID_EXPORT' | 'IMPORT_TARGET_NOT_EMPTY' | 'IMPORT_CONFLICT' | 'INVALID_ARGUMENT';

export class BackupError extends Error {
  override readonly name = 'BackupError';

  constructor(
    readonly code: BackupErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface ExportOptions {
  /** first stream sequence to export; default 1 (everything) */
  readonly fromSequence?: number;
  /** receives each line (without newline), in order; awaited, so a slow file applies backpressure */
  readonly write: (line: string) => void | Promise<void>;
  readonly onProgress?: (progress: BackupProgress) => void;
  readonly now?: () => Date;
}

export interface ExportResult {
  readonly header: ExportHeader;
  readonly trailer: ExportTrailer;
}

const PROGRESS_EVERY = 5_000;

/** Writes BERTH_EVENTS from `fromSequence` up to its last sequence when called. */
export async function exportEvents(nc: NatsConnection, options: ExportOptions): Promise<ExportResult> {
  const from = options.fromSequence ?? 1;
  if (!Number.isInteger(from) || from < 1) throw new BackupError('INVALID_ARGUMENT', `--from-sequence must be a positive integer, not ${from}`);
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(EVENTS_STREAM).catch((err: unknown) => {
    throw new BackupError('INVALID_ARGUMENT', `no ${EVENTS_STREAM} stream on ${nc.getServer()}: nothing to export (${(err as Error).message})`, { cause: err });
  });
  const end = info.state.last_seq;
  const header: ExportHeader = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    stream: EVENTS_STREAM,
    fromSequence: from,
    toSequence: end,
    exportedAt: (options.now?.() ?? new Date()).toISOString(),
  };
  await options.write(JSON.stringify(header));
  const total = Math.max(0, end - from + 1);
  let messages = 0;
  let lastSequence = 0;
  if (from <= end) {
    const consumer = await jetstream(nc).consumers.get(EVENTS_STREAM, {
      filter_subjects: [EVENTS_SUBJECT_WILDCARD],
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: from,
    });
    // fetches, not consume: a fetch that finds nothing ends, where a consume would wait for an event that never comes
    let done = false;
    while (!done) {
      let fetched = 0;
      for await (const m of await consumer.fetch({ max_messages: 1_000, expires: 2_000 })) {
        fetched++;
        if (done || m.seq > end) {
          done = true;
          continue;
        }
        const body = m.string();
        let record: ExportRecord;
        try {
          record = { seq: m.seq, subject: m.subject, append: JSON.parse(body) as unknown };
        } catch {
          record = { seq: m.seq, subject: m.subject, raw: body };
        }
        await options.write(JSON.stringify(record));
        messages++;
        lastSequence = m.seq;
        if (messages % PROGRESS_EVERY === 0) options.onProgress?.({ done: m.seq - from + 1, total });
        if (m.seq >= end || m.info.pending === 0) done = true;
      }
      if (fetched === 0) done = true;
    }
  }
  options.onProgress?.({ done: total, total });
  const trailer: ExportTrailer = { end: true, messages, lastSequence };
  await options.write(JSON.stringify(trailer));
  return { header, trailer };
}

/** A parsed, checked export: nothing is written until the whole file is known to be good. */
export interface ParsedExport {
  readonly header: ExportHeader;
  readonly records: readonly ExportRecord[];
}

function fail(line: number, message: string): never {
  throw new BackupError('INVALID_EXPORT', `line ${line}: ${message}`);
}

function parseLine(text: string, line: number): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(line, 'not a JSON object');
    return value as Record<string, unknown>;
  } catch (err) {
    if (err instanceof BackupError) throw err;
    return fail(line, `not JSON (${(err as Error).message})`);
  }
}

/** Checks an export file's lines: header, records in ascending order, each a Berth append on an event subject, trailer with the count. */
export function parseExport(lines: readonly string[]): ParsedExport {
  const nonEmpty = lines.map((text, i) => ({ text, line: i + 1 })).filter((l) => l.text.trim() !== '');
  const first = nonEmpty[0];
  if (!first) throw new BackupError('INVALID_EXPORT', 'the export is empty (expected a header line from `berth events export`)');
  const header = parseLine(first.text, first.line);
  if (header['format'] !== EXPORT_FORMAT) fail(first.line, `not a Berth events export (no "format": "${EXPORT_FORMAT}" header)`);
  if (header['version'] !== EXPORT_VERSION) fail(first.line, `export version ${String(header['version'])} is not supported (this berth reads version ${EXPORT_VERSION})`);
  const last = nonEmpty[nonEmpty.length - 1];
  const trailer = last && last !== first ? parseLine(last.text, last.line) : undefined;
  if (!last || !trailer || trailer['end'] !== true) {
    throw new BackupError('INVALID_EXPORT', `the export has no trailer line: it was cut short (the last line is ${last?.line ?? 1}); export again`);
  }
  const records: ExportRecord[] = [];
  let previous = 0;
  for (const { text, line } of nonEmpty.slice(1, -1)) {
    const r = parseLine(text, line);
    const seq = r['seq'];
    const subject = r['subject'];
    if (typeof seq !== 'number' || !Number.isInteger(seq) || seq <= previous) fail(line, `"seq" must be an integer above the previous record's ${previous}`);
    if (typeof subject !== 'string' || !isEventSubject(subject)) fail(line, `"subject" must be an event subject (berth.evt.…), not ${JSON.stringify(subject)}`);
    if (typeof r['raw'] === 'string') {
      records.push({ seq, subject, raw: r['raw'] });
    } else {
      try {
        decodeAppend(JSON.stringify(r['append']), seq);
      } catch (err) {
        fail(line, `"append" is not a Berth append: ${(err as Error).message}`);
      }
      records.push({ seq, subject, append: r['append'] });
    }
    previous = seq;
  }
  if (trailer['messages'] !== records.length) fail(last.line, `the trailer counts ${String(trailer['messages'])} records, the file holds ${records.length}`);
  return { header: header as unknown as ExportHeader, records };
}

export interface ImportOptions {
  /** replicas of the stream and bucket if import creates them (`--replicas`) */
  readonly replicas?: number;
  readonly onProgress?: (progress: BackupProgress) => void;
}

export interface ImportResult {
  readonly messages: number;
  readonly lastSequence: number;
  /** expiring messages written where the exported stream had a gap (expired fence messages) */
  readonly gapsFilled: number;
  /** snapshot entries of another history found in the bucket and deleted */
  readonly snapshotsRemoved: number;
}

async function collectKeys(kv: KV): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of await kv.keys()) keys.push(key);
  return keys;
}

/** messages per atomic batch on import (nats-server's limit): one commit, one fsync round, for up to 1,000 appends */
const IMPORT_BATCH = 1_000;

interface ImportMessage {
  readonly subject: string;
  readonly body: string;
  /** a gap filler: gone within a second, as the fence message it stands for */
  readonly ttl?: string;
}

/**
 * One atomic batch (the raw protocol, as the event store sends it): the first message expects the
 * stream to end at `after`, so the batch lands at after + 1 … or nothing does. Returns the last sequence.
 */
async function publishImportBatch(nc: NatsConnection, messages: readonly ImportMessage[], after: number, timeoutMs: number): Promise<number> {
  const batchId = randomUUID();
  const last = messages.length;
  for (const [i, m] of messages.entries()) {
    const n = i + 1;
    const h = headers();
    h.set('Nats-Batch-Id', batchId);
    h.set('Nats-Batch-Sequence', String(n));
    if (n === 1) h.set('Nats-Expected-Last-Sequence', String(after));
    if (m.ttl !== undefined) h.set('Nats-TTL', m.ttl);
    if (n === last) h.set('Nats-Batch-Commit', '1');
    if (n !== 1 && n !== last) {
      nc.publish(m.subject, m.body, { headers: h });
      continue;
    }
    const reply = await nc.request(m.subject, m.body, { headers: h, timeout: timeoutMs });
    const text = new TextDecoder().decode(reply.data);
    const ack = (text === '' ? {} : JSON.parse(text)) as { seq?: number; count?: number; error?: { code?: number; err_code?: number; description?: string } };
    if (ack.error) {
      throw new BackupError('IMPORT_CONFLICT', `sequences ${after + 1}..${after + last} were not stored: ${ack.error.description ?? 'refused'} (${ack.error.err_code ?? ack.error.code ?? '?'}); nothing of this batch was written`);
    }
    if (n === last) {
      if (ack.seq !== after + last || ack.count !== last) {
        throw new BackupError('IMPORT_CONFLICT', `sequences ${after + 1}..${after + last} were stored up to ${String(ack.seq)} (${String(ack.count)} messages): something else writes to ${EVENTS_STREAM}; stop every service and import into a fresh server`);
      }
      return ack.seq;
    }
  }
  return after;
}

/**
 * Writes a whole-history export into an empty BERTH_EVENTS (created if missing), each
 * append at its original stream sequence. Refuses a non-empty stream and an export that
 * does not start at sequence 1; any snapshots already in the bucket belong to another
 * history and are removed, so services rebuild from the events.
 */
export async function importEvents(nc: NatsConnection, parsed: ParsedExport, options: ImportOptions = {}): Promise<ImportResult> {
  if (parsed.header.fromSequence !== 1) {
    throw new BackupError(
      'INVALID_EXPORT',
      `this export starts at sequence ${parsed.header.fromSequence} (exported with --from-sequence): only a whole history, from sequence 1, can be imported`,
    );
  }
  // the stream and the bucket as every service creates them
  const store = await JetStreamEventStore.connect({ nc, replicas: options.replicas });
  await store.close();
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(EVENTS_STREAM);
  if (state.last_seq > 0) {
    throw new BackupError(
      'IMPORT_TARGET_NOT_EMPTY',
      `${EVENTS_STREAM} on ${nc.getServer()} is not empty (${state.messages} messages, last sequence ${state.last_seq}): import restores into an empty stream only, so the history is exactly the exported one. Import into a fresh nats-server (an empty JetStream store dir).`,
    );
  }
  // deleted key by key, not purged: the scheduler's credentials (the only writer's) may not purge streams
  const snapshots = await new Kvm(nc).open(SNAPSHOTS_BUCKET);
  let snapshotsRemoved = 0;
  for (const key of [...(await collectKeys(snapshots))]) {
    await snapshots.delete(key);
    snapshotsRemoved++;
  }

  const last = parsed.records[parsed.records.length - 1]?.seq ?? 0;
  const bySeq = new Map(parsed.records.map((r) => [r.seq, r]));
  let gapsFilled = 0;
  for (let from = 1; from <= last; from += IMPORT_BATCH) {
    const to = Math.min(last, from + IMPORT_BATCH - 1);
    const batch: ImportMessage[] = [];
    for (let seq = from; seq <= to; seq++) {
      const record = bySeq.get(seq);
      if (record) batch.push({ subject: record.subject, body: record.raw ?? JSON.stringify(record.append) });
      else {
        batch.push({ subject: FENCE_SUBJECT, body: '', ttl: '1s' });
        gapsFilled++;
      }
    }
    try {
      await publishImportBatch(nc, batch, from - 1, 10_000);
    } catch (err) {
      if (err instanceof BackupError) throw err;
      throw new BackupError('IMPORT_CONFLICT', `sequences ${from}..${to} were not stored (${(err as Error).message}); ${from - 1} were; import again into a fresh server`, { cause: err });
    }
    options.onProgress?.({ done: to, total: last });
  }
  options.onProgress?.({ done: last, total: last });
  return { messages: parsed.records.length, lastSequence: last, gapsFilled, snapshotsRemoved };
}
