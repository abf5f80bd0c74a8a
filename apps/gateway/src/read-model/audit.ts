import { ErrorCode } from '@berth/contracts';
import {
  deploymentDecider,
  deploymentGroupDecider,
  evolveTotally,
  hostDecider,
  jobDecider,
  type Decider,
  type DeploymentGroupState,
  type DeploymentState,
  type DomainEvent,
  type EventCatalog,
  type HostState,
  type JobState,
} from '@berth/domain';
import { toDomainEvent } from '@berth/event-store';
import { gatewayError } from '../errors/error-mapping';
import { paginate, type Page } from './cursor';
import { instant, type EventFilter, type EventLog, type LoggedEvent } from './event-log';
import { BerthQueries, EVENT_CATALOGS, STATUS_AGGREGATES, deploymentRow, replayProjection, statusOf, type DeploymentRow, type StatusFilter, type StatusRows } from '@berth/read-model';
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
  /** fold the stream up to the first event decided after this ISO instant */
  readonly time?: string;
}

export interface StateAsOf<S> {
  readonly state: S;
  /** the aggregate's version at that point (0: it did not exist yet) */
  readonly version: number;
  /** stream sequence of the last event folded in (0: none) */
  readonly sequence: number;
}

/**
 * The stream sequence an as-of question folds up to: `sequence`, or for
 * `time` the stream up to the first event decided after it (see
 * EventLog.sequenceAsOf), or the earlier of both; never past the log's end.
 * INVALID_REQUEST without either, or with a time that is not ISO-8601 (named
 * `time`, the argument the caller gave).
 */
export function asOfSequence(log: EventLog, asOf: AsOf): number {
  // GraphQL passes null for an argument given as a null variable: as not given
  const given = asOf.sequence ?? undefined;
  if (given === undefined && (asOf.time ?? undefined) === undefined) throw gatewayError(ErrorCode.INVALID_REQUEST, 'give a sequence or a time', {});
  const time = instant('time', asOf.time ?? undefined);
  const bounds = [log.lastSequence, ...(given === undefined ? [] : [given]), ...(time === undefined ? [] : [log.sequenceAsOf(time)])];
  return Math.min(...bounds);
}

/** An aggregate's state rebuilt by folding its events up to a sequence and/or a time, with its decider; an event it cannot apply is skipped, as the read model does. */
export async function aggregateAsOf<S>(log: EventLog, decider: Decider<unknown, DomainEvent, S>, aggregate: string, id: string, asOf: AsOf): Promise<StateAsOf<S>> {
  const events = await log.events(log.matching({ aggregate, aggregateId: id, toSequence: asOfSequence(log, asOf) }));
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

export interface DeploymentsAsOf extends StatusRows {
  /** the stream sequence the answer reflects: every event up to it is folded in, none after */
  readonly sequence: number;
}

/**
 * What ran where at a sequence or time: jobs, hosts and deployments (goals,
 * last reported task states) replayed from the events up to that point into a
 * fresh projection, the live one's deciders and rows, so the answer is what
 * the live queries (and `berth status`) gave when the read model stood there.
 * Which events is decided before the first await.
 */
export async function deploymentsAsOf(log: EventLog, asOf: AsOf, filter: StatusFilter = {}): Promise<DeploymentsAsOf> {
  const sequence = asOfSequence(log, asOf);
  const positions = STATUS_AGGREGATES.flatMap((aggregate) => log.matching({ aggregate, toSequence: sequence })).sort((a, b) => a - b);
  const projection = replayProjection(await log.events(positions));
  return { sequence, ...statusOf(projection, filter) };
}

/** The deployments of `jobId` at a sequence or time (goals and task states), host by host as the live `job` query lists them. */
export async function jobDeploymentsAsOf(log: EventLog, jobId: string, asOf: AsOf): Promise<DeploymentRow[]> {
  const positions = log.matching({ aggregate: Aggregate.DEPLOYMENT, toSequence: asOfSequence(log, asOf) });
  return new BerthQueries(replayProjection(await log.events(positions))).deploymentsOfJob(jobId);
}

/** The host's deployments at a sequence or time (goals and task states). */
export async function hostDeploymentsAsOf(log: EventLog, host: string, asOf: AsOf): Promise<DeploymentRow[]> {
  const { state } = await aggregateAsOf(log, deploymentDecider as Decider<unknown, DomainEvent, DeploymentState>, Aggregate.DEPLOYMENT, host, asOf);
  return Object.values(state.deployments).map((d) => deploymentRow(host, d));
}
