import { naturalSort } from './natural-order';
import type { ReturnedHostsStarted, RolloutEvent, RolloutHost, RolloutHostClass, RolloutReason, RolloutStarted } from './rollout-events';
import type { ResolvedRolloutOptions, RolloutLimits } from './rollout-options';

/**
 * The rollout aggregate's state. A rollout is one attempt to bring one
 * deployment group to one job.
 *
 *   (none) ─StartRollout─▶ PRESTAGING ─quorum pulled─▶ ROLLING_OUT
 *                                                      │  ▲
 *                     canary batch done, not promoted ▼  │ Promote / autoPromote
 *                                            AWAITING_PROMOTION
 *   ROLLING_OUT ─all hosts done─▶ SUCCEEDED (possibly with failed hosts)
 *   any active ─failures > threshold / progress deadline / Fail─▶ FAILED
 *              └─ with autoRevert and a different stable job ─▶ REVERTING ─▶ REVERTED (or FAILED)
 *   FAILED / SUCCEEDED with failed hosts ─Retry─▶ ROLLING_OUT
 *
 * `paused` is orthogonal: a paused rollout starts no batch and promotes
 * nothing, but keeps judging the hosts already deploying.
 */
export type RolloutStatus = 'PRESTAGING' | 'ROLLING_OUT' | 'AWAITING_PROMOTION' | 'REVERTING' | 'SUCCEEDED' | 'FAILED' | 'REVERTED';

export const TERMINAL_ROLLOUT_STATUSES: readonly RolloutStatus[] = ['SUCCEEDED', 'FAILED', 'REVERTED'];

export interface Rollout {
  readonly kind: 'rollout';
  readonly rolloutId: string;
  readonly group: string;
  /** The job the rollout was started for. */
  readonly jobId: string;
  /** What hosts are brought to now: `jobId`, or `revertTo` while reverting. */
  readonly targetJobId: string;
  readonly reason: RolloutReason;
  readonly revertTo?: string;
  readonly options: ResolvedRolloutOptions;
  readonly limits: RolloutLimits;
  readonly status: RolloutStatus;
  readonly paused: boolean;
  /** No canaries, or they were promoted. */
  readonly promoted: boolean;
  /**
   * One row per host, in natural order of name (as `order`). An array, not a
   * record by name: every event copies it, and copying an array of 10,000
   * rows costs microseconds where a 10,000-key object costs milliseconds.
   * Look a row up by name with `rolloutHost`.
   */
  readonly hosts: readonly RolloutHost[];
  /** Host names in natural order; the same array in every state of one rollout. */
  readonly order: readonly string[];
  readonly startedAt: string;
  /** Start of the current phase (prestage timeout). */
  readonly phaseStartedAt: string;
  readonly lastProgressAt: string;
  readonly batches: number;
  readonly lastBatchStartedAt?: string;
  readonly error?: string;
}

export type RolloutState = { readonly kind: 'none' } | Rollout;

export function isRolloutFinished(rollout: Rollout): boolean {
  return TERMINAL_ROLLOUT_STATUSES.includes(rollout.status);
}

/** The row without the keys given: optional fields are absent, never `undefined`, so state stays JSON. */
export function withoutKeys<T extends object, K extends keyof T>(value: T, ...keys: K[]): Omit<T, K> {
  const copy: Partial<T> = { ...value };
  for (const key of keys) delete copy[key];
  return copy as Omit<T, K>;
}

/** Position of each host in `hosts`, computed once per rollout (`order` never changes after the start). */
const positions = new WeakMap<readonly string[], ReadonlyMap<string, number>>();

function positionsOf(rollout: Rollout): ReadonlyMap<string, number> {
  let byName = positions.get(rollout.order);
  if (byName === undefined) {
    byName = new Map(rollout.order.map((name, i) => [name, i]));
    positions.set(rollout.order, byName);
  }
  return byName;
}

/** The rollout's row of `host`, if the host is part of it. */
export function rolloutHost(rollout: Rollout, host: string): RolloutHost | undefined {
  const i = positionsOf(rollout).get(host);
  return i === undefined ? undefined : rollout.hosts[i];
}

