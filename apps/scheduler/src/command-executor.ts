import { randomUUID } from 'node:crypto';
import type { CommandRequest } from '@berth/contracts';
import type { Decider, DomainEvent } from '@berth/domain';
import { decideAndAppend, type AggregateView, type EventStore } from '@berth/event-store';
import type { BerthProjection } from '@berth/read-model';

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

/**
 * Runs one command against one aggregate: decide on the projection's view,
 * append with optimistic concurrency (re-deciding on conflict), then wait
 * until the projection has folded the new events, so the next command or
 * query sees them.
 */
export class CommandExecutor {
  constructor(
    private readonly store: EventStore,
    private readonly projection: BerthProjection,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  now(): string {
    return this.clock().toISOString();
  }

  async execute<C, E extends DomainEvent, S>(
    aggregate: string,
    aggregateId: string,
    decider: Decider<C, E, S>,
    /** builds the command from the aggregate's current view and the decision time */
    command: (view: AggregateView<S>, time: string) => C,
    origin: Origin | CommandRequest,
  ): Promise<ExecuteResult<E>> {
    const commandId = randomUUID();
    const time = this.now();
    const result = await decideAndAppend({
      store: this.store,
      aggregate,
      aggregateId,
      decider,
      command: (view) => command(view, time),
      meta: { actor: origin.actor, correlationId: origin.correlationId ?? commandId, causationId: commandId, time },
      newId: randomUUID,
      load: () => this.projection.viewOf(aggregate, aggregateId) as AggregateView<S>,
    });
    if (result.sequence !== undefined) await this.projection.waitFor(result.sequence);
    return { events: result.events, sequence: result.sequence ?? this.projection.sequence };
  }
}
