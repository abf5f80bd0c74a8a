import type { HostFailure, HostsFailed, RolloutEvent, RolloutHost } from './rollout-events';
import { exitWithClause } from './host-observation';
import { evolveRollout, isRolloutFinished, type Rollout } from './rollout-state';
import { elapsed, instant, plusSeconds } from './rollout-time';

/**
 * The rollout planner: a pure function of the rollout's state and the time.
 * It returns the transitions that are due (hosts healthy or timed out, the
 * next batch, promotion, success, failure, revert) as events; the process
 * manager calls it through the decider on every observation and on a Tick at
 * `nextDeadline`, so all timers derive from event times and a restarted
 * scheduler resumes exactly where the history stands.
 */

type Step = (rollout: Rollout, now: string) => RolloutEvent[];

/** Seconds from a host's deploy request until it must be healthy. */
export function hostDeadlineSeconds(rollout: Rollout): number {
  return Math.min(rollout.options.timeout, rollout.options.healthyDeadline ?? Infinity);
}

/** Every host's row, in natural order. */
export function rolloutHostRows(rollout: Rollout): readonly RolloutHost[] {
  return rollout.hosts;
}

function base(rollout: Rollout, now: string): { rolloutId: string; time: string } {
  return { rolloutId: rollout.rolloutId, time: now };
}

function failedHosts(rollout: Rollout): string[] {
  return rolloutHostRows(rollout).filter((row) => row.step === 'FAILED').map((row) => row.host);
}

function verdict(rollout: Rollout, row: RolloutHost, now: string): 'healthy' | HostFailure | undefined {
  const { host } = row;
  if (row.conflict) return { host, reason: 'conflict', message: `${host}: job ${rollout.targetJobId} is deployed outside group ${rollout.group} (use migrate)` };
  if (row.targetFailed) return { host, reason: 'failed', message: `${host}: job ${rollout.targetJobId} ${row.targetExit ?? 'FAILED'}` };
  const manual = rollout.options.healthCheck === 'manual';
  if (!manual && row.targetRunning && row.runningSince !== undefined && elapsed(row.runningSince, rollout.options.minHealthyTime, now)) return 'healthy';
  const seconds = hostDeadlineSeconds(rollout);
  if (row.deployRequestedAt !== undefined && elapsed(row.deployRequestedAt, seconds, now)) {
    return { host, reason: 'timeout', message: `${host}: not healthy within ${seconds} s of its deploy` };
  }
  return undefined;
}

/**
 * A host that counted as healthy and then left RUNNING (exited, flaps,
 * failed, restarts) before the rollout finished is a failed host: counting
 * it would let a crash loop pass. A DOWN host is not judged (it is skipped
 * and rejoins); manual health ignores task states except a crash.
 */
function relapse(rollout: Rollout, row: RolloutHost): HostFailure | undefined {
  if (!row.up || !row.targetPresent) return undefined;
  const left = row.targetFailed || (rollout.options.healthCheck !== 'manual' && !row.targetRunning);
  if (!left) return undefined;
  const what = exitWithClause(row.targetExit ?? 'is no longer RUNNING', ' after it counted as healthy');
  return { host: row.host, reason: 'failed', message: `${row.host}: job ${rollout.targetJobId} ${what}` };
}

/** Deploying hosts that became healthy or failed; healthy ones that left RUNNING. */
const judgeHosts: Step = (rollout, now) => {
  const healthy: string[] = [];
  const failures: HostFailure[] = [];
  for (const row of rolloutHostRows(rollout)) {
    if (row.step === 'HEALTHY') {
      const failure = relapse(rollout, row);
      if (failure !== undefined) failures.push(failure);
      continue;
    }
    if (row.step !== 'DEPLOYING' || !row.up) continue;
    const result = verdict(rollout, row, now);
    if (result === 'healthy') healthy.push(row.host);
    else if (result !== undefined) failures.push(result);
  }
  const events: RolloutEvent[] = [];
  if (healthy.length > 0) events.push({ type: 'HostsHealthy', ...base(rollout, now), hosts: healthy });
  if (failures.length > 0) events.push({ type: 'HostsFailed', ...base(rollout, now), failures } satisfies HostsFailed);
  return events;
};

/** DOWN hosts never block the rollout; they rejoin it when they come back. */
const skipAndReturn: Step = (rollout, now) => {
  const rows = rolloutHostRows(rollout);
  const skipped = rows.filter((row) => (row.step === 'PENDING' || row.step === 'DEPLOYING') && !row.up).map((row) => row.host);
  const returned = rows.filter((row) => row.step === 'SKIPPED' && row.up).map((row) => row.host);
  const events: RolloutEvent[] = [];
  if (skipped.length > 0) events.push({ type: 'HostsSkipped', ...base(rollout, now), hosts: skipped });
  if (returned.length > 0) events.push({ type: 'HostsReturned', ...base(rollout, now), hosts: returned });
  return events;
};

