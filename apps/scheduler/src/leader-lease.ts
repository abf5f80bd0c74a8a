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
 * Only the leader serves commands, talks to agents and appends events (see
 * scheduler.ts). A standby's projection keeps following the stream, so taking
 * over costs no rebuild.
 *
 * Why a lease is not the only guard against split brain: a leader paused
 * longer than the TTL (GC, SIGSTOP, a partition) may still believe it leads
 * while a new leader writes. Every append carries the aggregate's expected
 * version (`expect.lastSubjectSequence`), so an append decided on a state the
 * new leader has since changed is refused by JetStream (10071) and re-decided
 * on the fresh state read from the stream: two schedulers can never both
 * apply a decision that only one of them may (see command-executor.spec.ts).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LEADER_BUCKET } from '@berth/contracts';
import type { Logger } from '@berth/service';
import { JetStreamApiCodes, JetStreamApiError, StorageType, jetstream } from '@nats-io/jetstream';
import { Kvm, type KV, type KvWatchEntry } from '@nats-io/kv';
import type { NatsConnection, QueuedIterator } from '@nats-io/transport-node';

export const LEADER_KEY = 'scheduler';

export type Role = 'leader' | 'standby';

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
}

export class LeaderLease {
  private role: Role = 'standby';
  private revision = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private watcher: QueuedIterator<KvWatchEntry> | undefined;
  private wake: (() => void) | undefined;
  /** local time at which a standby may expect the current holder's lease to have expired */
  private takeoverAt = 0;

  private constructor(
    private readonly kv: KV,
    readonly ttlMs: number,
    private readonly holder: string,
    private readonly logger: Logger,
  ) {}

  /** Opens (or creates) the lease bucket. */
  static async open(nc: NatsConnection, options: LeaderLeaseOptions): Promise<LeaderLease> {
    // memory storage: after a server restart the lease is simply contended again
    const kv = await new Kvm(jetstream(nc)).create(LEADER_BUCKET, { history: 1, ttl: options.ttlMs, storage: StorageType.Memory });
    const status = await kv.status();
    const ttlMs = status.ttl > 0 ? status.ttl : options.ttlMs;
    if (ttlMs !== options.ttlMs) options.logger.warn({ configured: options.ttlMs, bucket: ttlMs }, 'leader bucket exists with another TTL; using the bucket\'s');
    const holder = options.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    return new LeaderLease(kv, ttlMs, holder, options.logger);
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

  /** Starts contending; resolves after the first attempt (and onAcquired, if it was won). */
  async start(handlers: LeadershipHandlers): Promise<void> {
    await this.startWatch();
    await this.tryAcquire(handlers);
    this.loop = this.run(handlers);
  }

  /** Stops contending. A leader runs onLost (stopping its duties) and then releases the key. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.watcher?.stop();
    await this.loop;
  }

  private async run(handlers: LeadershipHandlers): Promise<void> {
    let validUntil = Date.now() + this.ttlMs;
    while (!this.stopped) {
      if (this.role === 'leader') {
        await this.sleep(this.ttlMs / 3);
        if (this.stopped) break;
        const sentAt = Date.now();
        const renewed = await this.renew();
        if (renewed === 'ok') {
          validUntil = sentAt + this.ttlMs;
        } else if (renewed === 'taken' || Date.now() >= validUntil - this.ttlMs / 6) {
          await this.lose(handlers, renewed === 'taken' ? 'another scheduler holds the lease' : 'lease could not be renewed in time');
        }
      } else {
        const now = Date.now();
        const wait = this.takeoverAt > now ? Math.min(this.takeoverAt - now, this.ttlMs / 4) : this.ttlMs / 4;
        await this.sleep(wait);
        if (this.stopped) break;
        if (await this.tryAcquire(handlers)) validUntil = Date.now() + this.ttlMs;
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

  /** One attempt to create the key. */
  private async tryAcquire(handlers: LeadershipHandlers): Promise<boolean> {
    try {
      this.revision = await this.kv.create(LEADER_KEY, this.value());
    } catch (err) {
      if (!isWrongLastSequence(err)) this.logger.warn({ err }, 'leader lease: acquire failed');
      return false;
    }
    this.role = 'leader';
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

  private async renew(): Promise<'ok' | 'taken' | 'unreachable'> {
    try {
      this.revision = await this.kv.update(LEADER_KEY, this.value(), this.revision, Math.max(100, this.ttlMs / 3));
      return 'ok';
    } catch (err) {
      if (isWrongLastSequence(err)) return 'taken';
      this.logger.warn({ err }, 'leader lease: renewal failed');
      return 'unreachable';
    }
  }

  private async lose(handlers: LeadershipHandlers, reason: string): Promise<void> {
    this.role = 'standby';
    this.logger.warn({ role: this.role, holder: this.holder, reason }, 'leader lease lost');
    await handlers.onLost(reason);
  }

  private async startWatch(): Promise<void> {
    const watcher = await this.kv.watch({ key: LEADER_KEY });
    this.watcher = watcher;
    void (async () => {
      for await (const entry of watcher) {
        if (entry.operation === 'DEL' || entry.operation === 'PURGE') {
          this.takeoverAt = 0;
          this.wake?.();
        } else {
          this.takeoverAt = Date.now() + this.ttlMs;
        }
      }
    })().catch((err: unknown) => this.logger.warn({ err }, 'leader lease watch ended'));
  }

  private value(): string {
    return JSON.stringify({ holder: this.holder, renewedAt: new Date().toISOString() });
  }

  /** A timer the loop can be woken from (a delete seen by the watcher, or stop). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/** The server refused a create/update because the key is not at the revision we expected: someone else wrote it. */
function isWrongLastSequence(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}
