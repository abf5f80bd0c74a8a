import { ErrorCode, type ApiRole, type StoredEvent } from '@berth/contracts';
import type { JobHistoryEntry } from '@berth/domain';
import type { EventStore, Subscription } from '@berth/event-store';
import { Aggregate, BerthView, JobHistoryIndex, createBerthProjection, type BerthProjection } from '@berth/read-model';
import type { ApiTokenEntry } from '../auth/api-tokens';
import { gatewayError } from '../errors/error-mapping';
import { EventLog, type LoggedEvent } from './event-log';
import { RolloutBatchIndex } from './rollout-batch-index';

export { Aggregate };

export interface ApiTokenRow {
  readonly subject: string;
  readonly role: ApiRole;
  readonly createdAt: string;
  readonly revoked: boolean;
  readonly revokedAt?: string;
}

export type { LoggedEvent };

export type EventListener = (event: LoggedEvent) => void;

const ENVELOPE_TEXT = ['id', 'type', 'aggregate', 'aggregateId', 'time', 'actor', 'correlationId', 'causationId'] as const;

/** `stored` itself, or (an envelope from a bug, an old version or a hand edit) a copy with every text field a string, for the audit log's indexes. */
function loggable(stored: StoredEvent, lastSequence: number): StoredEvent {
  if (ENVELOPE_TEXT.every((key) => typeof stored[key] === 'string') && Number.isInteger(stored.sequence)) return stored;
  const text = Object.fromEntries(ENVELOPE_TEXT.map((key) => [key, typeof stored[key] === 'string' ? stored[key] : String(stored[key] ?? '')]));
  return { ...stored, ...text, sequence: Number.isInteger(stored.sequence) ? stored.sequence : lastSequence };
}

/**
 * The gateway's read side: ONE subscription to BERTH_EVENTS per process,
 * folded into an AggregateProjection (the domain deciders), a job-history
 * index and the audit log (bounded in memory: see EventLog), then fanned out
 * to every listener (GraphQL subscriptions) in stream order.
 */
export class GatewayReadModel {
  readonly projection: BerthProjection = createBerthProjection();
  readonly log: EventLog;
  private readonly jobHistory = new JobHistoryIndex();
  readonly rolloutBatches = new RolloutBatchIndex();
  private readonly listeners = new Set<EventListener>();
  private subscription: Subscription | undefined;
  private caughtUpFlag = false;

  get sequence(): number {
    return this.projection.sequence;
  }

  get caughtUp(): boolean {
    return this.caughtUpFlag;
  }

  /** `memoryEvents`: how many of the newest events the audit log keeps whole in memory. */
  constructor(options: { readonly memoryEvents?: number } = {}) {
    this.log = new EventLog(options.memoryEvents);
    // as listeners of the projection they see only what it applied, and one that throws is an anomaly, not a stop
    this.projection.onEvent((event) => this.jobHistory.apply(event));
    this.projection.onEvent((event) => this.rolloutBatches.apply(event));
  }

  /** Follows the store from the beginning; resolves once history is folded in. */
  async follow(store: EventStore): Promise<void> {
    this.log.readFrom(store);
    this.subscription = store.subscribe(1, (event) => this.apply(event));
    await this.subscription.caughtUp;
    this.caughtUpFlag = true;
  }

  async stop(): Promise<void> {
    this.caughtUpFlag = false;
    await this.subscription?.stop();
    this.listeners.clear();
  }

  /** Never throws: what the projection cannot apply is an anomaly (see `projection.anomalies()`). */
  apply(stored: StoredEvent): void {
    const logged = this.log.append(loggable(stored, this.projection.sequence));
    // the projection judges the event as stored (a broken envelope is an anomaly); the log and listeners get it made safe to index
    const event: LoggedEvent = logged === stored ? logged : { ...stored, position: logged.position };
    this.projection.apply(event);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // one broken subscriber must not stop the read model
      }
    }
  }

  /**
   * Calls `listener` for every event applied from now on. Register it and read
   * the current state in the same synchronous block: nothing is applied in
   * between, so the subscriber sees no gap and no duplicate.
   */
  listen(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Position of the last event in the log (0 when empty). */
  get position(): number {
    return this.log.length;
  }

  /** Resolves once the read model reflects `sequence` (read-your-writes); UNAVAILABLE after `timeoutMs`. */
  async waitFor(sequence: number | undefined, timeoutMs: number): Promise<void> {
    if (sequence === undefined || sequence <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(gatewayError(ErrorCode.UNAVAILABLE, `the read model has not reached sequence ${sequence} within ${timeoutMs} ms`, { sequence, reached: this.sequence })),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.projection.waitFor(sequence), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** API tokens created by an admin, live or revoked (never their hashes). */
  apiTokens(): ApiTokenRow[] {
    return new BerthView(this.projection).apiTokens().map((t) => ({
      subject: t.subject,
      role: t.role,
      createdAt: t.createdAt,
      revoked: t.kind === 'revoked',
      ...(t.kind === 'revoked' ? { revokedAt: t.revokedAt } : {}),
    }));
  }

  /** The live (not revoked) admin-created tokens, with their hashes: what authentication accepts besides the tokens file. */
  liveApiTokens(): ApiTokenEntry[] {
    return new BerthView(this.projection)
      .apiTokens()
      .flatMap((t) => (t.kind === 'token' ? [{ subject: t.subject, role: t.role, tokenSha256: t.tokenSha256 }] : []));
  }

  history(jobId: string): readonly JobHistoryEntry[] {
    return this.jobHistory.history(jobId);
  }
}
