import { foldEvents, type Decider, type DomainEvent } from '@berth/domain';
import type { EventStore } from './event-store';
import { isConcurrencyError } from './errors';
import { toDomainEvent, toNewEvent, type EventMetadata } from './event-mapping';

/** An aggregate's state and the version it reflects. */
export interface AggregateView<S> {
  readonly state: S;
  readonly version: number;
}

export interface DecideAndAppendInput<C, E extends DomainEvent, S> {
  readonly store: EventStore;
  readonly aggregate: string;
  readonly aggregateId: string;
  readonly decider: Decider<C, E, S>;
  /** builds the command; called again on each retry (e.g. to re-check other aggregates) */
  readonly command: (view: AggregateView<S>) => C;
  readonly meta: EventMetadata;
  readonly newId: () => string;
  /** the caller's cached view (a projection); the store is read when absent or stale */
  readonly load?: () => AggregateView<S>;
  readonly maxAttempts?: number;
}

export interface DecideAndAppendResult<E> {
  readonly events: readonly E[];
  /** stream sequence of the append; undefined when the command produced no events */
  readonly sequence: number | undefined;
  readonly version: number;
}

/**
 * Load → decide → append with the aggregate's version. A concurrent writer
 * makes the append fail on optimistic concurrency; then the aggregate is
 * re-read from the store and the command re-decided on fresh state, so two
 * racing commands never both pass a rule that only one of them may.
 * DomainErrors from `decide` propagate unchanged and nothing is written.
 */
export async function decideAndAppend<C, E extends DomainEvent, S>(
  input: DecideAndAppendInput<C, E, S>,
): Promise<DecideAndAppendResult<E>> {
  const maxAttempts = input.maxAttempts ?? 5;
  let view: AggregateView<S> = input.load ? input.load() : await readView(input);
  for (let attempt = 1; ; attempt++) {
    const events = input.decider.decide(input.command(view), view.state);
    if (events.length === 0) return { events, sequence: undefined, version: view.version };
    try {
      const envelopes = events.map((e) => toNewEvent(e, input.meta, input.newId));
      const result = await input.store.append(input.aggregate, input.aggregateId, view.version, envelopes);
      return { events, sequence: result.lastSequence, version: result.version };
    } catch (err) {
      if (!isConcurrencyError(err) || attempt >= maxAttempts) throw err;
      view = await readView(input);
    }
  }
}

async function readView<C, E extends DomainEvent, S>(input: DecideAndAppendInput<C, E, S>): Promise<AggregateView<S>> {
  const stored = await input.store.read(input.aggregate, input.aggregateId);
  const state = foldEvents(input.decider, stored.map((s) => toDomainEvent<E>(s)));
  return { state, version: stored.length === 0 ? 0 : (stored[stored.length - 1]?.version ?? 0) };
}
