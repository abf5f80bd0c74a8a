import { randomUUID } from 'node:crypto';
import { eventScopeWildcard, eventSubject, pairId, type CommandRequest } from '@berth/contracts';
import { foldEvents, ruleMarkers, type Decider, type DomainEvent, type RuleMarker } from '@berth/domain';
import {
  GuardConflictError,
  isConcurrencyError,
  toDomainEvent,
  toNewEvent,
  type AggregateAppend,
  type AggregateView,
  type EventMetadata,
  type EventStore,
  type ExpectedVersion,
} from '@berth/event-store';
import type { BerthProjection } from '@berth/read-model';
import { AggregateLocks } from './aggregate-locks';

export interface ExecuteResult<E> {
  readonly events: readonly E[];
  /** stream sequence the caller may wait for (the projection's own when nothing changed) */
  readonly sequence: number;
}

/** Who asked, for the events' metadata; service-internal commands use the scheduler itself. */
export interface Origin {
  readonly actor: string;
  readonly correlationId?: string;
}

export const SCHEDULER_ACTOR = 'scheduler';

/** What a command decided for one aggregate: its events, and the version they were decided on. */
export interface Decision<E extends DomainEvent = DomainEvent> {
  readonly aggregate: string;
  readonly aggregateId: string;
  readonly expectedVersion: ExpectedVersion;
  readonly events: readonly E[];
}

/** An aggregate's view to decide on: the projection's, or after a conflict the store's own. */
export type LoadView = <S>(aggregate: string, aggregateId: string, decider: Decider<never, DomainEvent, S>) => Promise<AggregateView<S>>;

export interface DecisionContext {
  /** the decision time, the same on every attempt */
  readonly time: string;
  readonly load: LoadView;
}

export interface AtomicResult {
  readonly decisions: readonly Decision[];
  /** stream sequence the caller may wait for (the projection's own when nothing changed) */
  readonly sequence: number;
}

const MAX_ATTEMPTS = 5;
/** how often a command decided while another of ours wrote its aggregates is decided again under their locks */
const MAX_REDECISIONS = 10;
/** how long a conflicted command waits for the projection to reach the stream's end before re-deciding anyway */
const CATCH_UP_WAIT_MS = 2_000;

/**
 * Runs commands: decide on the projection's views, append everything the
 * command decided — for every aggregate it touches, plus the markers its
 * cross-aggregate rules need (libs/domain rules/cross-aggregate-rules.ts) —
 * as ONE atomic append with an expected version per aggregate, then wait
 * until the projection has folded the new events, so the next command or
 * query sees them. A conflict writes nothing; the command is decided again
 * on fresh state (the store's own views of the aggregates it writes; after a
 * guard's conflict, once the projection has seen what changed), up to
 * MAX_ATTEMPTS times, then CONCURRENCY_CONFLICT.
 * A refused command (DomainError) writes nothing, ever.
 */
export class CommandExecutor {
  /** the aggregates a command writes, held from its (last) decision until the projection shows its append */
  private readonly locks = new AggregateLocks();

