import { encodeSubjectToken } from './subject-token';

/** Names of streams, subjects and buckets: declared once, here. */
export const EVENTS_STREAM = 'BERTH_EVENTS';
export const EVENTS_SUBJECT_PREFIX = 'berth.evt';
export const EVENTS_SUBJECT_WILDCARD = `${EVENTS_SUBJECT_PREFIX}.>`;
/**
 * In BERTH_EVENTS beside the events: the leader's fence, one short-lived message
 * at the head of each of its atomic batches (see the event store's `fence`). No
 * event is ever written here; readers of the stream skip it.
 */
export const FENCE_SUBJECT = 'berth.fence';
export const SNAPSHOTS_BUCKET = 'BERTH_SNAPSHOTS';
export const LEADER_BUCKET = 'BERTH_LEADER';

/** Does a message of BERTH_EVENTS on `subject` hold events (and not the fence)? */
export function isEventSubject(subject: string): boolean {
  return subject.startsWith(`${EVENTS_SUBJECT_PREFIX}.`);
}

export const COMMAND_SUBJECT_PREFIX = 'berth.cmd';
export const COMMAND_SUBJECT_WILDCARD = `${COMMAND_SUBJECT_PREFIX}.>`;

/** Joins the two keys of an aggregate keyed by a pair (see pairId). */
export const PAIR_ID_SEPARATOR = '\u001f';

/**
 * The id of an aggregate keyed by a pair (e.g. a job's use on one host): its
 * subject nests, `berth.evt.<aggregate>.<a>.<b>`, so `eventScopeWildcard(aggregate, a)`
 * covers every `b` of one `a`. Ids never hold control characters, so the separator is free.
 */
export function pairId(a: string, b: string): string {
  return `${a}${PAIR_ID_SEPARATOR}${b}`;
}

/** `berth.evt.<aggregate>.<id>`; both tokens are encoded to be subject-safe (a pair id gives two id tokens). */
export function eventSubject(aggregate: string, aggregateId: string): string {
  const id = aggregateId.includes(PAIR_ID_SEPARATOR) ? aggregateId.split(PAIR_ID_SEPARATOR).map(encodeSubjectToken).join('.') : encodeSubjectToken(aggregateId);
  return `${EVENTS_SUBJECT_PREFIX}.${encodeSubjectToken(aggregate)}.${id}`;
}

/** Every aggregate `pairId(a, *)` of one kind: `berth.evt.<aggregate>.<a>.*`. */
export function eventScopeWildcard(aggregate: string, a: string): string {
  return `${EVENTS_SUBJECT_PREFIX}.${encodeSubjectToken(aggregate)}.${encodeSubjectToken(a)}.*`;
}

/** `berth.cmd.<command>` — command names are fixed identifiers, validated here. */
export function commandSubject(command: string): string {
  if (!/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/.test(command)) {
    throw new Error(`invalid command name: ${JSON.stringify(command)}`);
  }
  return `${COMMAND_SUBJECT_PREFIX}.${command}`;
}

/** Subjects the scheduler publishes for host H (desired state). */
export function hostSubject(host: string, topic: string): string {
  return `berth.host.${encodeSubjectToken(host)}.${topic}`;
}

export function hostSubjectWildcard(host: string): string {
  return `berth.host.${encodeSubjectToken(host)}.>`;
}

/** Subjects the agent of host H publishes (register, heartbeat, status). */
export function agentSubject(host: string, topic: string): string {
  return `berth.agent.${encodeSubjectToken(host)}.${topic}`;
}

export const AGENT_SUBJECT_WILDCARD = 'berth.agent.*.>';
