/**
 * Every event in BERTH_EVENTS travels in this envelope. `id` doubles as the
 * JetStream `Nats-Msg-Id`, so a retried append is deduplicated by the server.
 */
export interface EventEnvelope<TData = unknown, TType extends string = string> {
  /** uuid; also the Nats-Msg-Id header */
  readonly id: string;
  readonly type: TType;
  readonly schemaVersion: number;
  /** aggregate kind: job, host, deployment, deployment-group, rollout, … */
  readonly aggregate: string;
  readonly aggregateId: string;
  /** ISO-8601 time the event was decided */
  readonly time: string;
  /** who caused it: a user, a token name, or a service (scheduler, agent:<host>) */
  readonly actor: string;
  readonly correlationId: string;
  /** id of the command or event that caused this one */
  readonly causationId: string;
  readonly data: TData;
}

/** An envelope as read back from the store, with its position in the stream. */
export interface StoredEvent<TData = unknown, TType extends string = string> extends EventEnvelope<TData, TType> {
  /** global stream sequence (1-based) */
  readonly sequence: number;
  /** 1-based position of this event within its aggregate */
  readonly version: number;
}

/** What a writer supplies; the store does not invent ids or times. */
export type NewEvent<TData = unknown, TType extends string = string> = Omit<
  EventEnvelope<TData, TType>,
  'aggregate' | 'aggregateId'
>;
