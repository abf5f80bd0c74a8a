/** Stable codes of event-store errors; callers match on `code`, never on the message. */
export const EventStoreErrorCode = {
  /** the aggregate is not at the expected version; re-decide on fresh state */
  CONCURRENCY_CONFLICT: 'CONCURRENCY_CONFLICT',
  /** NATS/JetStream unreachable or not answering; an append's outcome is unknown (safe to retry) */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /** the call itself is wrong (no events, duplicate ids in one append, bad version, bad name) */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** the stream holds something this store did not write or cannot decode */
  CORRUPT_EVENT: 'CORRUPT_EVENT',
  /** the writer's fence moved (a newer leader term began): nothing was written; this writer must stop writing */
  FENCED: 'FENCED',
} as const;

export type EventStoreErrorCode = (typeof EventStoreErrorCode)[keyof typeof EventStoreErrorCode];

export abstract class EventStoreError extends Error {
  abstract readonly code: EventStoreErrorCode;
}

export class ConcurrencyError extends EventStoreError {
  override readonly name: string = 'ConcurrencyError';
  readonly code = EventStoreErrorCode.CONCURRENCY_CONFLICT;

  constructor(
    readonly aggregate: string,
    readonly aggregateId: string,
    /** 'any' only when every retry of an unconditional append lost a race */
    readonly expectedVersion: number | 'any',
    /** version found in the store when the conflict was detected */
    readonly actualVersion: number,
    options?: ErrorOptions,
  ) {
    super(
      `${aggregate} ${JSON.stringify(aggregateId)}: expected version ${expectedVersion}, found ${actualVersion}`,
      options,
    );
  }
}

/** A guarded part's condition failed: a message on the guard's subject is newer than the decision saw. */
export class GuardConflictError extends ConcurrencyError {
  override readonly name = 'GuardConflictError';

  constructor(
    aggregate: string,
    aggregateId: string,
    readonly guardSubject: string,
    readonly unchangedSince: number,
    /** stream sequence of the newest message on the guard's subject */
    readonly changedAt: number,
    options?: ErrorOptions,
  ) {
    super(aggregate, aggregateId, 'any', 0, options);
    this.message = `${aggregate} ${JSON.stringify(aggregateId)}: ${guardSubject} changed at sequence ${changedAt}, after the ${unchangedSince} the decision saw`;
  }
}

/** The append's fence failed: something was written on the fence's subject after the writer's term began. Nothing was written. */
export class FencedError extends EventStoreError {
  override readonly name = 'FencedError';
  readonly code = EventStoreErrorCode.FENCED;

  constructor(
    readonly fenceSubject: string,
    readonly unchangedSince: number,
    /** stream sequence of the newest message on the fence's subject */
    readonly changedAt: number,
    options?: ErrorOptions,
  ) {
    super(`fenced: ${fenceSubject} changed at sequence ${changedAt}, after this writer's ${unchangedSince} (a newer writer's term began); nothing was written`, options);
  }
}

export class StoreUnavailableError extends EventStoreError {
  override readonly name = 'StoreUnavailableError';
  readonly code = EventStoreErrorCode.STORE_UNAVAILABLE;
}

export class InvalidArgumentError extends EventStoreError {
  override readonly name = 'InvalidArgumentError';
  readonly code = EventStoreErrorCode.INVALID_ARGUMENT;
}

export class CorruptEventError extends EventStoreError {
  override readonly name = 'CorruptEventError';
  readonly code = EventStoreErrorCode.CORRUPT_EVENT;
}

export function isConcurrencyError(err: unknown): err is ConcurrencyError {
  return err instanceof ConcurrencyError;
}
