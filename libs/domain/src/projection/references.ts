import type { DomainEvent } from '../decider';

/** What the cross-aggregate checks ask of the rest of the projection, as it stands before the event. */
export interface ReferenceLookup {
  jobExists(jobId: string): boolean;
  hostRegistered(host: string): boolean;
  groupExists(name: string): boolean;
  /** hosts `jobId` is deployed on */
  hostsOf(jobId: string): readonly string[];
}

/** The only event types `referenceProblem` looks at (a projection may skip the others cheaply). */
export const REFERENCE_EVENT_TYPES: ReadonlySet<string> = new Set(['JobDeployed', 'JobRemoved', 'RolloutStarted']);

function field(event: DomainEvent, key: string): unknown {
  return (event as DomainEvent & Record<string, unknown>)[key];
}

/**
 * Why `event` refers to something another aggregate says is not there
 * (undefined when its references hold). Such an event is still applied —
 * a JobDeployed of a removed job is kept, and yields no desired task — but
 * it is an anomaly: `decide` checks these references, so only a race (two
 * aggregates are two appends), a bug or a hand edit writes one.
 */
export function referenceProblem(event: DomainEvent, lookup: ReferenceLookup): string | undefined {
  const text = (key: string): string | undefined => {
    const value = field(event, key);
    return typeof value === 'string' ? value : undefined;
  };
  switch (event.type) {
    case 'JobDeployed': {
      const jobId = text('jobId');
      const host = text('host');
      if (jobId !== undefined && !lookup.jobExists(jobId)) return `deployed job ${jobId} is unknown (never created, or removed)`;
      if (host !== undefined && !lookup.hostRegistered(host)) return `job ${jobId ?? ''} deployed on host ${host}, which is not registered`;
      return undefined;
    }
    case 'JobRemoved': {
      const jobId = text('jobId');
      const hosts = jobId === undefined ? [] : lookup.hostsOf(jobId);
      return hosts.length === 0 ? undefined : `removed job ${jobId ?? ''} is still deployed on ${hosts.join(', ')}`;
    }
    case 'RolloutStarted': {
      const group = text('group');
      return group !== undefined && !lookup.groupExists(group) ? `rollout of deployment group ${group}, which does not exist` : undefined;
    }
    default:
      return undefined;
  }
}
