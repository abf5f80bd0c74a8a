import { HEARTBEAT_SUBJECT_WILDCARD, agentInboxPrefix } from './agent-protocol';
import { API_ROLES, ApiRole, roleAllows } from './api-role';
import { EVENTS_STREAM, EVENTS_SUBJECT_WILDCARD, FENCE_SUBJECT, COMMAND_SUBJECT_WILDCARD, SNAPSHOTS_BUCKET, hostSubjectWildcard, AGENT_SUBJECT_WILDCARD, agentSubject } from './subjects';
import { GATE_SUBJECT_WILDCARD, PipelineCommand } from './pipeline-api';
import { SchedulerCommand } from './scheduler-api';
import { SCHEDULER_PRESENCE_SUBJECT } from './scheduler-presence';
import { decodeSubjectToken, encodeSubjectToken } from './subject-token';

/**
 * Who may do what on the message bus (docs/security.md): ONE declaration,
 * from which the credentials are made (each party's NATS user JWT carries
 * these permissions) and the permission matrix test is generated.
 * Everything not allowed here is denied: NATS refuses it.
 */
export type BusParty =
  | { readonly kind: 'agent'; readonly host: string }
  | { readonly kind: 'scheduler' }
  | { readonly kind: 'gateway' }
  | { readonly kind: 'integration'; readonly name: string; readonly role: ApiRole };

export type BusPartyKind = BusParty['kind'];

export interface BusPermission {
  readonly allow: readonly string[];
  readonly deny?: readonly string[];
}

export interface BusPermissions {
  readonly pub: BusPermission;
  readonly sub: BusPermission;
  /** may answer the requests it receives (one reply to each message's reply subject) */
  readonly allowResponses: boolean;
  /** the client must set this inbox prefix: only it may read replies sent there */
  readonly inboxPrefix: string;
}

/**
 * What each command needs, in the ranking of API tokens (read < deploy < admin),
 * as the gateway's `@Access` guards them: an integration of a role may send
 * the commands of its role and below.
 */
export const COMMAND_ROLES: Readonly<Record<SchedulerCommand | PipelineCommand, ApiRole>> = {
  [SchedulerCommand.LIST_JOBS]: ApiRole.READ,
  [SchedulerCommand.INSPECT_JOB]: ApiRole.READ,
  [SchedulerCommand.LIST_HOSTS]: ApiRole.READ,
  [SchedulerCommand.HOST_STATUS]: ApiRole.READ,
  [SchedulerCommand.JOB_STATUS]: ApiRole.READ,
  [SchedulerCommand.JOB_HISTORY]: ApiRole.READ,
  [SchedulerCommand.ANOMALIES]: ApiRole.READ,
  [SchedulerCommand.LIST_DEPLOYMENT_GROUPS]: ApiRole.READ,
  [SchedulerCommand.INSPECT_DEPLOYMENT_GROUP]: ApiRole.READ,
  [SchedulerCommand.DEPLOYMENT_GROUP_STATUS]: ApiRole.READ,
  [SchedulerCommand.LIST_ROLLOUTS]: ApiRole.READ,
  [SchedulerCommand.INSPECT_ROLLOUT]: ApiRole.READ,
  [PipelineCommand.INSPECT_PIPELINE]: ApiRole.READ,
  [PipelineCommand.LIST_PIPELINES]: ApiRole.READ,
  [PipelineCommand.VALIDATE_PIPELINE]: ApiRole.READ,
  [PipelineCommand.LIST_RELEASES]: ApiRole.READ,
  [PipelineCommand.INSPECT_RELEASE]: ApiRole.READ,
  [PipelineCommand.INSPECT_RELEASE_PLAN]: ApiRole.READ,
  [PipelineCommand.LIST_RELEASE_PLANS]: ApiRole.READ,
  [PipelineCommand.LIST_FREEZES]: ApiRole.READ,

  [SchedulerCommand.CREATE_JOB]: ApiRole.DEPLOY,
  [SchedulerCommand.REMOVE_JOB]: ApiRole.DEPLOY,
  [SchedulerCommand.DEPLOY]: ApiRole.DEPLOY,
  [SchedulerCommand.UNDEPLOY]: ApiRole.DEPLOY,
  [SchedulerCommand.START]: ApiRole.DEPLOY,
  [SchedulerCommand.STOP]: ApiRole.DEPLOY,
  [SchedulerCommand.STOP_DEPLOYMENT_GROUP]: ApiRole.DEPLOY,
  [SchedulerCommand.ROLLING_UPDATE]: ApiRole.DEPLOY,
  [SchedulerCommand.PROMOTE_ROLLOUT]: ApiRole.DEPLOY,
  [SchedulerCommand.PAUSE_ROLLOUT]: ApiRole.DEPLOY,
  [SchedulerCommand.RESUME_ROLLOUT]: ApiRole.DEPLOY,
  [SchedulerCommand.FAIL_ROLLOUT]: ApiRole.DEPLOY,
  [SchedulerCommand.RETRY_ROLLOUT]: ApiRole.DEPLOY,
  [SchedulerCommand.SET_HOST_HEALTH]: ApiRole.DEPLOY,
  [PipelineCommand.MARK_FOR_DEPLOYMENT]: ApiRole.DEPLOY,
  [PipelineCommand.ADVANCE_RELEASE]: ApiRole.DEPLOY,
  [PipelineCommand.ROLLBACK_RELEASE]: ApiRole.DEPLOY,
  [PipelineCommand.ABANDON_RELEASE]: ApiRole.DEPLOY,
  [PipelineCommand.COMPLETE_RELEASE]: ApiRole.DEPLOY,
  [PipelineCommand.SNOOZE_RELEASE]: ApiRole.DEPLOY,
  [PipelineCommand.REPORT_GATE]: ApiRole.DEPLOY,
  [PipelineCommand.START_RELEASE_PLAN]: ApiRole.DEPLOY,
  [PipelineCommand.ABANDON_RELEASE_PLAN]: ApiRole.DEPLOY,

  [SchedulerCommand.REGISTER_HOST]: ApiRole.ADMIN,
  [SchedulerCommand.DEREGISTER_HOST]: ApiRole.ADMIN,
  [SchedulerCommand.CREATE_DEPLOYMENT_GROUP]: ApiRole.ADMIN,
  [SchedulerCommand.REMOVE_DEPLOYMENT_GROUP]: ApiRole.ADMIN,
  [SchedulerCommand.UPDATE_DEPLOYMENT_GROUP]: ApiRole.ADMIN,
  [SchedulerCommand.CREATE_API_TOKEN]: ApiRole.ADMIN,
  [SchedulerCommand.REVOKE_API_TOKEN]: ApiRole.ADMIN,
  [PipelineCommand.SET_PIPELINE]: ApiRole.ADMIN,
  [PipelineCommand.REMOVE_PIPELINE]: ApiRole.ADMIN,
  [PipelineCommand.SET_FREEZE]: ApiRole.ADMIN,
  [PipelineCommand.REMOVE_FREEZE]: ApiRole.ADMIN,
};

