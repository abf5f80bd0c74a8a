import { ErrorCode } from '@berth/contracts';
import {
  deploymentGroupDecider,
  foldEvents,
  hostDecider,
  jobDecider,
  type Decider,
  type DeploymentGroupState,
  type DomainEvent,
  type HostState,
  type JobState,
} from '@berth/domain';
import { toDomainEvent } from '@berth/event-store';
import { gatewayError } from '../errors/error-mapping';
import { paginate, type Page } from './cursor';
import { Aggregate, type LoggedEvent } from './gateway-read-model';

export interface EventFilter {
  readonly aggregate?: string;
  readonly aggregateId?: string;
  readonly fromSequence?: number;
  readonly toSequence?: number;
  /** ISO instants, inclusive */
  readonly fromTime?: string;
  readonly toTime?: string;
  readonly actor?: string;
  readonly type?: string;
  readonly correlationId?: string;
}

function instant(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) throw gatewayError(ErrorCode.INVALID_REQUEST, `${name} is not an ISO-8601 time: ${value}`, { [name]: value });
  return millis;
}

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

/** One page of the audit log, oldest first, paged by log position. */
export function queryEvents(log: readonly LoggedEvent[], filter: EventFilter, first?: number, after?: string): Page<LoggedEvent> {
  return paginate(log.filter(eventMatcher(filter)), (e) => e.position, first, after);
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

/** An aggregate's state rebuilt by folding its events up to a sequence and/or a time, with its decider. */
export function aggregateAsOf<S>(log: readonly LoggedEvent[], decider: Decider<unknown, DomainEvent, S>, aggregate: string, id: string, asOf: AsOf): StateAsOf<S> {
  if (asOf.sequence === undefined && asOf.time === undefined) throw gatewayError(ErrorCode.INVALID_REQUEST, 'give a sequence or a time', {});
  const until = instant('time', asOf.time);
  const events = log.filter(
    (e) =>
      e.aggregate === aggregate &&
      e.aggregateId === id &&
      (asOf.sequence === undefined || e.sequence <= asOf.sequence) &&
      (until === undefined || Date.parse(e.time) <= until),
  );
  const last = events[events.length - 1];
  return { state: foldEvents(decider, events.map((e) => toDomainEvent<DomainEvent>(e))), version: last?.version ?? 0, sequence: last?.sequence ?? 0 };
}

export function jobAsOf(log: readonly LoggedEvent[], jobId: string, asOf: AsOf): StateAsOf<JobState> {
  return aggregateAsOf(log, jobDecider as Decider<unknown, DomainEvent, JobState>, Aggregate.JOB, jobId, asOf);
}

export function hostAsOf(log: readonly LoggedEvent[], host: string, asOf: AsOf): StateAsOf<HostState> {
  return aggregateAsOf(log, hostDecider as Decider<unknown, DomainEvent, HostState>, Aggregate.HOST, host, asOf);
}

export function deploymentGroupAsOf(log: readonly LoggedEvent[], name: string, asOf: AsOf): StateAsOf<DeploymentGroupState> {
  return aggregateAsOf(log, deploymentGroupDecider as Decider<unknown, DomainEvent, DeploymentGroupState>, Aggregate.DEPLOYMENT_GROUP, name, asOf);
}
