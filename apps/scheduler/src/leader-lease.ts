/*
 * Leader lease: one scheduler writes, the others stand by
 * --------------------------------------------------------
 * The lease is the key `scheduler` in the KV bucket BERTH_LEADER, whose
 * bucket TTL (stream max_age) is the lease time:
 *
 * - acquire: `create(key)`, which the server refuses while the key exists;
 * - renew:   every ttl/3, `update(key, value, revision)`: it succeeds only if
 *            nobody wrote the key since our last write;
 * - lose:    an update refused (someone else holds it), or no successful
 *            renewal for a whole TTL (counted from when the last successful
 *            request was SENT, so we give up before the server lets it go);
 * - release: on a clean stop the leader deletes the key (with its revision),
 *            so a standby takes over at once instead of after the TTL.
 *
 * Standbys watch the key. nats-server 2.10 removes an expired key silently
 * (no delete marker reaches a watcher), so a standby tries `create` when the
 * TTL since the last write it saw has passed, right away when it sees a
 * delete, and otherwise every ttl/4 (bounded polling, in case a watch update
 * was missed across a reconnect).
 *
 * The bucket uses memory storage, so a nats-server restart loses it (and the
 * lease with it). Every acquire attempt therefore first makes sure the bucket
 * exists (creating it again, and watching the new one), and a leader whose
 * renewal fails checks whether the bucket is gone (10059, stream not found):
 * then its lease is gone too, so it steps down at once and contends again
 * like everyone else. A reconnect makes the leader renew (and a standby try)
 * right away instead of at its next tick.
 *
 * `leadership()` says what this process knows of a leader anywhere, for
 * readiness: itself (a lease confirmed since its last (re)connect), another
 * holder (whose write it saw, or whose key refused its `create`, within the
 * TTL), or none for how long.
 *
 * Only the leader serves commands, talks to agents and appends events (see
 * scheduler.ts). A standby's projection keeps following the stream, so taking
 * over costs no rebuild.
 *
 * Why a lease is not the only guard against split brain: a leader paused
 * longer than the TTL (GC, SIGSTOP, a partition) may still believe it leads
 * while a new leader writes. Per-aggregate versions refuse only what conflicts
 * with what the new leader changed, so each term is fenced as well
 * (leader-fence.ts): a new leader first writes its term's marker, and every
 * append of a leader carries, in the same atomic batch, the server-checked
 * condition that no newer marker exists. A resumed old leader's appends are
 * refused (FENCED, nothing written), and it steps down (`stepDown`) at once.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LEADER_BUCKET } from '@berth/contracts';
import type { Logger } from '@berth/service';
import { JetStreamApiCodes, JetStreamApiError, StorageType, jetstream, jetstreamManager, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import { Kvm, type KV, type KvEntry, type KvWatchEntry } from '@nats-io/kv';
import { DEFAULT_REPLICAS, ensureReplicas, explainReplicasError } from '@berth/event-store';
import type { NatsConnection, QueuedIterator, Status } from '@nats-io/transport-node';

export const LEADER_KEY = 'scheduler';

export type Role = 'leader' | 'standby';

/** What this process knows of a leader anywhere. */
export type Leadership =
  | { readonly kind: 'self' }
  | { readonly kind: 'other' }
  | { readonly kind: 'none'; readonly forMs: number; readonly disconnected: boolean };

export interface LeadershipHandlers {
  /** runs when the lease is won; keep it short (well under ttl/3): the lease is not renewed while it runs */
  onAcquired(): Promise<void>;
  /** runs when the lease is lost or released; must stop every leader duty before it returns */
  onLost(reason: string): Promise<void>;
}

export interface LeaderLeaseOptions {
  /** lease time; the bucket's TTL. An existing bucket keeps its own TTL, which then wins. */
  readonly ttlMs: number;
  readonly logger: Logger;
  /** who holds the lease, for operators reading the key */
  readonly holder?: string;
  /** replicas of the bucket (`--replicas`); a bucket with fewer is scaled up. Default 1 */
  readonly replicas?: number;
}