/** The commands a role may send (its own and those of the roles below it). */
export function commandsOfRole(role: ApiRole): string[] {
  return Object.entries(COMMAND_ROLES)
    .filter(([, needed]) => roleAllows(role, needed))
    .map(([command]) => command)
    .sort();
}

/**
 * Commands of an identified party: `berth.as.<role>.<identity>.<command>`.
 * Its permissions let a party publish only under its own identity and the
 * roles it holds (its own and those below), so the scheduler takes both from
 * the subject (never from the payload) and refuses a command that needs more
 * than the subject's role.
 * `berth.cmd.<command>` stays for the gateway, which states the API token's
 * subject as the actor.
 */
export const IDENTIFIED_COMMAND_PREFIX = 'berth.as';
export const IDENTIFIED_COMMAND_WILDCARD = `${IDENTIFIED_COMMAND_PREFIX}.*.*.>`;

export function identifiedCommandSubject(role: ApiRole, identity: string, command: string): string {
  return `${IDENTIFIED_COMMAND_PREFIX}.${role}.${encodeSubjectToken(identity)}.${command}`;
}

export interface IdentifiedCommand {
  readonly role: ApiRole;
  readonly identity: string;
  readonly command: string;
}

/** The role, identity and command of an identified command's subject; undefined for any other subject. */
export function parseIdentifiedCommandSubject(subject: string): IdentifiedCommand | undefined {
  if (!subject.startsWith(`${IDENTIFIED_COMMAND_PREFIX}.`)) return undefined;
  const [role, identity, ...command] = subject.slice(IDENTIFIED_COMMAND_PREFIX.length + 1).split('.');
  if (role === undefined || identity === undefined || command.length === 0 || !(API_ROLES as readonly string[]).includes(role)) return undefined;
  try {
    return { role: role as ApiRole, identity: decodeSubjectToken(identity), command: command.join('.') };
  } catch {
    return undefined;
  }
}

/** The actor recorded for an integration's commands: its NATS identity. */
export function integrationActor(identity: string): string {
  return `integration:${identity}`;
}

/** The name in a party's NATS user JWT (and in `berth credentials`). */
export function busIdentityName(party: BusParty): string {
  switch (party.kind) {
    case 'agent':
      return party.host;
    case 'integration':
      return party.name;
    default:
      return party.kind;
  }
}

const EVENTS_JS_READ = [
  '$JS.API.INFO',
  `$JS.API.STREAM.INFO.${EVENTS_STREAM}`,
  `$JS.API.CONSUMER.CREATE.${EVENTS_STREAM}`,
  `$JS.API.CONSUMER.CREATE.${EVENTS_STREAM}.>`,
  `$JS.API.CONSUMER.INFO.${EVENTS_STREAM}.*`,
  `$JS.API.CONSUMER.DELETE.${EVENTS_STREAM}.*`,
  `$JS.API.CONSUMER.MSG.NEXT.${EVENTS_STREAM}.*`,
  `$JS.API.STREAM.MSG.GET.${EVENTS_STREAM}`,
  `$JS.API.DIRECT.GET.${EVENTS_STREAM}`,
  `$JS.API.DIRECT.GET.${EVENTS_STREAM}.>`,
  `$JS.ACK.${EVENTS_STREAM}.>`,
  `$JS.FC.${EVENTS_STREAM}.>`,
];