/** Fail, or revert to the last stable job when autoRevert allows it (Nomad's loop guard: never to the same job). */
export function failOrRevert(rollout: Rollout, now: string, error: string): RolloutEvent[] {
  const failed = (text: string): RolloutEvent[] => [
    { type: 'RolloutFailed', ...base(rollout, now), error: text, failedHosts: failedHosts(rollout), stopped: false },
  ];
  if (rollout.status === 'REVERTING') return failed(`Revert to ${rollout.targetJobId} failed: ${error}`);
  if (!rollout.options.autoRevert) return failed(error);
  if (rollout.revertTo === undefined) return failed(`${error} - no stable job to revert to`);
  if (rollout.revertTo === rollout.jobId) return failed(`${error} - not reverting: ${rollout.jobId} is the last stable job`);
  return [{ type: 'RevertStarted', ...base(rollout, now), fromJobId: rollout.jobId, toJobId: rollout.revertTo, error }];
}

const failureThreshold: Step = (rollout, now) => {
  const threshold = rollout.limits.failureThreshold;
  const failed = rolloutHostRows(rollout).filter((row) => row.step === 'FAILED');
  if (threshold === null || failed.length <= threshold) return [];
  const reasons = failed.map((row) => row.failure?.message ?? row.host).join('; ');
  return failOrRevert(rollout, now, `${failed.length} host(s) failed, more than the ${threshold} tolerated: ${reasons}`);
};

/**
 * Paused, or every canary healthy and awaiting promotion: the rollout waits
 * for a human and is not stuck (Nomad: the deadline fails unpromoted
 * canaries only when fewer than all are healthy).
 */
export function waitsForOperator(rollout: Rollout): boolean {
  if (rollout.paused) return true;
  if (rollout.status !== 'AWAITING_PROMOTION') return false;
  const live = rolloutHostRows(rollout).filter((row) => row.canary && row.step !== 'SKIPPED');
  return live.length > 0 && live.every((row) => row.step === 'HEALTHY');
}

const progressDeadline: Step = (rollout, now) => {
  const seconds = rollout.options.progressDeadline;
  if (seconds === null || waitsForOperator(rollout)) return [];
  if (!elapsed(rollout.lastProgressAt, seconds, now)) return [];
  return failOrRevert(rollout, now, `No progress for ${seconds} s (progress deadline)`);
};

/**
 * Hosts that came back and wait for the version to start them on until
 * their turn (StartReturnedHosts). Not while reverting: the revert brings
 * every host to the stable job anyway.
 */
export function hostsAwaitingVersion(rollout: Rollout): RolloutHost[] {
  if (isRolloutFinished(rollout) || rollout.status === 'REVERTING') return [];
  return rolloutHostRows(rollout).filter((row) => row.returned === true && row.step === 'PENDING' && row.up);
}

export function prestageHosts(rollout: Rollout): RolloutHost[] {
  return rolloutHostRows(rollout).filter((row) => row.step === 'PENDING' && row.up);
}

const prestage: Step = (rollout, now) => {
  if (rollout.status !== 'PRESTAGING') return [];
  const pulled = prestageHosts(rollout).filter((row) => row.imagePulled).length;
  const quorum = rollout.limits.prestageQuorum;
  if (pulled >= quorum) return [{ type: 'PrestageCompleted', ...base(rollout, now), pulled, quorum }];
  if (!elapsed(rollout.phaseStartedAt, rollout.options.timeout, now)) return [];
  const errors = prestageHosts(rollout).flatMap((row) => (row.imageError === undefined ? [] : [`${row.host}: ${row.imageError}`]));
  const why = errors.length === 0 ? '' : ` (${errors.join('; ')})`;
  return failOrRevert(rollout, now, `Prestage: ${pulled} of ${quorum} required hosts pulled the image within ${rollout.options.timeout} s${why}`);
};

/**
 * Canary batch done and not promoted: promote automatically when every canary
 * is healthy, else wait for a human. Canaries that were DOWN and come back
 * are deployed even while waiting, so a promotion judges all of them.
 */
const canaryGate: Step = (rollout, now) => {
  const canaries = rolloutHostRows(rollout).filter((row) => row.canary);
  if (canaries.some((row) => row.step === 'PENDING')) return startBatch(rollout, now);
  const live = canaries.filter((row) => row.step !== 'SKIPPED');
  if (rollout.options.autoPromote && live.length > 0 && live.every((row) => row.step === 'HEALTHY')) {
    return [{ type: 'RolloutPromoted', ...base(rollout, now), auto: true }];
  }
  if (rollout.status === 'AWAITING_PROMOTION') return [];
  return [{ type: 'CanaryAwaitingPromotion', ...base(rollout, now), canaries: live.map((row) => row.host) }];
};

