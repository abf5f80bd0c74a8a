import type { StoredEvent } from '@berth/contracts';

/*
 * The history checker of the fault suite: what a test saw acknowledged, held
 * against what the stream holds afterwards. It decides nothing from timing;
 * every verdict is about events.
 */

/** A command the test sent and the scheduler acknowledged (ok, with the stream sequence of its change). */
export interface AcknowledgedCommand {
  readonly correlationId: string;
  /** the event type the command writes exactly once (e.g. JobCreated for create-job) */
  readonly eventType: string;
  readonly sequence: number;
}

export interface HistoryReport {
  /** acknowledged commands checked */
  readonly acknowledged: number;
  /** acknowledged commands whose event is not in the stream */
  readonly lost: readonly string[];
  /** commands (acknowledged or not) whose event is in the stream more than once, and events stored twice (same id) */
  readonly duplicated: readonly string[];
  /** broken orders and invariants, each said in a sentence */
  readonly violations: readonly string[];
}

interface RolloutFacts {
  readonly jobId: string;
  readonly parallelism: number;
  readonly inFlight: Set<string>;
  readonly deployed: Map<string, number>;
  readonly batched: Map<string, number>;
  /** failed or skipped once: a retry or its return may batch and deploy it again */
  readonly again: Set<string>;
  reverting: boolean;
}

const text = (data: unknown, field: string): string | undefined => {
  const value = (data as Record<string, unknown> | null)?.[field];
  return typeof value === 'string' ? value : undefined;
};

const list = (data: unknown, field: string): string[] => {
  const value = (data as Record<string, unknown> | null)?.[field];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
};

/**
 * Checks a whole history (`events` as read back from the stream, in stream order):
 * - every acknowledged command's event is there exactly once, and acknowledged
 *   commands of one writer are stored in the order they were acknowledged;
 * - no event id twice; sequences never go back; each aggregate's versions are 1, 2, 3, … with no gap;
 * - every rollout: no more hosts deploying at once than its parallelism, no host
 *   deployed twice by it (a revert's own deploys aside), no host in two batches.
 * `unsure` are commands sent whose answer never came (a timeout across a fault):
 * each may be stored at most once.
 */
export function checkHistory(events: readonly StoredEvent[], acknowledged: readonly AcknowledgedCommand[], unsure: readonly { correlationId: string; eventType: string }[] = []): HistoryReport {
  const violations: string[] = [];
  const duplicated: string[] = [];
  const ids = new Set<string>();
  const versions = new Map<string, number>();
  const counted = new Map<string, StoredEvent[]>();
  const wanted = new Map<string, string>([...acknowledged, ...unsure].map((c) => [c.correlationId, c.eventType]));
  const rollouts = new Map<string, RolloutFacts>();
  let lastSequence = 0;

  for (const e of events) {
    if (ids.has(e.id)) duplicated.push(`event ${e.id} (${e.type}) stored twice`);
    ids.add(e.id);
    if (e.sequence < lastSequence) violations.push(`sequence ${e.sequence} after ${lastSequence}`);
    lastSequence = e.sequence;
    const key = `${e.aggregate}/${e.aggregateId}`;
    const expected = (versions.get(key) ?? 0) + 1;
    if (e.version !== expected) violations.push(`${key}: version ${e.version} where ${expected} was next (sequence ${e.sequence})`);
    versions.set(key, Math.max(expected, e.version));
    if (wanted.get(e.correlationId) === e.type) counted.set(e.correlationId, [...(counted.get(e.correlationId) ?? []), e]);
    followRollout(rollouts, e, violations);
  }

  const lost: string[] = [];
  let previous = 0;
  for (const command of acknowledged) {
    const stored = counted.get(command.correlationId) ?? [];
    if (stored.length === 0) {
      lost.push(`${command.correlationId} (acknowledged at sequence ${command.sequence})`);
      continue;
    }
    const sequence = (stored[0] as StoredEvent).sequence;
    if (sequence > command.sequence) violations.push(`${command.correlationId}: stored at ${sequence}, after the ${command.sequence} its answer named`);
    if (sequence < previous) violations.push(`${command.correlationId}: stored at ${sequence}, before a command acknowledged earlier (${previous})`);
    previous = Math.max(previous, sequence);
  }
  for (const [correlationId, stored] of counted) {
    if (stored.length > 1) duplicated.push(`${correlationId}: ${stored.length} × ${(stored[0] as StoredEvent).type} (sequences ${stored.map((s) => s.sequence).join(', ')})`);
  }
  return { acknowledged: acknowledged.length, lost, duplicated, violations };
}

/** One event's part in the rollout invariants. */
function followRollout(rollouts: Map<string, RolloutFacts>, e: StoredEvent, violations: string[]): void {
  if (e.aggregate === 'rollout') {
    const id = e.aggregateId;
    if (e.type === 'RolloutStarted') {
      const options = (e.data as { options?: { parallelism?: unknown } }).options;
      const parallelism = typeof options?.parallelism === 'number' ? options.parallelism : Number.POSITIVE_INFINITY;
      rollouts.set(id, { jobId: text(e.data, 'jobId') ?? '', parallelism, inFlight: new Set(), deployed: new Map(), batched: new Map(), again: new Set(), reverting: false });
      return;
    }
    const r = rollouts.get(id);
    if (r === undefined) return;
    if (e.type === 'BatchStarted') {
      for (const host of list(e.data, 'hosts')) {
        r.inFlight.add(host);
        if (!r.reverting) r.batched.set(host, (r.batched.get(host) ?? 0) + 1);
        if (!r.reverting && !r.again.has(host) && (r.batched.get(host) ?? 0) > 1) violations.push(`rollout ${id}: host ${host} in a second batch (sequence ${e.sequence})`);
      }
      if (r.inFlight.size > r.parallelism) violations.push(`rollout ${id}: ${r.inFlight.size} hosts deploying at once, parallelism ${r.parallelism} (sequence ${e.sequence})`);
    } else if (e.type === 'HostsHealthy') {
      for (const host of list(e.data, 'hosts')) r.inFlight.delete(host);
    } else if (e.type === 'HostsFailed') {
      const failures = (e.data as { failures?: { host?: unknown }[] }).failures ?? [];
      for (const f of failures) if (typeof f.host === 'string') {
        r.inFlight.delete(f.host);
        r.again.add(f.host);
      }
    } else if (e.type === 'HostsSkipped') {
      for (const host of list(e.data, 'hosts')) {
        r.inFlight.delete(host);
        r.again.add(host);
      }
    } else if (e.type === 'RevertStarted') {
      r.reverting = true;
      r.inFlight.clear();
    } else if (e.type === 'RolloutSucceeded' || e.type === 'RolloutFailed' || e.type === 'RolloutReverted') {
      r.inFlight.clear();
    }
    return;
  }
  if (e.type === 'JobDeployed' && e.correlationId.startsWith('rollout:')) {
    const id = e.correlationId.slice('rollout:'.length);
    const r = rollouts.get(id);
    const host = text(e.data, 'host') ?? e.aggregateId;
    if (r === undefined || r.reverting || r.again.has(host) || text(e.data, 'jobId') !== r.jobId) return;
    const times = (r.deployed.get(host) ?? 0) + 1;
    r.deployed.set(host, times);
    if (times > 1) violations.push(`rollout ${id}: host ${host} deployed ${times} times (sequence ${e.sequence})`);
  }
}