/** the events stream's leader-term fence: the scheduler writes it */
const LEADER_FENCE_SUBJECT = FENCE_SUBJECT;

/** Nobody but the operator (nats CLI with the system account) deletes or purges a stream or a message. */
const JS_DESTROY = ['$JS.API.STREAM.DELETE.>', '$JS.API.STREAM.PURGE.>', '$JS.API.STREAM.MSG.DELETE.>'];

/** The JetStream API the event store uses to create and update its stream and snapshot bucket, consumers and acks. */
const JS_MANAGE = ['$JS.API.>', '$JS.ACK.>', '$JS.FC.>'];

export const SCHEDULER_INBOX_PREFIX = '_INBOX_SCHEDULER';
export const GATEWAY_INBOX_PREFIX = '_INBOX_GATEWAY';
export const INTEGRATION_INBOX_ROOT = '_INBOX_INTEGRATION';

export function integrationInboxPrefix(name: string): string {
  return `${INTEGRATION_INBOX_ROOT}.${encodeSubjectToken(name)}`;
}

export function busPermissions(party: BusParty): BusPermissions {
  switch (party.kind) {
    case 'agent': {
      const inbox = agentInboxPrefix(party.host);
      return {
        pub: { allow: [agentSubject(party.host, '>')] },
        sub: { allow: [hostSubjectWildcard(party.host), `${inbox}.>`] },
        allowResponses: false,
        inboxPrefix: inbox,
      };
    }
    case 'scheduler':
      return {
        pub: {
          allow: [EVENTS_SUBJECT_WILDCARD, LEADER_FENCE_SUBJECT, 'berth.host.*.>', SCHEDULER_PRESENCE_SUBJECT, ...JS_MANAGE, '$KV.>'],
          deny: JS_DESTROY,
        },
        sub: {
          allow: [COMMAND_SUBJECT_WILDCARD, IDENTIFIED_COMMAND_WILDCARD, AGENT_SUBJECT_WILDCARD, GATE_SUBJECT_WILDCARD, SCHEDULER_PRESENCE_SUBJECT, `${SCHEDULER_INBOX_PREFIX}.>`],
        },
        allowResponses: true,
        inboxPrefix: SCHEDULER_INBOX_PREFIX,
      };
    case 'gateway':
      return {
        pub: {
          allow: [COMMAND_SUBJECT_WILDCARD, SCHEDULER_PRESENCE_SUBJECT, GATE_SUBJECT_WILDCARD, ...JS_MANAGE, `$KV.${SNAPSHOTS_BUCKET}.>`],
          deny: JS_DESTROY,
        },
        // heartbeats, read only: the hosts' load and memory (berth hosts), which are never events
        sub: { allow: [EVENTS_SUBJECT_WILDCARD, HEARTBEAT_SUBJECT_WILDCARD, `${GATEWAY_INBOX_PREFIX}.>`] },
        allowResponses: false,
        inboxPrefix: GATEWAY_INBOX_PREFIX,
      };
    case 'integration': {
      const inbox = integrationInboxPrefix(party.name);
      return {
        pub: {
          // one wildcard per role held, not a subject per command: a user JWT travels in the CONNECT line, which nats-server caps at 4 KB
          allow: [...API_ROLES.filter((r) => roleAllows(party.role, r)).map((r) => identifiedCommandSubject(r, party.name, '>')), SCHEDULER_PRESENCE_SUBJECT, ...EVENTS_JS_READ],
        },
        sub: { allow: [EVENTS_SUBJECT_WILDCARD, `${inbox}.>`] },
        allowResponses: false,
        inboxPrefix: inbox,
      };
    }
  }
}

/**
 * Whether a NATS permission pattern covers a subject (itself possibly with
 * wildcards, as a subscription): `>` covers one or more tokens, `*` one
 * token (a `*` but not a `>` of the subject), a literal only itself.
 */
export function subjectCovered(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const pt = p[i];
    if (pt === '>') return s.length > i;
    const st = s[i];
    if (st === undefined) return false;
    if (pt === '*') {
      if (st === '>') return false;
      continue;
    }
    if (pt !== st) return false;
  }
  return p.length === s.length;
}

/** Whether `permissions` let its party publish (or subscribe to) `subject`: allowed and not denied. */
export function busAllows(permissions: BusPermissions, op: 'pub' | 'sub', subject: string): boolean {
  const rule = permissions[op];
  return rule.allow.some((p) => subjectCovered(p, subject)) && !(rule.deny ?? []).some((p) => subjectCovered(p, subject));
}