/** Every host that counted (healthy, or up to date at start) still runs the target: only then is the job stable. */
function countedHostsRunning(rollout: Rollout): boolean {
  if (rollout.options.healthCheck === 'manual') return true;
  return rolloutHostRows(rollout).every((row) => (row.step !== 'HEALTHY' && row.step !== 'UP_TO_DATE') || row.targetRunning);
}

const finish: Step = (rollout, now) => {
  const rows = rolloutHostRows(rollout);
  if (rows.some((row) => row.step === 'PENDING')) return [];
  const failed = failedHosts(rollout);
  if (rollout.status === 'REVERTING') {
    return [{ type: 'RolloutReverted', ...base(rollout, now), toJobId: rollout.targetJobId, error: rollout.error ?? '', failedHosts: failed }];
  }
  const skippedHosts = rows.filter((row) => row.step === 'SKIPPED').map((row) => row.host);
  return [{ type: 'RolloutSucceeded', ...base(rollout, now), failedHosts: failed, skippedHosts, stable: failed.length === 0 && countedHostsRunning(rollout) }];
};

/** Not serving: DOWN, no group job RUNNING, or taken down by this rollout and not yet RUNNING the target. */
export function isUnavailable(rollout: Rollout, row: RolloutHost): boolean {
  if (!row.available) return true;
  return row.step === 'DEPLOYING' && !rollout.options.overlap && !row.targetRunning;
}

export function unavailableCount(rollout: Rollout): number {
  return rolloutHostRows(rollout).filter((row) => isUnavailable(rollout, row)).length;
}

/**
 * The next hosts in natural order: canaries (all at once) until promoted,
 * then `parallelism` at a time. A host that serves costs one unit of the
 * maxUnavailable budget (none with overlap); one that does not serve anyway
 * costs nothing, so it may be taken out of order rather than wait.
 */
export function nextBatch(rollout: Rollout): string[] {
  const candidates = rolloutHostRows(rollout).filter((row) => row.step === 'PENDING' && row.up && (rollout.promoted || row.canary));
  const limit = rollout.promoted ? rollout.options.parallelism : candidates.length;
  const max = rollout.limits.maxUnavailable;
  let budget = max === null ? Infinity : max - unavailableCount(rollout);
  const chosen: string[] = [];
  for (const row of candidates) {
    if (chosen.length >= limit) break;
    const cost = !rollout.options.overlap && row.available ? 1 : 0;
    if (cost > budget) continue;
    budget -= cost;
    chosen.push(row.host);
  }
  return chosen;
}

function staggerUntil(rollout: Rollout): string | undefined {
  if (rollout.batches === 0 || rollout.lastBatchStartedAt === undefined || rollout.options.stagger === 0) return undefined;
  return plusSeconds(rollout.lastBatchStartedAt, rollout.options.stagger);
}

function startBatch(rollout: Rollout, now: string): RolloutEvent[] {
  const wait = staggerUntil(rollout);
  if (wait !== undefined && instant(now) < instant(wait)) return [];
  const hosts = nextBatch(rollout);
  if (hosts.length === 0) return [];
  return [{ type: 'BatchStarted', ...base(rollout, now), batch: rollout.batches, hosts, canary: !rollout.promoted }];
}

const advance: Step = (rollout, now) => {
  if (rollout.status === 'PRESTAGING' || rollout.paused) return [];
  if (rolloutHostRows(rollout).some((row) => row.step === 'DEPLOYING')) return [];
  if (!rollout.promoted) return canaryGate(rollout, now);
  const done = finish(rollout, now);
  return done.length > 0 ? done : startBatch(rollout, now);
};

const STEPS: readonly Step[] = [judgeHosts, skipAndReturn, failureThreshold, progressDeadline, prestage, advance];

function firstDue(rollout: Rollout, now: string): RolloutEvent[] {
  for (const step of STEPS) {
    const due = step(rollout, now);
    if (due.length > 0) return due;
  }
  return [];
}

// every step changes the state it looks at, so this bound only catches a bug
const MAX_ROUNDS = 64;

/**
 * All transitions due at `now`, in order, until nothing more is due: e.g. the
 * last host of a batch turning healthy, the next batch starting, and so on.
 */
export function planRollout(rollout: Rollout, now: string): RolloutEvent[] {
  const events: RolloutEvent[] = [];
  let state = rollout;
  for (let round = 0; round < MAX_ROUNDS && !isRolloutFinished(state); round += 1) {
    const due = firstDue(state, now);
    if (due.length === 0) return events;
    for (const event of due) {
      events.push(event);
      const next = evolveRollout(state, event);
      if (next.kind === 'rollout') state = next;
    }
  }
  if (!isRolloutFinished(state)) throw new Error(`Rollout ${rollout.rolloutId}: the planner did not settle`);
  return events;
}