function updateHosts(rollout: Rollout, names: readonly string[], change: (row: RolloutHost) => RolloutHost): Rollout {
  const byName = positionsOf(rollout);
  const hosts = rollout.hosts.slice();
  for (const name of names) {
    const i = byName.get(name);
    const row = i === undefined ? undefined : hosts[i];
    if (i !== undefined && row !== undefined) hosts[i] = change(row);
  }
  return { ...rollout, hosts };
}

/** RolloutStarted's host classes as one row per host, in natural order. */
export function rolloutHostsOf(classes: readonly RolloutHostClass[]): RolloutHost[] {
  const byName = new Map<string, RolloutHost>();
  for (const { hosts, row } of classes) for (const host of hosts) byName.set(host, { host, ...row });
  return naturalSort(byName.keys()).map((host) => byName.get(host) as RolloutHost);
}

/** Rows grouped by everything but the host name; classes in order of first appearance. */
export function rolloutHostClassesOf(rows: readonly RolloutHost[]): RolloutHostClass[] {
  const classes = new Map<string, { hosts: string[]; row: Omit<RolloutHost, 'host'> }>();
  for (const { host, ...row } of rows) {
    const key = JSON.stringify(row);
    const existing = classes.get(key);
    if (existing === undefined) classes.set(key, { hosts: [host], row });
    else existing.hosts.push(host);
  }
  return [...classes.values()];
}

function started(event: RolloutStarted): Rollout {
  const rows = rolloutHostsOf(event.hostClasses);
  return {
    kind: 'rollout',
    rolloutId: event.rolloutId,
    group: event.group,
    jobId: event.jobId,
    targetJobId: event.jobId,
    reason: event.reason,
    ...(event.revertTo === undefined ? {} : { revertTo: event.revertTo }),
    options: event.options,
    limits: event.limits,
    status: 'ROLLING_OUT',
    paused: false,
    promoted: event.plan.canaries.length === 0,
    hosts: rows,
    order: rows.map((row) => row.host),
    startedAt: event.time,
    phaseStartedAt: event.time,
    lastProgressAt: event.time,
    batches: 0,
  };
}

/** A revert brings every host the rollout touched, and every host not on the stable job, to the stable job. */
function revertRow(row: RolloutHost, fromJobId: string, toJobId: string): RolloutHost {
  const relevant = [...new Set([...row.startJobIds, ...(row.touched ? [fromJobId] : [])])];
  const oldJobIds = relevant.filter((id) => id !== toJobId);
  const onStable = !row.touched && row.startJobIds.length === 1 && row.startJobIds[0] === toJobId;
  const base = withoutKeys(row, 'runningSince', 'deployRequestedAt', 'failure', 'returned', 'interimJobId', 'targetExit');
  const step = row.step === 'SKIPPED' ? 'SKIPPED' : onStable ? 'UP_TO_DATE' : 'PENDING';
  const failed = row.failure ?? row.failureBeforeRevert;
  // target facts are about the stable job now: unknown until the next observation
  return { ...base, ...(failed === undefined ? {} : { failureBeforeRevert: failed }), step, canary: false, conflict: false, touched: false, oldJobIds, presentOldJobIds: oldJobIds, targetPresent: false, targetRunning: false, targetFailed: false };
}

/**
 * A returned host's interim version joins the jobs the rollout replaces in
 * its turn (and clears on a revert), as if the host had run it at start.
 */
function returnedHostsStarted(rollout: Rollout, event: ReturnedHostsStarted): Rollout {
  const byHost = new Map(event.hosts.map((started) => [started.host, started.jobId]));
  return updateHosts(rollout, [...byHost.keys()], (row) => {
    const jobId = byHost.get(row.host);
    const base = withoutKeys(row, 'returned', 'interimJobId');
    if (jobId === undefined) return base;
    const add = (ids: readonly string[]): readonly string[] => (jobId === rollout.targetJobId || ids.includes(jobId) ? ids : [...ids, jobId]);
    return { ...base, interimJobId: jobId, oldJobIds: add(row.oldJobIds), startJobIds: add(row.startJobIds) };
  });
}

