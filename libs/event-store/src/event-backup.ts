import { EVENTS_STREAM, EVENTS_SUBJECT_WILDCARD, FENCE_SUBJECT, SNAPSHOTS_BUCKET, isEventSubject } from '@berth/contracts';
import { DeliverPolicy, jetstream, jetstreamManager, type PubAck } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
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
  /** snapshots of another history found in the bucket and removed */
  readonly snapshotsRemoved: number;
}

/** publishes in flight at once; each expects the one before it, so order is kept and a foreign write stops the import */
const IMPORT_WINDOW = 256;

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
  const snapshotStream = `KV_${SNAPSHOTS_BUCKET}`;
  const snapshotsRemoved = (await jsm.streams.info(snapshotStream)).state.messages;
  if (snapshotsRemoved > 0) await jsm.streams.purge(snapshotStream);

  const js = jetstream(nc);
  const last = parsed.records[parsed.records.length - 1]?.seq ?? 0;
  const bySeq = new Map(parsed.records.map((r) => [r.seq, r]));
  const inFlight: Promise<void>[] = [];
  let gapsFilled = 0;
  let firstError: unknown;
  const check = (seq: number) => (ack: PubAck) => {
    if (ack.seq !== seq) throw new BackupError('IMPORT_CONFLICT', `sequence ${seq} was stored at ${ack.seq}: something else writes to ${EVENTS_STREAM}; stop every service and import into a fresh server`);
  };
  for (let seq = 1; seq <= last && firstError === undefined; seq++) {
    const record = bySeq.get(seq);
    const expect = { lastSequence: seq - 1 };
    const sent = record
      ? js.publish(record.subject, record.raw ?? JSON.stringify(record.append), { expect })
      : js.publish(FENCE_SUBJECT, '', { expect, ttl: '1s' });
    if (!record) gapsFilled++;
    inFlight.push(
      sent.then(check(seq)).catch((err: unknown) => {
        firstError ??= err instanceof BackupError ? err : new BackupError('IMPORT_CONFLICT', `sequence ${seq} was not stored: ${(err as Error).message}`, { cause: err });
      }),
    );
    if (inFlight.length >= IMPORT_WINDOW) await inFlight.shift();
    if (seq % PROGRESS_EVERY === 0) options.onProgress?.({ done: seq, total: last });
  }
  await Promise.all(inFlight);
  if (firstError !== undefined) throw firstError;
  options.onProgress?.({ done: last, total: last });
  return { messages: parsed.records.length, lastSequence: last, gapsFilled, snapshotsRemoved };
}
