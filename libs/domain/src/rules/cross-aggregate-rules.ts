import type { DomainEvent } from '../decider';

/*
 * Rules that span aggregates, enforced by the append itself
 * ----------------------------------------------------------
 * A command decides on the projection as of one stream sequence and writes all
 * its events in one atomic append, each aggregate with its own expected version.
 * A rule over an aggregate the command does NOT write (deploy: "the job still
 * exists"; remove-job: "no host took the job into use") cannot ride on that
 * version check, so the command also writes a small marker event whose append
 * carries a guard: "nothing on that aggregate (or that family of aggregates)
 * changed since the sequence my decision saw". The server checks the guard in
 * the same atomic batch, so of two racing commands at most one is stored.
 *
 * Rules enforced so (docs/nats-api.md lists every rule and how it holds):
 * - deploy vs remove-job: every JobDeployed of job X on host H writes
 *   JobUseRecorded on job-use (X, H), guarded on job X; every JobRemoved of X
 *   writes JobUseClosed on job-use X, guarded on every job-use (X, *).
 * - one release in progress per service: every ReleaseStarted of service S
 *   writes ReleaseStartRecorded on release-start S, guarded on release-start S.
 * - a job is deployed on behalf of a group only by the group's current
 *   rollout: every JobDeployed for group G writes GroupUseRecorded on
 *   group-use (G, H), guarded on group G, so a rollout superseded, stopped or
 *   removed after its decision deploys nothing; and every rollout start of G
 *   writes GroupRolloutRecorded on group-use G, guarded on every group-use
 *   (G, *), so a rollout never starts from a snapshot of the group's hosts that
 *   misses a deploy on the group's behalf.
 * The others hold by the expected versions of aggregates the command writes
 * (a rollout and its group in one append; a host's deregistration and its
 * deployments in one append).
 */

/**
 * Aggregates that exist only to carry markers; projections keep no state for them.
 * Besides the rules' markers above: `leader-term`, where each scheduler that takes
 * the lease writes LeaderTermStarted before it writes anything else. Every later
 * append of that leader is fenced on it (the event store's `fence`), so a leader
 * paused past its lease writes nothing once the next leader's term has begun.
 */
export const MarkerAggregate = { JOB_USE: 'job-use', GROUP_USE: 'group-use', RELEASE_START: 'release-start', LEADER_TERM: 'leader-term' } as const;
export type MarkerAggregate = (typeof MarkerAggregate)[keyof typeof MarkerAggregate];

const MARKER_AGGREGATES: ReadonlySet<string> = new Set(Object.values(MarkerAggregate));

export function isMarkerAggregate(aggregate: string): aggregate is MarkerAggregate {
  return MARKER_AGGREGATES.has(aggregate);
}

/** The one leader-term aggregate: every term's marker goes there, so the newest is the term in force. */
export const LEADER_TERM_ID = 'scheduler';

export interface LeaderTermStarted extends DomainEvent<'LeaderTermStarted'> {
  /** the lease holder that began the term (host:pid:random, as in the lease) */
  readonly holder: string;
  readonly time: string;
}

export interface JobUseRecorded extends DomainEvent<'JobUseRecorded'> {
  readonly jobId: string;
  readonly host: string;
  readonly time: string;
}

export interface JobUseClosed extends DomainEvent<'JobUseClosed'> {
  readonly jobId: string;
  readonly time: string;
}

export interface GroupUseRecorded extends DomainEvent<'GroupUseRecorded'> {
  readonly group: string;
  readonly host: string;
  readonly jobId: string;
  readonly time: string;
}

export interface GroupRolloutRecorded extends DomainEvent<'GroupRolloutRecorded'> {
  readonly group: string;
  readonly rolloutId: string;
  readonly time: string;
}

export interface ReleaseStartRecorded extends DomainEvent<'ReleaseStartRecorded'> {
  readonly service: string;
  readonly releaseId: string;
  readonly time: string;
}

export type MarkerEvent = JobUseRecorded | JobUseClosed | GroupUseRecorded | GroupRolloutRecorded | ReleaseStartRecorded;

/** The aggregate a command's events went to. */
export interface DecidedEvents {
  readonly aggregate: string;
  readonly aggregateId: string;
  readonly events: readonly DomainEvent[];
}

/** Which aggregate the guard watches: one, or with `everyPair` every pair (aggregateId, *) of the kind. */
export interface RuleGuard {
  readonly aggregate: string;
  readonly aggregateId: string;
  readonly everyPair?: boolean;
}

/** A marker to append with the command's events: on `aggregate` (a pair id as [a, b]), guarded by `guard`. */
export interface RuleMarker {
  readonly aggregate: MarkerAggregate;
  readonly aggregateId: string | readonly [string, string];
  readonly events: readonly MarkerEvent[];
  readonly guard: RuleGuard;
}

type Fields = Record<string, unknown>;
const text = (event: DomainEvent, field: string): string | undefined => {
  const value = (event as unknown as Fields)[field];
  return typeof value === 'string' ? value : undefined;
};

/** The markers a command's events need for the rules above (none for most commands). */
export function ruleMarkers(decided: readonly DecidedEvents[], time: string): RuleMarker[] {
  const markers: RuleMarker[] = [];
  for (const { events } of decided) {
    for (const event of events) {
      const jobId = text(event, 'jobId');
      const group = text(event, 'deploymentGroupName');
      if (event.type === 'JobDeployed' && jobId !== undefined && group !== undefined) {
        const host = text(event, 'host') ?? '';
        markers.push({
          aggregate: MarkerAggregate.GROUP_USE,
          aggregateId: [group, host],
          events: [{ type: 'GroupUseRecorded', group, host, jobId, time }],
          guard: { aggregate: 'deployment-group', aggregateId: group },
        });
      }
      if (event.type === 'JobDeployed' && jobId !== undefined) {
        const host = text(event, 'host') ?? '';
        markers.push({
          aggregate: MarkerAggregate.JOB_USE,
          aggregateId: [jobId, host],
          events: [{ type: 'JobUseRecorded', jobId, host, time }],
          guard: { aggregate: 'job', aggregateId: jobId },
        });
      } else if (event.type === 'JobRemoved' && jobId !== undefined) {
        markers.push({
          aggregate: MarkerAggregate.JOB_USE,
          aggregateId: jobId,
          events: [{ type: 'JobUseClosed', jobId, time }],
          guard: { aggregate: MarkerAggregate.JOB_USE, aggregateId: jobId, everyPair: true },
        });
      } else if (event.type === 'DeploymentGroupRolloutStarted') {
        const name = text(event, 'name');
        const rolloutId = text(event, 'rolloutId');
        if (name === undefined || rolloutId === undefined) continue;
        markers.push({
          aggregate: MarkerAggregate.GROUP_USE,
          aggregateId: name,
          events: [{ type: 'GroupRolloutRecorded', group: name, rolloutId, time }],
          guard: { aggregate: MarkerAggregate.GROUP_USE, aggregateId: name, everyPair: true },
        });
      } else if (event.type === 'ReleaseStarted') {
        const service = text(event, 'service');
        const releaseId = text(event, 'releaseId');
        if (service === undefined || releaseId === undefined) continue;
        markers.push({
          aggregate: MarkerAggregate.RELEASE_START,
          aggregateId: service,
          events: [{ type: 'ReleaseStartRecorded', service, releaseId, time }],
          guard: { aggregate: MarkerAggregate.RELEASE_START, aggregateId: service },
        });
      }
    }
  }
  return markers;
}
