import { ErrorCode } from '@berth/contracts';
import {
  deploymentGroupDecider,
  evolveTotally,
  hostDecider,
  jobDecider,
  type Decider,
  type DeploymentGroupState,
  type DomainEvent,
  type EventCatalog,
  type HostState,
  type JobState,
} from '@berth/domain';
import { toDomainEvent } from '@berth/event-store';
import { gatewayError } from '../errors/error-mapping';
import { paginate, type Page } from './cursor';
import { instant, type EventFilter, type EventLog, type LoggedEvent } from './event-log';
import { EVENT_CATALOGS } from '@berth/read-model';
import { Aggregate } from './gateway-read-model';

export type { EventFilter };

/** A predicate for `filter`; times are checked once, here. */
export function eventMatcher(filter: EventFilter): (e: LoggedEvent) => boolean {
  const from = instant('fromTime', filter.fromTime);
  const to = instant('toTime', filter.toTime);
  return (e) =>
    (filter.aggregate === undefined || e.aggregate === filter.aggregate) &&
    (filter.aggregateId === undefined || e.aggregateId === filter.aggregateId) &&
    (filter.fromSequence === undefined || e.sequence >= filter.fromSequence) &&
    (filter.toSequence === undefined || e.sequence <= filter.toSequence) &&
    (filter.actor === undefined || e.actor === filter.actor) &&
    (filter.type === undefined || e.type === filter.type) &&
    (filter.correlationId === undefined || e.correlationId === filter.correlationId) &&
    (from === undefined || Date.parse(e.time) >= from) &&
    (to === undefined || Date.parse(e.time) <= to);
}

/**
 * One page of the audit log, oldest first, paged by log position. Which
 * events match is decided before the first await, so the page reflects the
 * log as it was at the call.
 */
export async function queryEvents(log: EventLog, filter: EventFilter, first?: number, after?: string | null): Promise<Page<LoggedEvent>> {
  // one command's events: few, read whole to check the id itself (the log keeps only its hash)
  if (filter.correlationId !== undefined) return paginate(await log.select(filter), (e) => e.position, first, after);
  const page = paginate(log.matching(filter), (position) => position, first, after);
  return { ...page, items: await log.events(page.items) };
}

export interface AsOf {
  /** fold events with stream sequence ≤ this */
  readonly sequence?: number;
  /** fold events decided at or before this ISO instant */
  readonly time?: string;
}

export interface StateAsOf<S> {
  readonly state: S;
  /** the aggregate's version at that point (0: it did not exist yet) */
  readonly version: number;
  /** stream sequence of the last event folded in (0: none) */
  readonly sequence: number;
}

/** An aggregate's state rebuilt by folding its events up to a sequence and/or a time, with its decider; an event it cannot apply is skipped, as the read model does. */
export async function aggregateAsOf<S>(log: EventLog, decider: Decider<unknown, DomainEvent, S>, aggregate: string, id: string, asOf: AsOf): Promise<StateAsOf<S>> {
  if (asOf.sequence === undefined && asOf.time === undefined) throw gatewayError(ErrorCode.INVALID_REQUEST, 'give a sequence or a time', {});
  // checked here so that a bad time is named `time`, the argument the caller gave (matching would call it toTime)
  instant('time', asOf.time);
  const events = await log.events(log.matching({ aggregate, aggregateId: id, toSequence: asOf.sequence, toTime: asOf.time }));
  const last = events[events.length - 1];
  const catalog = EVENT_CATALOGS[aggregate as keyof typeof EVENT_CATALOGS] as unknown as EventCatalog<DomainEvent, S>;
  const state = events.reduce((current, e) => evolveTotally(decider.evolve, catalog, current, toDomainEvent<DomainEvent>(e), e.aggregateId).state, decider.initialState);
  return { state, version: last?.version ?? 0, sequence: last?.sequence ?? 0 };
}

export function jobAsOf(log: EventLog, jobId: string, asOf: AsOf): Promise<StateAsOf<JobState>> {
  return aggregateAsOf(log, jobDecider as Decider<unknown, DomainEvent, JobState>, Aggregate.JOB, jobId, asOf);
}

export function hostAsOf(log: EventLog, host: string, asOf: AsOf): Promise<StateAsOf<HostState>> {
  return aggregateAsOf(log, hostDecider as Decider<unknown, DomainEvent, HostState>, Aggregate.HOST, host, asOf);
}

export function deploymentGroupAsOf(log: EventLog, name: string, asOf: AsOf): Promise<StateAsOf<DeploymentGroupState>> {
  return aggregateAsOf(log, deploymentGroupDecider as Decider<unknown, DomainEvent, DeploymentGroupState>, Aggregate.DEPLOYMENT_GROUP, name, asOf);
}