function observed(rollout: Rollout, event: Extract<RolloutEvent, { type: 'HostsObserved' }>): Rollout {
  const byName = positionsOf(rollout);
  const hosts = rollout.hosts.slice();
  let pulled = false;
  for (const { host, ...facts } of event.hosts) {
    const i = byName.get(host);
    const row = i === undefined ? undefined : hosts[i];
    if (i === undefined || row === undefined) continue;
    pulled ||= facts.imagePulled && !row.imagePulled;
    const base = withoutKeys(row, 'runningSince', 'imageError', 'targetExit');
    const since = facts.targetRunning ? (row.targetRunning ? row.runningSince : event.time) : undefined;
    hosts[i] = { ...base, ...facts, ...(since === undefined ? {} : { runningSince: since }) };
  }
  return { ...rollout, hosts, ...(pulled ? { lastProgressAt: event.time } : {}) };
}

function evolveHosts(rollout: Rollout, event: RolloutEvent): Rollout {
  switch (event.type) {
    case 'BatchStarted': {
      // a FAILED report from before this attempt (a retry) must not fail it: the next observation says
      const next = updateHosts(rollout, event.hosts, (row) => ({
        ...withoutKeys(row, 'failure', 'returned', 'interimJobId', 'targetExit'),
        step: 'DEPLOYING',
        touched: true,
        deployRequestedAt: event.time,
        targetFailed: false,
      }));
      return { ...next, batches: event.batch + 1, lastBatchStartedAt: event.time, lastProgressAt: event.time };
    }
    case 'HostsHealthy':
      return { ...updateHosts(rollout, event.hosts, (row) => ({ ...row, step: 'HEALTHY' })), lastProgressAt: event.time };
    case 'HostsFailed': {
      const byHost = new Map(event.failures.map((failure) => [failure.host, failure]));
      return updateHosts(rollout, [...byHost.keys()], (row) => {
        const failure = byHost.get(row.host);
        return failure === undefined ? row : { ...row, step: 'FAILED', failure };
      });
    }
    case 'HostsSkipped':
      return updateHosts(rollout, event.hosts, (row) => ({ ...withoutKeys(row, 'deployRequestedAt', 'returned', 'interimJobId'), step: 'SKIPPED' }));
    case 'HostsReturned':
      return updateHosts(rollout, event.hosts, (row) => ({ ...row, step: 'PENDING', returned: true }));
    case 'ReturnedHostsStarted':
      return returnedHostsStarted(rollout, event);
    case 'RolloutRetried': {
      const next = updateHosts(rollout, event.hosts, (row) => ({ ...withoutKeys(row, 'failure', 'deployRequestedAt'), step: 'PENDING' }));
      return { ...withoutKeys(next, 'error'), status: 'ROLLING_OUT', paused: false, lastProgressAt: event.time, phaseStartedAt: event.time };
    }
    case 'RevertStarted': {
      const next = { ...rollout, hosts: rollout.hosts.map((row) => revertRow(row, event.fromJobId, event.toJobId)) };
      return { ...next, status: 'REVERTING', targetJobId: event.toJobId, promoted: true, error: event.error, lastProgressAt: event.time, phaseStartedAt: event.time };
    }
    default:
      return rollout;
  }
}

function evolveStatus(rollout: Rollout, event: RolloutEvent): Rollout {
  switch (event.type) {
    case 'PrestageStarted':
      return { ...rollout, status: 'PRESTAGING', phaseStartedAt: event.time };
    case 'PrestageCompleted':
      return { ...rollout, status: 'ROLLING_OUT', phaseStartedAt: event.time, lastProgressAt: event.time };
    case 'CanaryAwaitingPromotion':
      return { ...rollout, status: 'AWAITING_PROMOTION' };
    case 'RolloutPromoted':
      return { ...rollout, status: 'ROLLING_OUT', promoted: true, lastProgressAt: event.time };
    case 'RolloutPaused':
      return { ...rollout, paused: true };
    case 'RolloutResumed':
      return { ...rollout, paused: false, lastProgressAt: event.time };
    case 'RolloutFailed':
      return { ...rollout, status: 'FAILED', error: event.error };
    case 'RolloutReverted':
      return { ...rollout, status: 'REVERTED', error: event.error };
    case 'RolloutSucceeded':
      return { ...rollout, status: 'SUCCEEDED' };
    case 'HostsObserved':
      return observed(rollout, event);
    default:
      return evolveHosts(rollout, event);
  }
}

export function evolveRollout(state: RolloutState, event: RolloutEvent): RolloutState {
  if (event.type === 'RolloutStarted') return started(event);
  // events of a rollout that never started cannot exist: ignore rather than invent state
  return state.kind === 'none' ? state : evolveStatus(state, event);
}
