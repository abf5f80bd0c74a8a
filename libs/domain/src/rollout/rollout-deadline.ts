import { hostDeadlineSeconds, rolloutHostRows, waitsForOperator } from './rollout-planner';
import { isRolloutFinished, type Rollout } from './rollout-state';
import { instant, plusSeconds } from './rollout-time';

function candidateDeadlines(rollout: Rollout): string[] {
  const { options } = rollout;
  const times: string[] = [];
  if (rollout.status === 'PRESTAGING') times.push(plusSeconds(rollout.phaseStartedAt, options.timeout));
  for (const row of rolloutHostRows(rollout)) {
    if (row.step !== 'DEPLOYING') continue;
    if (row.deployRequestedAt !== undefined) times.push(plusSeconds(row.deployRequestedAt, hostDeadlineSeconds(rollout)));
    if (options.healthCheck !== 'manual' && row.runningSince !== undefined) times.push(plusSeconds(row.runningSince, options.minHealthyTime));
  }
  if (rollout.lastBatchStartedAt !== undefined && options.stagger > 0) times.push(plusSeconds(rollout.lastBatchStartedAt, options.stagger));
  if (options.progressDeadline !== null && !waitsForOperator(rollout)) {
    times.push(plusSeconds(rollout.lastProgressAt, options.progressDeadline));
  }
  return times;
}

/**
 * The earliest instant after `now` at which a Tick may change something:
 * per-host timeouts and healthy deadlines, minHealthyTime expiries, the
 * stagger between batches, the prestage timeout and the progress deadline.
 * Undefined when only an observation or an operator can move the rollout.
 * Everything derives from event times, so after a restart the process
 * manager re-arms exactly the timers that were pending.
 */
export function nextDeadline(rollout: Rollout, now: string): string | undefined {
  if (isRolloutFinished(rollout)) return undefined;
  const after = instant(now);
  let earliest: number | undefined;
  for (const time of candidateDeadlines(rollout)) {
    const at = instant(time);
    if (at > after && (earliest === undefined || at < earliest)) earliest = at;
  }
  return earliest === undefined ? undefined : new Date(earliest).toISOString();
}
