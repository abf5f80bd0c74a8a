import {
  EVENTS_STREAM,
  EVENTS_SUBJECT_WILDCARD,
  FENCE_SUBJECT,
  SNAPSHOTS_BUCKET,
  eventSubject,
  isEventSubject,
  type NewEvent,
  type StoredEvent,
} from '@berth/contracts';
import {
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type MsgRequest,
  type StoredMsg,
  type StreamConfig,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import {
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
  connect,
  headers,
  type NatsConnection,
} from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import {
  appendMessageId,
  decodeAppend,
  encodeAppend,
  isSameAppend,
  lastVersionOf,
  subjectMatches,
  validateAppend,
  validateAtomicAppend,
  validateSnapshotName,
} from './append-codec';
import { ConcurrencyError, CorruptEventError, EventStoreError, FencedError, GuardConflictError, InvalidArgumentError, StoreUnavailableError } from './errors';
import { joinSnapshot, manifestOf, partKey, SNAPSHOT_PART_BYTES, splitSnapshot } from './snapshot-parts';
import { DEFAULT_REPLICAS, ensureReplicas, explainReplicasError } from './stream-replicas';
import { MAX_ATOMIC_APPEND_AGGREGATES, type AggregateAppend, type AppendGuard, type AppendResult, type EventHandler, type EventStore, type ExpectedVersion, type Snapshot, type Subscription } from './event-store';

/*
 * The production EventStore: stream BERTH_EVENTS, one message per aggregate per
 * append (the storage design, and what readers must know, is described in
 * event-store.ts).
 *
 * Append = one publish with `Nats-Msg-Id` and `expect.lastSubjectSequence`; an
 * atomic append = one atomic batch of such messages (no message ids: batches take
 * none). The expected sequence comes from a per-process cache of each aggregate's
 * head (stream sequence + version of its last append), filled by this store's
 * appends and reads, else from a direct get `last_by_subj` (~0.5 ms). A stale cache
 * entry is caught by the server (10071), refreshed and retried once. When the
 * fresh head is not at the expected version, nothing is published: either the
 * append at expected version + 1 holds this append's event ids (it was stored and
 * its reply lost: a duplicate) or the caller gets ConcurrencyError.
 */

/**
 * Default dedupe horizon. A lost-reply retry comes within seconds (publish timeout,
 * reconnect); 2 min also covers a server restart. The server keeps every id inside
 * the window in memory, so it is not made longer: idempotency beyond it is the
 * domain's job (commands already applied are visible in the aggregate).
 */
export const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;

const HEAD_CACHE_LIMIT = 10_000;
/**
 * nats-server keeps at most 50 atomic batches open per stream and refuses more
 * (10210, "atomic publish too many inflight"): this store keeps fewer in flight,
 * leaving room for another writer, and waits briefly when the server still says so.
 */
const BATCHES_IN_FLIGHT = 32;
/** atomic appends (groups of them, see pump) sent at once by one store; the rest queue and go out together */
const GROUPS_IN_FLIGHT = 4;
const TOO_MANY_BATCHES = 10210;
const TOO_MANY_BATCHES_ATTEMPTS = 50;
const ANY_VERSION_ATTEMPTS = 20;
/** messages per pull request for replays: measured ~10 % faster than 1,000 (≈2 MB buffered at most) */
const REPLAY_BATCH = 5_000;
/**
 * Pull expiry of subscriptions (the client's default is 30 s). @nats-io/jetstream 3.4 recreates an
 * ordered consumer that a nats-server restart lost without forgetting its pending pull, so it asks
 * for 1 message and then waits for two missed idle heartbeats (half this each): with 30 s, every
 * projection stood still for about 30 s after the first event following a restart.
 */
const SUBSCRIBE_PULL_EXPIRES_MS = 2_000;

export interface JetStreamEventStoreOptions {
  /** e.g. nats://127.0.0.1:4222; ignored when `nc` is given */
  readonly servers?: string | string[];
  /** an existing connection; the store then does not close it */
  readonly nc?: NatsConnection;
  /** connection name shown in the server's monitoring */
  readonly name?: string;
  readonly duplicateWindowMs?: number;
  /** how long the first connect may take before STORE_UNAVAILABLE; default 2 s */
  readonly connectTimeoutMs?: number;
  /** publish and JetStream API timeout; default 5 s */
  readonly requestTimeoutMs?: number;
  /** replicas of the stream and the snapshot bucket (stream-replicas.ts); fewer existing ones are scaled up. Default 1 */
  readonly replicas?: number;
}

interface Head {
  readonly sequence: number;
  readonly version: number;
}

function describeServers(opts: JetStreamEventStoreOptions): string {
  if (opts.nc) return opts.nc.getServer();
  const s = opts.servers ?? 'nats://127.0.0.1:4222';
  return Array.isArray(s) ? s.join(',') : String(s);
}

/**
 * The server refused an expectation: 10071 names the sequence it found; a
 * clustered stream answers 10164 ("wrong last sequence", no number) when a
 * write to the same subject is still being replicated. Both: nothing stored, look again.
 */
function isWrongLastSequence(err: unknown): boolean {
  return err instanceof JetStreamApiError && (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);
}

interface BatchMessage {
  readonly subject: string;
  readonly body: string;
  /** stream sequence of the aggregate's last message (0: it must not exist) */
  readonly head: number;
  /** the server's check: the last message on `subject` (own subject when absent) is at `sequence` */
  readonly expect: { readonly sequence: number; readonly subject?: string };
  /** per-message TTL (`Nats-TTL`): the fence message goes once it has done its check */
  readonly ttl?: string;
}

/** A writer's fence, as in force when an append was called. */
interface Fence {
  readonly guard: AppendGuard;
  readonly onFenced?: (err: FencedError) => void;
}

/** How long the fence message at the head of a fenced batch stays in the stream (the server's minimum is 1 s). */
const FENCE_MESSAGE_TTL = '1s';

interface QueuedAppend {
  readonly appends: readonly AggregateAppend[];
  readonly subjects: readonly string[];
  readonly fence: Fence | undefined;
  readonly resolve: (results: AppendResult[]) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Takes from `queue` the oldest atomic append whose subjects no batch in flight
 * writes (`busy`), and every later one that fits beside it in one batch: at most
 * MAX_ATOMIC_APPEND_AGGREGATES messages (one of them the fence's, if fenced),
 * the same fence, and no subject written twice or written by one and guarded by
 * another (a guard must not see the group's own messages). The rest stay
 * queued, in order. One batch at a time per subject keeps the cached heads
 * true: a guarded part's own subject carries no expectation (its guard's does),
 * so two batches in flight would both number it from the same head.
 */
function takeGroup(queue: QueuedAppend[], busy: ReadonlySet<string>): QueuedAppend[] {
  const group: QueuedAppend[] = [];
  const written: string[] = [];
  const guarded: string[] = [];
  let fence: Fence | undefined;
  let messages = 0;
  for (let i = 0; i < queue.length && messages < MAX_ATOMIC_APPEND_AGGREGATES; ) {
    const q = queue[i] as QueuedAppend;
    const guards = q.appends.flatMap((a) => (a.guard === undefined ? [] : [a.guard.subject]));
    const clashes =
      q.subjects.some((s) => busy.has(s)) ||
      (group.length > 0 &&
        (q.fence !== fence ||
          messages + q.subjects.length > MAX_ATOMIC_APPEND_AGGREGATES ||
          q.subjects.some((s) => written.includes(s) || guarded.some((g) => subjectMatches(g, s))) ||
          guards.some((g) => written.some((s) => subjectMatches(g, s)))));
    if (clashes) {
      i++;
      continue;
    }
    if (group.length === 0) {
      fence = q.fence;
      messages = fence === undefined ? 0 : 1;
    }
    queue.splice(i, 1);
    group.push(q);
    written.push(...q.subjects);
    guarded.push(...guards);
    messages += q.subjects.length;
  }
  return group;
}

interface ApiReply {
  readonly error?: { readonly code: number; readonly err_code: number; readonly description: string };
  readonly seq?: number;
  readonly count?: number;
}

/** The JetStream API's answer to a publish: its error as a JetStreamApiError (with the server's reason), else the ack. */
function parseReply(data: Uint8Array, what: string): ApiReply {
  if (data.length === 0) return {};
  let reply: ApiReply;
  try {
    reply = JSON.parse(new TextDecoder().decode(data)) as ApiReply;
  } catch (err) {
    throw new StoreUnavailableError(`${what}: the server's reply is not JSON`, { cause: err });
  }
  if (reply.error) throw new JetStreamApiError(reply.error);
  return reply;
}

function isUnavailable(err: unknown): boolean {
  return (
    err instanceof TimeoutError ||
    err instanceof RequestError ||
    err instanceof NoRespondersError ||
    err instanceof ClosedConnectionError ||
    err instanceof DrainingConnectionError ||
    err instanceof ConnectionError ||
    (err instanceof Error && err.name === 'JetStreamNotEnabled') ||
    (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.JetStreamNotEnabledForAccount)
  );
}

export class JetStreamEventStore implements EventStore {
  private readonly heads = new Map<string, Head>();
  private batchesInFlight = 0;
  private readonly queued: QueuedAppend[] = [];
  private groupsInFlight = 0;
  private readonly batchWaiters: (() => void)[] = [];
  /** newest sequence seen on each guard's subject (or wildcard): the header's value without a round trip */
  private readonly guardLast = new Map<string, number>();
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;
  private currentFence: Fence | undefined;
  /** subjects written by the atomic batches in flight */
  private readonly busySubjects = new Set<string>();
  /** set while the client is disconnected: resolves when it is connected again */
  private reconnected: Promise<void> | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly ownsConnection: boolean,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly kv: KV,
    private readonly url: string,
    private readonly timeoutMs: number,
    /** BERTH_EVENTS has replicas: single reads go to its leader (see `getMessage`) */
    private readonly replicated = false,
  ) {
    void this.watchConnection();
  }

  /**
   * Requests sent while the client is disconnected are lost (they time out), so
   * operations wait for the reconnect instead — up to the request timeout.
   */
  private async watchConnection(): Promise<void> {
    let markReconnected: (() => void) | undefined;
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect' && !markReconnected) {
        this.reconnected = new Promise<void>((resolve) => (markReconnected = resolve));
      } else if (s.type === 'reconnect' || s.type === 'close') {
        this.reconnected = undefined;
        markReconnected?.();
        markReconnected = undefined;
      }
    }
  }

  private async connected(): Promise<void> {
    const pending = this.reconnected;
    if (!pending) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreUnavailableError(`NATS at ${this.url} is unreachable (still reconnecting after ${this.timeoutMs} ms)`)),
        this.timeoutMs,
      );
    });
    try {
      await Promise.race([pending, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Connects, creates or updates the stream and the snapshot bucket. Fails fast with STORE_UNAVAILABLE. */
  static async connect(opts: JetStreamEventStoreOptions = {}): Promise<JetStreamEventStore> {
    const url = describeServers(opts);
    const timeout = opts.requestTimeoutMs ?? 5_000;
    let nc: NatsConnection;
    try {
      nc =
        opts.nc ??
        (await connect({
          servers: opts.servers ?? 'nats://127.0.0.1:4222',
          name: opts.name ?? 'berth-event-store',
          timeout: opts.connectTimeoutMs ?? 2_000,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 250,
        }));
    } catch (err) {
      throw new StoreUnavailableError(`cannot connect to NATS at ${url}: ${(err as Error).message}`, { cause: err });
    }
    try {
      const jsm = await jetstreamManager(nc, { timeout });
      const replicas = opts.replicas ?? DEFAULT_REPLICAS;
      await ensureEventsStream(jsm, opts.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS, replicas);
      const js = jetstream(nc, { timeout });
      const kv = await new Kvm(js).create(SNAPSHOTS_BUCKET, { history: 1, storage: StorageType.File, replicas }).catch((err: unknown) => {
        throw explainReplicasError(err, `KV_${SNAPSHOTS_BUCKET}`, replicas);
      });
      await ensureReplicas(jsm, EVENTS_STREAM, replicas);
      await ensureReplicas(jsm, `KV_${SNAPSHOTS_BUCKET}`, replicas);
      // a replicated stream may have been scaled up by another service: what it is, not what we asked
      const replicated = ((await jsm.streams.info(EVENTS_STREAM)).config.num_replicas ?? 1) > 1;
      return new JetStreamEventStore(nc, !opts.nc, js, jsm, kv, url, timeout, replicated);
    } catch (err) {
      if (!opts.nc) await nc.close().catch(() => undefined);
      if (isUnavailable(err)) {
        throw new StoreUnavailableError(`JetStream at ${url} is not available: ${(err as Error).message}`, { cause: err });
      }
      throw err;
    }
  }

  /** The connection, for callers that share it (e.g. services on the same server). */
  get connection(): NatsConnection {
    return this.nc;
  }

  fence(guard: AppendGuard | undefined, onFenced?: (err: FencedError) => void): void {
    // a new term (or none): others wrote since this handle last did, so what it cached of heads and guards is stale
    this.heads.clear();
    this.guardLast.clear();
    this.currentFence = guard === undefined ? undefined : { guard: { ...guard }, ...(onFenced === undefined ? {} : { onFenced }) };
  }

  async append(
    aggregate: string,
    aggregateId: string,
    expectedVersion: ExpectedVersion,
    events: readonly NewEvent[],
  ): Promise<AppendResult> {
    this.assertOpen();
    validateAppend(aggregate, aggregateId, expectedVersion, events);
    // a fenced append needs a second message (the fence's check): an atomic batch
    if (this.currentFence !== undefined) return (await this.appendAtomic([{ aggregate, aggregateId, expectedVersion, events }]))[0] as AppendResult;
    const subject = eventSubject(aggregate, aggregateId);
    const msgID = appendMessageId(events);
    const part: AggregateAppend = { aggregate, aggregateId, expectedVersion, events };
    return this.unavailableAs('append (it may or may not be stored; retrying the same events is recognised)', async () => {
      let timeouts = 0;
      let conflicts = 0;
      for (;;) {
        await this.connected();
        const { head, cached } = await this.headFor(subject, expectedVersion);
        if (expectedVersion !== 'any' && head.version !== expectedVersion) {
          const [own] = await this.ownOrConflict([part], 0);
          return own as AppendResult;
        }
        const body = encodeAppend(aggregate, aggregateId, head.version + 1, events);
        let ack;
        try {
          ack = await this.js.publish(subject, body, { msgID, expect: { lastSubjectSequence: head.sequence }, timeout: this.timeoutMs });
        } catch (err) {
          // outcome unknown (e.g. sent just as the connection dropped): one retry is safe, it is recognised if stored
          if (err instanceof TimeoutError && timeouts++ === 0) continue;
          if (!isWrongLastSequence(err)) throw err;
          this.heads.delete(subject);
          conflicts++;
          // 'any' just lost a race: try again on the new head; a stale cached head gets one fresh try
          const retry = expectedVersion === 'any' ? conflicts < ANY_VERSION_ATTEMPTS : cached && conflicts === 1;
          if (retry) continue;
          if (expectedVersion === 'any') {
            const actual = await this.fetchHead(subject);
            throw new ConcurrencyError(aggregate, aggregateId, expectedVersion, actual.version, { cause: err });
          }
          const [own] = await this.ownOrConflict([part], 0, err);
          return own as AppendResult;
        }
        if (ack.duplicate) return this.duplicateResult(subject, ack.seq);
        const version = head.version + events.length;
        this.rememberHead(subject, { sequence: ack.seq, version });
        return { lastSequence: ack.seq, version, duplicate: false };
      }
    });
  }

  async appendAtomic(appends: readonly AggregateAppend[]): Promise<AppendResult[]> {
    this.assertOpen();
    validateAtomicAppend(appends);
    const [only] = appends;
    const fence = this.currentFence;
    if (fence !== undefined && appends.length >= MAX_ATOMIC_APPEND_AGGREGATES) {
      throw new InvalidArgumentError(`a fenced atomic append takes at most ${MAX_ATOMIC_APPEND_AGGREGATES - 1} aggregates (one message of the batch is the fence's), not ${appends.length}`);
    }
    if (fence === undefined && appends.length === 1 && only && only.guard === undefined) return [await this.append(only.aggregate, only.aggregateId, only.expectedVersion, only.events)];
    return new Promise<AppendResult[]>((resolve, reject) => {
      this.queued.push({ appends, subjects: appends.map((a) => eventSubject(a.aggregate, a.aggregateId)), fence, resolve, reject });
      this.pump();
    });
  }

  /*
   * Group commit. nats-server commits roughly a hundred atomic batches a second
   * per stream (each commit costs ~5-10 ms however small the batch; measured on
   * 2.15.1), so one batch per command would cap multi-aggregate commands there.
   * Atomic appends that arrive while GROUPS_IN_FLIGHT batches are out are
   * queued and sent together as ONE batch (up to the server's 1,000 messages)
   * when a slot frees, provided no two touch or guard the same subjects. If that
   * combined batch is refused (a conflict in any one of them), each is appended
   * on its own, so one command's conflict never fails another's.
   */
  private pump(): void {
    while (this.groupsInFlight < GROUPS_IN_FLIGHT && this.queued.length > 0) {
      const group = takeGroup(this.queued, this.busySubjects);
      // everything queued waits for a subject in flight: the batch that frees it pumps again
      if (group.length === 0) return;
      const subjects = group.flatMap((q) => q.subjects);
      for (const s of subjects) this.busySubjects.add(s);
      this.groupsInFlight++;
      void this.commitGroup(group).finally(() => {
        for (const s of subjects) this.busySubjects.delete(s);
        this.groupsInFlight--;
        this.pump();
      });
    }
  }

  private async commitGroup(group: readonly QueuedAppend[]): Promise<void> {
    const [first] = group;
    if (group.length > 1) {
      try {
        const results = await this.appendAtomicNow(group.flatMap((q) => q.appends), first?.fence);
        let at = 0;
        for (const q of group) {
          q.resolve(results.slice(at, at + q.appends.length));
          at += q.appends.length;
        }
        return;
      } catch {
        // one of them conflicted (or the outcome is unknown): each on its own, which tells them apart and recognises what was stored
      }
    } else if (first === undefined) return;
    await Promise.all(
      group.map(async (q) => {
        try {
          q.resolve(await this.appendAtomicNow(q.appends, q.fence));
        } catch (err) {
          q.reject(err);
        }
      }),
    );
  }

  /**
   * One atomic batch for `appends`, with the retries and recognition of a lost reply described above;
   * fenced, its first message is the fence's check (on FENCE_SUBJECT, gone after FENCE_MESSAGE_TTL).
   */
  private async appendAtomicNow(appends: readonly AggregateAppend[], fence: Fence | undefined): Promise<AppendResult[]> {
    const subjects = appends.map((a) => eventSubject(a.aggregate, a.aggregateId));
    return this.unavailableAs('atomic append (it may or may not be stored; retrying the same events is recognised)', async () => {
      let timeouts = 0;
      let conflicts = 0;
      for (;;) {
        await this.connected();
        const heads = await Promise.all(appends.map((a, i) => this.headFor(subjects[i] as string, a.expectedVersion)));
        const stale = appends.findIndex((a, i) => a.expectedVersion !== 'any' && heads[i]?.head.version !== a.expectedVersion);
        if (stale >= 0) return this.ownOrConflict(appends, stale);
        const guards = await this.checkGuards(appends);
        const parts: BatchMessage[] = appends.map((a, i) => {
          const head = (heads[i] as { head: Head }).head;
          const guard = guards[i];
          return {
            subject: subjects[i] as string,
            body: encodeAppend(a.aggregate, a.aggregateId, head.version + 1, a.events),
            head: head.sequence,
            expect: guard === undefined ? { sequence: head.sequence } : { sequence: guard, subject: (a.guard as AppendGuard).subject },
          };
        });
        const messages = fence === undefined ? parts : [fenceMessage(fence.guard), ...parts];
        let lastSequence: number;
        try {
          lastSequence = await this.publishBatch(messages);
        } catch (err) {
          if (err instanceof TimeoutError && timeouts++ === 0) {
            // the reply was lost: stored, if the first part's aggregate now holds its events right after the head it expected
            const own = await this.storedAfter(parts[0] as BatchMessage, appends[0] as AggregateAppend);
            if (own !== undefined) return this.duplicatesFrom(appends, own);
            continue;
          }
          if (!isWrongLastSequence(err)) throw err;
          if (fence !== undefined) await this.checkFence(fence, err);
          for (const s of subjects) this.heads.delete(s);
          // the server does not say which part was stale: a fresh look at every head does
          const fresh = await Promise.all(subjects.map((s) => this.fetchHead(s)));
          const staleNow = appends.findIndex((a, i) => a.expectedVersion !== 'any' && fresh[i]?.version !== a.expectedVersion);
          if (staleNow >= 0) return this.ownOrConflict(appends, staleNow, err);
          await this.checkGuards(appends, err);
          // every expected version holds: a cached head was stale or an 'any' part lost a race
          if (++conflicts < ANY_VERSION_ATTEMPTS) continue;
          const first = appends[0] as AggregateAppend;
          throw new ConcurrencyError(first.aggregate, first.aggregateId, first.expectedVersion, fresh[0]?.version ?? 0, { cause: err });
        }
        // the parts are the batch's last messages
        const firstSequence = lastSequence - parts.length + 1;
        return appends.map((a, i) => {
          const sequence = firstSequence + i;
          const version = (heads[i] as { head: Head }).head.version + a.events.length;
          this.rememberHead(subjects[i] as string, { sequence, version });
          return { lastSequence: sequence, version, duplicate: false };
        });
      }
    });
  }

  /**
   * One atomic batch (nats-server >= 2.12): the first message and the commit are
   * requests, the ones between plain publishes; the commit's reply is the ack of
   * the whole batch (sequence of its last message) or the server's reason for
   * refusing it, which nothing was written for. Written here rather than with the
   * client's startBatch because @nats-io/jetstream 3.4's `add` drops `expect` and
   * its `commit` hides the server's reason behind "batch didn't contain number of
   * published messages".
   */
  private async publishBatch(messages: readonly BatchMessage[]): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      await this.batchSlot();
      try {
        return await this.publishBatchOnce(messages);
      } catch (err) {
        // refused before anything was stored: another writer holds the server's open batches
        if (!(err instanceof JetStreamApiError && err.code === TOO_MANY_BATCHES) || attempt >= TOO_MANY_BATCHES_ATTEMPTS) throw err;
      } finally {
        this.releaseBatchSlot();
      }
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 8 * attempt));
    }
  }

  private async batchSlot(): Promise<void> {
    while (this.batchesInFlight >= BATCHES_IN_FLIGHT) await new Promise<void>((resolve) => this.batchWaiters.push(resolve));
    this.batchesInFlight++;
  }

  private releaseBatchSlot(): void {
    this.batchesInFlight--;
    this.batchWaiters.shift()?.();
  }

  private async publishBatchOnce(messages: readonly BatchMessage[]): Promise<number> {
    const batchId = randomUUID();
    const headersFor = (m: BatchMessage, n: number, commit: boolean) => {
      const h = headers();
      h.set('Nats-Batch-Id', batchId);
      h.set('Nats-Batch-Sequence', String(n));
      h.set('Nats-Expected-Last-Subject-Sequence', String(m.expect.sequence));
      if (m.expect.subject !== undefined) h.set('Nats-Expected-Last-Subject-Sequence-Subject', m.expect.subject);
      if (m.ttl !== undefined) h.set('Nats-TTL', m.ttl);
      if (commit) h.set('Nats-Batch-Commit', '1');
      return h;
    };
    const last = messages.length;
    for (const [i, m] of messages.entries()) {
      const n = i + 1;
      if (n === 1 || n === last) {
        const reply = await this.nc.request(m.subject, m.body, { headers: headersFor(m, n, n === last), timeout: this.timeoutMs });
        const ack = parseReply(reply.data, 'atomic append');
        if (n === last) {
          if (typeof ack.seq !== 'number' || ack.count !== last) {
            throw new StoreUnavailableError(`atomic append: the server acknowledged ${String(ack.count)} of ${last} messages`);
          }
          return ack.seq;
        }
      } else {
        this.nc.publish(m.subject, m.body, { headers: headersFor(m, n, false) });
      }
    }
    throw new InvalidArgumentError('an atomic batch needs at least one message');
  }

  /**
   * Each guarded part's guard: the sequence of the newest message on its subject
   * now (what the server is asked to find unchanged), or GuardConflictError when
   * that is already newer than the decision saw.
   */
  private async checkGuards(appends: readonly AggregateAppend[], cause?: unknown): Promise<(number | undefined)[]> {
    return Promise.all(
      appends.map(async (a) => {
        if (a.guard === undefined) return undefined;
        const { subject, unchangedSince } = a.guard;
        // a cached sequence the decision already saw needs no round trip: if it is stale, the server refuses and `cause` comes back here
        const cached = cause === undefined ? this.guardLast.get(subject) : undefined;
        if (cached !== undefined && cached <= unchangedSince) return cached;
        const last = await this.getMessage({ last_by_subj: subject });
        const changedAt = last?.seq ?? 0;
        this.rememberGuard(subject, changedAt);
        if (changedAt > a.guard.unchangedSince) {
          throw new GuardConflictError(a.aggregate, a.aggregateId, a.guard.subject, a.guard.unchangedSince, changedAt, cause === undefined ? undefined : { cause });
        }
        return changedAt;
      }),
    );
  }

  /**
   * One message of BERTH_EVENTS: a direct get on one server; on a replicated
   * stream the leader's message get, since any replica answers a direct get,
   * also one that has not applied the newest appends yet (seen on R3: a read
   * right after an acknowledged append returned the state before it), and
   * heads, guards and the fence must be current.
   */
  private getMessage(query: MsgRequest): Promise<StoredMsg | null> {
    return this.replicated ? this.jsm.streams.getMessage(EVENTS_STREAM, query) : this.jsm.direct.getMessage(EVENTS_STREAM, query);
  }

  /** A refused batch's fence: FencedError (after telling the writer) when a newer term's marker is on its subject. */
  private async checkFence(fence: Fence, cause: unknown): Promise<void> {
    const { subject, unchangedSince } = fence.guard;
    const last = await this.getMessage({ last_by_subj: subject });
    const changedAt = last?.seq ?? 0;
    if (changedAt <= unchangedSince) return;
    const err = new FencedError(subject, unchangedSince, changedAt, { cause });
    fence.onFenced?.(err);
    throw err;
  }

  /**
   * A part whose aggregate is not at its expected version: if the append stored at
   * expected version + 1 holds its event ids, this is a retry of an atomic append
   * that was stored (every part is reported as a duplicate), else a conflict.
   */
  private async ownOrConflict(appends: readonly AggregateAppend[], stale: number, cause?: unknown): Promise<AppendResult[]> {
    const part = appends[stale] as AggregateAppend;
    const expected = part.expectedVersion as number;
    const stored = await this.read(part.aggregate, part.aggregateId, expected + 1);
    if (isSameAppend(stored, part.events)) return this.duplicatesFrom(appends, { index: stale, sequence: (stored[0] as StoredEvent).sequence });
    const actual = await this.fetchHead(eventSubject(part.aggregate, part.aggregateId));
    throw new ConcurrencyError(part.aggregate, part.aggregateId, expected, actual.version, cause === undefined ? undefined : { cause });
  }

  /** The message right after `m.head` on its subject, if it holds `part`'s events: where its batch was stored. */
  private async storedAfter(m: BatchMessage, part: AggregateAppend): Promise<{ index: number; sequence: number } | undefined> {
    const next = await this.jsm.direct.getMessage(EVENTS_STREAM, { seq: m.head + 1, next_by_subj: m.subject });
    if (!next) return undefined;
    return isSameAppend(decodeAppend(next.string(), next.seq), part.events) ? { index: 0, sequence: next.seq } : undefined;
  }

  /** Every part of an atomic append found stored (part `found.index` at `found.sequence`; the parts are consecutive), as duplicates. */
  private async duplicatesFrom(appends: readonly AggregateAppend[], found: { index: number; sequence: number }): Promise<AppendResult[]> {
    const first = found.sequence - found.index;
    return Promise.all(
      appends.map(async (a, i) => {
        const sequence = first + i;
        const stored = await this.getMessage({ seq: sequence });
        const events = stored ? decodeAppend(stored.string(), sequence) : [];
        if (stored?.subject !== eventSubject(a.aggregate, a.aggregateId) || !isSameAppend(events, a.events)) {
          throw new CorruptEventError(`atomic append retried: sequence ${sequence} does not hold its part for ${a.aggregate} ${JSON.stringify(a.aggregateId)}`);
        }
        return { lastSequence: sequence, version: (events[events.length - 1] as StoredEvent).version, duplicate: true };
      }),
    );
  }

  async read(aggregate: string, aggregateId: string, fromVersion = 1): Promise<StoredEvent[]> {
    this.assertOpen();
    const subject = eventSubject(aggregate, aggregateId);
    return this.unavailableAs('read', async () => {
      const last = await this.getMessage({ last_by_subj: subject });
      if (!last) {
        this.heads.delete(subject);
        return [];
      }
      const lastEvents = decodeAppend(last.string(), last.seq);
      const lastVersion = lastEvents[lastEvents.length - 1]?.version ?? 0;
      this.rememberHead(subject, { sequence: last.seq, version: lastVersion });
      if (fromVersion > lastVersion) return [];
      // the newest append alone may already hold everything asked for: no consumer needed
      if ((lastEvents[0]?.version ?? 1) <= fromVersion) return lastEvents.filter((e) => e.version >= fromVersion);
      const out: StoredEvent[] = [];
      await this.scan({ filter_subjects: [subject] }, last.seq, (events) => {
        for (const e of events) if (e.version >= fromVersion) out.push(e);
      });
      return out;
    });
  }

  async readAppend(sequence: number): Promise<StoredEvent[]> {
    this.assertOpen();
    if (!Number.isInteger(sequence) || sequence < 1) return [];
    return this.unavailableAs('readAppend', async () => {
      const stored = await this.getMessage({ seq: sequence });
      return stored && isEventSubject(stored.subject) ? decodeAppend(stored.string(), stored.seq) : [];
    });
  }

  async *readAll(fromSequence = 1): AsyncIterable<StoredEvent> {
    this.assertOpen();
    const start = Math.max(1, fromSequence);
    const end = await this.unavailableAs('readAll', () => this.streamEnd());
    if (end < start) return;
    const messages = await this.unavailableAs('readAll', () => this.openConsumer(start));
    try {
      for await (const m of messages) {
        // a plain loop: `yield*` over the array costs ~10 % of replay throughput
        const events = eventsOf(m);
        for (let i = 0; i < events.length; i++) yield events[i] as StoredEvent;
        if (m.seq >= end) break;
      }
    } finally {
      messages.stop();
    }
  }

  subscribe(fromSequence: number, handler: EventHandler): Subscription {
    this.assertOpen();
    const start = Math.max(1, fromSequence);
    let stopped = false;
    let messages: ConsumerMessages | undefined;
    let markCaughtUp!: () => void;
    let failCaughtUp!: (err: unknown) => void;
    const caughtUp = new Promise<void>((resolve, reject) => {
      markCaughtUp = resolve;
      failCaughtUp = reject;
    });
    caughtUp.catch(() => undefined);
    const done = (async () => {
      const end = await this.unavailableAs('subscribe', () => this.streamEnd());
      if (end < start) markCaughtUp();
      if (stopped) return;
      messages = await this.unavailableAs('subscribe', () => this.openConsumer(start));
      if (stopped) {
        messages.stop();
        return;
      }
      for await (const m of messages) {
        for (const e of eventsOf(m)) {
          if (stopped) return;
          await handler(e);
        }
        if (m.seq >= end) markCaughtUp();
      }
    })();
    done.catch((err: unknown) => failCaughtUp(err));
    const subscription: Subscription = {
      caughtUp,
      done,
      stop: async () => {
        stopped = true;
        this.subscriptions.delete(subscription);
        messages?.stop();
        await done.catch(() => undefined);
      },
    };
    // a subscription stopped by a handler error is released as well
    done.then(
      () => this.subscriptions.delete(subscription),
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async saveSnapshot<TState>(name: string, snapshot: Snapshot<TState>): Promise<void> {
    this.assertOpen();
    validateSnapshotName(name);
    const json = JSON.stringify({ sequence: snapshot.sequence, state: snapshot.state });
    await this.unavailableAs('saveSnapshot', async () => {
      if (Buffer.byteLength(json, 'utf8') <= SNAPSHOT_PART_BYTES) {
        await this.kv.put(name, json);
        return;
      }
      const current = await this.kv.get(name);
      const { parts, manifest } = splitSnapshot(json, snapshot.sequence, current?.operation === 'PUT' ? manifestOf(current.json()) : undefined);
      for (const [i, part] of parts.entries()) await this.kv.put(partKey(name, manifest.parts.slot, i), part);
      await this.kv.put(name, JSON.stringify(manifest));
    });
  }

  async loadSnapshot<TState = unknown>(name: string): Promise<Snapshot<TState> | undefined> {
    this.assertOpen();
    validateSnapshotName(name);
    return this.unavailableAs('loadSnapshot', async () => {
      const entry = await this.kv.get(name);
      if (!entry || entry.operation !== 'PUT') return undefined;
      const value: unknown = JSON.parse(entry.string());
      const manifest = manifestOf(value);
      if (!manifest) return value as Snapshot<TState>;
      const parts = await Promise.all(
        Array.from({ length: manifest.parts.count }, async (_, i) => {
          const part = await this.kv.get(partKey(name, manifest.parts.slot, i));
          return part?.operation === 'PUT' ? part.value : undefined;
        }),
      );
      return joinSnapshot<TState>(name, manifest, parts);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    if (this.ownsConnection) await this.nc.close();
  }

  /** The aggregate's head: from the cache when it can be used for `expected`, else from the server. */
  private async headFor(subject: string, expected: ExpectedVersion): Promise<{ head: Head; cached: boolean }> {
    if (expected === 0) return { head: { sequence: 0, version: 0 }, cached: true };
    const cached = this.heads.get(subject);
    if (cached && (expected === 'any' || cached.version === expected)) return { head: cached, cached: true };
    return { head: await this.fetchHead(subject), cached: false };
  }

  private async fetchHead(subject: string): Promise<Head> {
    const last = await this.getMessage({ last_by_subj: subject });
    if (!last) return { sequence: 0, version: 0 };
    const head = { sequence: last.seq, version: lastVersionOf(last.string(), last.seq) };
    this.rememberHead(subject, head);
    return head;
  }

  private rememberGuard(subject: string, sequence: number): void {
    this.guardLast.delete(subject);
    this.guardLast.set(subject, sequence);
    if (this.guardLast.size > HEAD_CACHE_LIMIT) {
      const oldest = this.guardLast.keys().next();
      if (!oldest.done) this.guardLast.delete(oldest.value);
    }
  }

  private rememberHead(subject: string, head: Head): void {
    // a guard on exactly this subject (not a wildcard) follows what this store writes and reads
    if (this.guardLast.has(subject)) this.guardLast.set(subject, head.sequence);
    // Map keeps insertion order: re-inserting makes this the newest, the oldest is evicted
    this.heads.delete(subject);
    this.heads.set(subject, head);
    if (this.heads.size > HEAD_CACHE_LIMIT) {
      const oldest = this.heads.keys().next();
      if (!oldest.done) this.heads.delete(oldest.value);
    }
  }

  private async duplicateResult(subject: string, sequence: number): Promise<AppendResult> {
    const original = await this.getMessage({ seq: sequence });
    if (!original) throw new StoreUnavailableError(`append ${sequence} acknowledged as duplicate but not readable`);
    if (original.subject !== subject) {
      throw new InvalidArgumentError(
        `message id already used within the duplicate window by an append to ${original.subject} (sequence ${sequence})`,
      );
    }
    return { lastSequence: sequence, version: lastVersionOf(original.string(), sequence), duplicate: true };
  }

  async lastSequence(): Promise<number> {
    this.assertOpen();
    return this.unavailableAs('lastSequence', () => this.streamEnd());
  }

  private async streamEnd(): Promise<number> {
    const info = await this.jsm.streams.info(EVENTS_STREAM);
    return info.state.last_seq;
  }

  /** An ordered consumer over the whole stream from `start`: recreated by the client after gaps or reconnects. */
  private async openConsumer(start: number): Promise<ConsumerMessages> {
    const consumer = await this.js.consumers.get(EVENTS_STREAM, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: start,
    });
    return consumer.consume({ max_messages: REPLAY_BATCH, expires: SUBSCRIBE_PULL_EXPIRES_MS });
  }

  /** Reads a filtered ordered consumer from the start up to and including stream sequence `end`. */
  private async scan(
    opts: { filter_subjects: string[] },
    end: number,
    onAppend: (events: StoredEvent[]) => void,
  ): Promise<void> {
    const consumer = await this.js.consumers.get(EVENTS_STREAM, opts);
    const messages = await consumer.consume({ max_messages: REPLAY_BATCH });
    try {
      for await (const m of messages) {
        onAppend(decodeAppend(m.string(), m.seq));
        if (m.seq >= end) break;
      }
    } finally {
      messages.stop();
    }
  }

  private async unavailableAs<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      await this.connected();
      return await run();
    } catch (err) {
      if (err instanceof EventStoreError || !isUnavailable(err)) throw err;
      throw new StoreUnavailableError(`${operation}: NATS at ${this.url} did not answer: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError(`event store for NATS at ${this.url} is closed`);
  }
}

/** The fence's check, at the head of a fenced batch: nothing written on the fence's subject since the writer's term began. */
function fenceMessage(guard: AppendGuard): BatchMessage {
  return { subject: FENCE_SUBJECT, body: '', head: 0, expect: { sequence: guard.unchangedSince, subject: guard.subject }, ttl: FENCE_MESSAGE_TTL };
}

const NO_EVENTS: readonly StoredEvent[] = [];

/** A message of BERTH_EVENTS as events: the fence's messages hold none. */
function eventsOf(m: { readonly subject: string; readonly seq: number; string(): string }): readonly StoredEvent[] {
  return isEventSubject(m.subject) ? decodeAppend(m.string(), m.seq) : NO_EVENTS;
}

/** Creates BERTH_EVENTS, or brings an existing one to this configuration. */
async function ensureEventsStream(jsm: JetStreamManager, duplicateWindowMs: number, replicas: number): Promise<void> {
  const config: Partial<StreamConfig> & { name: string } = {
    name: EVENTS_STREAM,
    subjects: [EVENTS_SUBJECT_WILDCARD, FENCE_SUBJECT],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    // history is never dropped: if limits are ever set, writes fail instead
    discard: DiscardPolicy.New,
    deny_delete: true,
    deny_purge: true,
    allow_rollup_hdrs: false,
    allow_direct: true,
    // atomic batches (nats-server >= 2.12): a command's events across aggregates, all or nothing
    allow_atomic: true,
    // the fence's messages expire (nats-server >= 2.11); deny_delete stops only deletes through the API
    allow_msg_ttl: true,
    duplicate_window: duplicateWindowMs * 1_000_000,
    num_replicas: replicas,
  };
  try {
    await jsm.streams.add(config);
  } catch (err) {
    // 10058: stream name already in use with a different configuration
    if (!(err instanceof JetStreamApiError && err.code === 10058)) throw explainReplicasError(err, EVENTS_STREAM, replicas);
    // replicas are only ever raised, by ensureReplicas
    const { storage: _storage, retention: _retention, num_replicas: _replicas, ...updatable } = config;
    await jsm.streams.update(EVENTS_STREAM, updatable);
  }
}
