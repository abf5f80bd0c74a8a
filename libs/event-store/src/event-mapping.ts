import type { DomainEvent } from '@berth/domain';
import type { NewEvent, StoredEvent } from '@berth/contracts';

/** Who and why, stamped on every event of one command. */
export interface EventMetadata {
  readonly actor: string;
  readonly correlationId: string;
  /** the command (or event) that caused these events */
  readonly causationId: string;
  /** ISO time of the decision */
  readonly time: string;
}

export const CURRENT_SCHEMA_VERSION = 1;

/**
 * Domain events are `{type, ...fields}`; in the envelope the fields go to
 * `data`. `newId` makes the envelope id (a uuid in production).
 */
export function toNewEvent(event: DomainEvent, meta: EventMetadata, newId: () => string): NewEvent {
  const { type, ...data } = event as DomainEvent & Record<string, unknown>;
  return {
    id: newId(),
    type,
    schemaVersion: CURRENT_SCHEMA_VERSION,
    time: meta.time,
    actor: meta.actor,
    correlationId: meta.correlationId,
    causationId: meta.causationId,
    data,
  };
}

/** The inverse of `toNewEvent`, for folding stored events with a decider. */
export function toDomainEvent<E extends DomainEvent>(stored: StoredEvent): E {
  return { ...(stored.data as object), type: stored.type } as E;
}