  constructor(
    private readonly store: EventStore,
    private readonly projection: BerthProjection,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  now(): string {
    return this.clock().toISOString();
  }

  /** One command against one aggregate (its cross-aggregate markers go in the same atomic append). */
  async execute<C, E extends DomainEvent, S>(
    aggregate: string,
    aggregateId: string,
    decider: Decider<C, E, S>,
    /** builds the command from the aggregate's current view and the decision time */
    command: (view: AggregateView<S>, time: string) => C,
    origin: Origin | CommandRequest,
  ): Promise<ExecuteResult<E>> {
    const { decisions, sequence } = await this.executeAtomic(async ({ time, load }) => {
      const view = await load(aggregate, aggregateId, decider as Decider<never, DomainEvent, S>);
      return [{ aggregate, aggregateId, expectedVersion: view.version, events: decider.decide(command(view, time), view.state) }];
    }, origin);
    return { events: (decisions[0]?.events ?? []) as readonly E[], sequence };
  }

  /** A command whose events touch several aggregates: `decide` returns a decision per aggregate, all appended at once or none. */
  async executeAtomic(decide: (context: DecisionContext) => Promise<readonly Decision[]>, origin: Origin | CommandRequest): Promise<AtomicResult> {
    const commandId = randomUUID();
    const time = this.now();
    const meta: EventMetadata = { actor: origin.actor, correlationId: origin.correlationId ?? commandId, causationId: commandId, time };
    let fresh = false;
    let held: { readonly keys: ReadonlySet<string>; readonly release: () => void } | undefined;
    let redecided = 0;
    try {
      for (let attempt = 1; ; attempt++) {
        // the guards of the rule markers say: nothing they watch changed after what this decision saw
        const seen = this.projection.sequence;
        const decisions = await decide({ time, load: fresh ? (a, id, d) => this.readView(a, id, d) : async (a, id) => this.projection.viewOf(a, id) as never });
        const written = decisions.filter((d) => d.events.length > 0);
        if (written.length === 0) return { decisions, sequence: this.projection.sequence };
        const keys = written.map((d) => lockKey(d.aggregate, d.aggregateId));
        if (held === undefined || !keys.every((k) => held?.keys.has(k))) {
          held?.release();
          held = { keys: new Set(keys), release: await this.locks.acquire(keys) };
          // decided before holding them: another command of ours wrote one since (and the projection shows it), so decide again, now holding them
          const overtaken = !fresh && written.some((d) => d.expectedVersion !== 'any' && this.projection.viewOf(d.aggregate, d.aggregateId).version !== d.expectedVersion);
          if (overtaken && redecided++ < MAX_REDECISIONS) {
            attempt--;
            continue;
          }
        }
        const appends: AggregateAppend[] = written.map((d) => ({
          aggregate: d.aggregate,
          aggregateId: d.aggregateId,
          expectedVersion: d.expectedVersion,
          events: d.events.map((e) => toNewEvent(e, meta, randomUUID)),
        }));
        for (const marker of ruleMarkers(written, time)) appends.push(markerAppend(marker, seen, meta));
        try {
          const results = await this.store.appendAtomic(appends);
          const sequence = Math.max(...results.map((r) => r.lastSequence));
          await this.projection.waitFor(sequence);
          return { decisions, sequence };
        } catch (err) {
          if (!isConcurrencyError(err) || attempt >= MAX_ATTEMPTS) throw err;
          // a stale aggregate of its own is read back from the store on the next attempt; a guard needs
          // the projection to have seen what changed, since the rule behind it is checked there
          if (err instanceof GuardConflictError) await this.catchUp(err.changedAt);
          fresh = true;
        }
      }
    } finally {
      held?.release();
    }
  }

  /** Lets the projection reach `sequence` (bounded: a projection that stopped must not stall commands). */
  private async catchUp(sequence: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const reached = await Promise.race([
      this.projection.waitFor(sequence).then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(this.projection.sequence >= sequence), CATCH_UP_WAIT_MS))),
    ]);
    clearTimeout(timer);
    return reached;
  }

  /**
   * An aggregate as the store has it, after a conflict on it. The decision also
   * reads other aggregates from the projection (is the host registered, does
   * the job exist), so the projection must have seen at least what this read
   * returns: the write that conflicted may have come with others in its atomic
   * batch (a deregistration clears the host's deployments in the same batch),
   * and deciding on the new aggregate beside the old facts would break the rule
   * that batch kept. If the projection does not get there in time, the command
   * is refused (nothing written) rather than decided on stale facts.
   */
  private async readView<S>(aggregate: string, aggregateId: string, decider: Decider<never, DomainEvent, S>): Promise<AggregateView<S>> {
    const stored = await this.store.read(aggregate, aggregateId);
    const last = stored[stored.length - 1]?.sequence ?? 0;
    if (!(await this.catchUp(last))) throw new ProjectionBehindError(`${aggregate} ${JSON.stringify(aggregateId)} changed at sequence ${last}, which this scheduler has not caught up with yet: nothing written, retry`);
    const state = foldEvents(decider, stored.map((s) => toDomainEvent<DomainEvent>(s)));
    return { state, version: stored[stored.length - 1]?.version ?? 0 };
  }
}

/** A re-decision the projection is too far behind for: nothing written; the client retries (CONCURRENCY_CONFLICT). */
class ProjectionBehindError extends Error {
  override readonly name = 'ProjectionBehindError';
  readonly code = 'CONCURRENCY_CONFLICT';
}

function lockKey(aggregate: string, aggregateId: string): string {
  return `${aggregate}\u0000${aggregateId}`;
}

/** A rule marker as an append: 'any' version (what it writes is ordered by the command's other parts), guarded as the rule says. */
function markerAppend(marker: RuleMarker, seen: number, meta: EventMetadata): AggregateAppend {
  const aggregateId = typeof marker.aggregateId === 'string' ? marker.aggregateId : pairId(marker.aggregateId[0], marker.aggregateId[1]);
  const subject = marker.guard.everyPair ? eventScopeWildcard(marker.guard.aggregate, marker.guard.aggregateId) : eventSubject(marker.guard.aggregate, marker.guard.aggregateId);
  return {
    aggregate: marker.aggregate,
    aggregateId,
    expectedVersion: 'any',
    events: marker.events.map((e) => toNewEvent(e, meta, randomUUID)),
    guard: { subject, unchangedSince: seen },
  };
}