export class LeaderLease {
  private role: Role = 'standby';
  private revision = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private watcher: QueuedIterator<KvWatchEntry> | undefined;
  private connection: (AsyncIterable<Status> & { stop?: () => void }) | undefined;
  private wake: (() => void) | undefined;
  /** contend (or renew) at once instead of after the next sleep: a reconnect, a vanished bucket */
  private hurry = false;
  /** local time at which a standby may expect the current holder's lease to have expired */
  private takeoverAt = 0;
  /** `created` of the bucket stream being watched; another value means the bucket was created again */
  private bucketCreated: string | undefined;
  private connected = true;
  /** leader: our lease is ours at most until then (from when the last successful write was sent) */
  private validUntil = 0;
  /** leader: a create or renewal succeeded since the last disconnect */
  private confirmed = false;
  /** set by stepDown: the loop gives up the leadership at its next step */
  private stepDownReason: string | undefined;
  /** another holder's lease was live, as far as we saw, until then */
  private othersUntil = 0;
  /** until when some leader was known to exist, for "no leader for N s" */
  private leaderUntil: number;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly kvm: Kvm,
    private kv: KV,
    readonly ttlMs: number,
    private readonly holder: string,
    private readonly logger: Logger,
    private readonly replicas: number,
  ) {
    this.leaderUntil = Date.now();
  }

  /** Opens (or creates) the lease bucket. */
  static async open(nc: NatsConnection, options: LeaderLeaseOptions): Promise<LeaderLease> {
    // memory storage: after a server restart the lease is simply contended again
    const replicas = options.replicas ?? DEFAULT_REPLICAS;
    const kv = await new Kvm(jetstream(nc)).create(LEADER_BUCKET, { history: 1, ttl: options.ttlMs, storage: StorageType.Memory, replicas }).catch((err: unknown) => {
      throw explainReplicasError(err, bucketStream(), replicas);
    });
    await ensureReplicas(await jetstreamManager(nc), bucketStream(), replicas);
    const status = await kv.status();
    const ttlMs = status.ttl > 0 ? status.ttl : options.ttlMs;
    if (ttlMs !== options.ttlMs) options.logger.warn({ configured: options.ttlMs, bucket: ttlMs }, 'leader bucket exists with another TTL; using the bucket\'s');
    const holder = options.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    // requests answer within a fraction of the lease or count as failed: one stuck across a
    // reconnect must not hold the next attempt up for the client's default 5 s
    const timeout = Math.max(1_000, ttlMs / 3);
    const jsm = await jetstreamManager(nc, { timeout });
    return new LeaderLease(nc, jsm, new Kvm(jetstream(nc, { timeout })), kv, ttlMs, holder, options.logger, replicas);
  }

  get isLeader(): boolean {
    return this.role === 'leader';
  }

  get currentRole(): Role {
    return this.role;
  }

  get holderId(): string {
    return this.holder;
  }

  /** Is there a leader, as far as this process can tell? (for /readyz and presence) */
  leadership(now = Date.now()): Leadership {
    if (this.role === 'leader' && this.confirmed && now < this.validUntil) return { kind: 'self' };
    if (this.connected && now < this.othersUntil) return { kind: 'other' };
    const since = Math.min(this.leaderUntil, now);
    return { kind: 'none', forMs: now - since, disconnected: !this.connected };
  }

  /** Starts contending; resolves after the first attempt (and onAcquired, if it was won). */
  async start(handlers: LeadershipHandlers): Promise<void> {
    this.followConnection();
    await this.tryAcquire(handlers);
    this.loop = this.run(handlers);
  }

  /**
   * Gives the leadership up now, without releasing the key (it is another's):
   * our writes were fenced, so a newer leader's term has begun. onLost runs
   * from the loop; afterwards this process contends like any standby.
   */
  stepDown(reason: string): void {
    if (this.role !== 'leader' || this.stepDownReason !== undefined) return;
    this.stepDownReason = reason;
    this.nudge();
  }

  /** Stops contending. A leader runs onLost (stopping its duties) and then releases the key. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.nudge();
    this.watcher?.stop();
    this.connection?.stop?.();
    await this.loop;
  }

  private async run(handlers: LeadershipHandlers): Promise<void> {
    while (!this.stopped) {
      if (this.role === 'leader') {
        await this.sleepUnlessHurried(this.ttlMs / 3);
        if (this.stopped) break;
        const reason = this.stepDownReason;
        if (reason !== undefined) {
          this.stepDownReason = undefined;
          await this.lose(handlers, reason);
          continue;
        }
        const sentAt = Date.now();
        const renewed = await this.renew();
        if (renewed === 'ok') {
          this.validUntil = sentAt + this.ttlMs;
          this.confirmed = this.connected;
          this.leaderUntil = Math.max(this.leaderUntil, this.validUntil);
        } else if (renewed === 'vanished') {
          // nobody holds a lease in a bucket that is gone: contend for the new one right away
          this.nudge();
          await this.lose(handlers, 'the lease bucket is gone (nats-server restarted?)');
        } else if (renewed === 'taken' || Date.now() >= this.validUntil - this.ttlMs / 6) {
          await this.lose(handlers, renewed === 'taken' ? 'another scheduler holds the lease' : 'lease could not be renewed in time');
        }
      } else {
        const now = Date.now();
        const wait = this.takeoverAt > now ? Math.min(this.takeoverAt - now, this.ttlMs / 4) : this.ttlMs / 4;
        await this.sleepUnlessHurried(wait);
        if (this.stopped) break;
        await this.tryAcquire(handlers);
      }
    }
    if (this.role === 'leader') {
      await this.lose(handlers, 'stopping');
      // release only after the duties stopped, so the next leader never overlaps with our writes
      await this.kv.delete(LEADER_KEY, { previousSeq: this.revision }).catch((err: unknown) => {
        this.logger.warn({ err }, 'could not release the leader lease; it expires by itself');
      });
    }
  }

  /** One attempt to create the key, in a bucket created again if it is missing. */
  private async tryAcquire(handlers: LeadershipHandlers): Promise<boolean> {
    const sentAt = Date.now();
    try {
      await this.ensureBucket();
      this.revision = await this.kv.create(LEADER_KEY, this.value());
    } catch (err) {
      if (isWrongLastSequence(err)) await this.sawHeldKey(sentAt);
      else this.logger.warn({ err }, 'leader lease: acquire failed');
      return false;
    }
    this.role = 'leader';
    this.validUntil = sentAt + this.ttlMs;
    this.confirmed = this.connected;
    this.leaderUntil = Math.max(this.leaderUntil, this.validUntil);
    this.logger.info({ role: this.role, holder: this.holder, ttlMs: this.ttlMs }, 'leader lease acquired');
    try {
      await handlers.onAcquired();
    } catch (err) {
      this.logger.error({ err }, 'could not take up leader duties; giving the lease up');
      await this.lose(handlers, 'leader duties failed to start');
      await this.kv.delete(LEADER_KEY, { previousSeq: this.revision }).catch(() => undefined);
      return false;
    }
    return true;
  }

  private async renew(): Promise<'ok' | 'taken' | 'vanished' | 'unreachable'> {
    try {
      this.revision = await this.kv.update(LEADER_KEY, this.value(), this.revision, Math.max(100, this.ttlMs / 3));
      return 'ok';
    } catch (err) {
      if (isWrongLastSequence(err)) return 'taken';
      // a put into a stream that is gone fails as "no responders", not with a code: ask the stream
      if (await this.bucketIsGone()) return 'vanished';
      this.logger.warn({ err }, 'leader lease: renewal failed');
      return 'unreachable';
    }
  }

  private async lose(handlers: LeadershipHandlers, reason: string): Promise<void> {
    this.role = 'standby';
    this.confirmed = false;
    this.leaderUntil = Math.min(this.leaderUntil, Date.now());
    this.logger.warn({ role: this.role, holder: this.holder, reason }, 'leader lease lost');
    await handlers.onLost(reason);
  }

  /** The bucket, created again if it is gone (memory storage does not survive a nats-server restart). */
  private async ensureBucket(): Promise<void> {
    let info: StreamInfo;
    try {
      info = await this.jsm.streams.info(bucketStream());
    } catch (err) {
      if (!isStreamNotFound(err)) throw err;
      this.kv = await this.kvm.create(LEADER_BUCKET, { history: 1, ttl: this.ttlMs, storage: StorageType.Memory, replicas: this.replicas });
      this.logger.warn({ bucket: LEADER_BUCKET }, 'leader lease bucket was missing (nats-server restarted?): created it again');
      info = await this.jsm.streams.info(bucketStream());
    }
    if (info.created !== this.bucketCreated) {
      // a watch of the old bucket would resume at its old sequence and miss the new one's writes
      await this.startWatch();
      this.bucketCreated = info.created;
    }
  }

  private async bucketIsGone(): Promise<boolean> {
    try {
      await this.jsm.streams.info(bucketStream());
      return false;
    } catch (err) {
      return isStreamNotFound(err);
    }
  }

  /** Our create was refused: the key exists. Whose is it? (our own, from before a lost renewal, is no leader) */
  private async sawHeldKey(sentAt: number): Promise<void> {
    const entry = await this.kv.get(LEADER_KEY).catch(() => null);
    if (entry === null || holderOf(entry) !== this.holder) this.sawOtherLeader(sentAt);
  }

  private sawOtherLeader(at: number): void {
    this.othersUntil = Math.max(this.othersUntil, at + this.ttlMs);
    this.leaderUntil = Math.max(this.leaderUntil, this.othersUntil);
  }

  private async startWatch(): Promise<void> {
    this.watcher?.stop();
    const watcher = await this.kv.watch({ key: LEADER_KEY });
    this.watcher = watcher;
    void (async () => {
      for await (const entry of watcher) {
        if (entry.operation === 'DEL' || entry.operation === 'PURGE') {
          this.takeoverAt = 0;
          this.othersUntil = 0;
          if (this.role !== 'leader') this.leaderUntil = Math.min(this.leaderUntil, Date.now());
          this.nudge();
        } else {
          this.takeoverAt = Date.now() + this.ttlMs;
          if (holderOf(entry) !== this.holder) this.sawOtherLeader(Date.now());
        }
      }
    })().catch((err: unknown) => this.logger.warn({ err }, 'leader lease watch ended'));
  }

  /**
   * While disconnected we can vouch for no lease, not even our own; after a reconnect the leader
   * renews (and a standby contends) at once: the server may have lost the bucket meanwhile.
   */
  private followConnection(): void {
    const status = this.nc.status() as AsyncIterable<Status> & { stop?: () => void };
    this.connection = status;
    void (async () => {
      for await (const s of status) {
        if (s.type === 'disconnect') {
          this.connected = false;
          this.confirmed = false;
          const now = Date.now();
          this.othersUntil = Math.min(this.othersUntil, now);
          this.leaderUntil = Math.min(this.leaderUntil, now);
        } else if (s.type === 'reconnect') {
          this.connected = true;
          this.nudge();
        }
      }
    })().catch((err: unknown) => this.logger.warn({ err }, 'leader lease: connection status ended'));
  }

  private value(): string {
    return JSON.stringify({ holder: this.holder, renewedAt: new Date().toISOString() });
  }

  private sleepUnlessHurried(ms: number): Promise<void> {
    if (this.hurry) {
      this.hurry = false;
      return Promise.resolve();
    }
    return this.sleep(ms);
  }

  /** A timer the loop can be woken from (a delete seen by the watcher, a reconnect, or stop). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.wake = done;
    });
  }

  /** The loop's next step now: it wakes from its sleep, or skips the next one if it is busy. */
  private nudge(): void {
    if (this.wake) this.wake();
    else this.hurry = true;
  }
}

function bucketStream(): string {
  return `KV_${LEADER_BUCKET}`;
}

function holderOf(entry: KvEntry): string | undefined {
  try {
    return (JSON.parse(entry.string()) as { holder?: string }).holder;
  } catch {
    return undefined;
  }
}

function isStreamNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound;
}

/** The server refused a create/update because the key is not at the revision we expected: someone else wrote it. */
function isWrongLastSequence(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}
