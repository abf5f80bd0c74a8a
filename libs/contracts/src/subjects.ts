import { encodeSubjectToken } from './subject-token';

/** Names of streams, subjects and buckets: declared once, here. */
export const EVENTS_STREAM = 'BERTH_EVENTS';
export const EVENTS_SUBJECT_PREFIX = 'berth.evt';
export const EVENTS_SUBJECT_WILDCARD = `${EVENTS_SUBJECT_PREFIX}.>`;
export const SNAPSHOTS_BUCKET = 'BERTH_SNAPSHOTS';
export const LEADER_BUCKET = 'BERTH_LEADER';

export const COMMAND_SUBJECT_PREFIX = 'berth.cmd';
export const COMMAND_SUBJECT_WILDCARD = `${COMMAND_SUBJECT_PREFIX}.>`;

/** `berth.evt.<aggregate>.<id>`; both tokens are encoded to be subject-safe. */
export function eventSubject(aggregate: string, aggregateId: string): string {
  return `${EVENTS_SUBJECT_PREFIX}.${encodeSubjectToken(aggregate)}.${encodeSubjectToken(aggregateId)}`;
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
