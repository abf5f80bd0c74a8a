import type { UpdateStrategy } from '../rollout/rollout-options';
import { addSeconds, isReleaseActive, type Release } from './release';
import { stepTimeout } from './release.decider';

/** What the release asks the process manager to do: start a rolling update of a group. */
export type ReleaseAction =
  | { readonly type: 'StartStepRollout'; readonly step: string; readonly group: string; readonly jobId: string; readonly options?: UpdateStrategy }
  | { readonly type: 'StartRollbackRollout'; readonly group: string; readonly jobId: string };

/** Rolling updates the release needs and has not recorded yet (level-triggered: also after a failover). */
export function pendingReleaseActions(release: Release): ReleaseAction[] {
  if (release.status === 'deploying') {
    return (release.stages[release.stage]?.steps ?? []).flatMap((key) => {
      const step = release.steps[key];
      if (step?.kind !== 'group' || step.status !== 'RUNNING' || step.rolloutId !== undefined) return [];
      const options = release.options.rolloutOptions === undefined ? {} : { options: release.options.rolloutOptions };
      return [{ type: 'StartStepRollout' as const, step: key, group: step.name, jobId: release.jobId, ...options }];
    });
  }
  if (release.status === 'rolling_back') {
    return Object.values(release.rollback)
      .filter((row) => row.status === 'RUNNING' && row.rolloutId === undefined)
      .map((row) => ({ type: 'StartRollbackRollout' as const, group: row.group, jobId: row.toJobId }));
  }
  return [];
}

/** The rollouts whose end the release is waiting for. */
export function awaitedRollouts(release: Release): string[] {
  if (release.status === 'deploying') {
    return (release.stages[release.stage]?.steps ?? []).flatMap((key) => {
      const step = release.steps[key];
      return step?.status === 'RUNNING' && step.rolloutId !== undefined ? [step.rolloutId] : [];
    });
  }
  if (release.status === 'rolling_back') return Object.values(release.rollback).flatMap((row) => (row.status === 'RUNNING' && row.rolloutId !== undefined ? [row.rolloutId] : []));
  return [];
}

/** The earliest instant at which a TickRelease would change something (step timeouts, auto-certify, auto-abandon). */
export function nextReleaseDeadline(release: Release): string | undefined {
  if (!isReleaseActive(release)) return undefined;
  const candidates: string[] = [];
  if (release.status === 'deploying') {
    for (const key of release.stages[release.stage]?.steps ?? []) {
      const step = release.steps[key];
      const timeout = step === undefined ? undefined : stepTimeout(release, step);
      if (step?.status === 'RUNNING' && step.startedAt !== undefined && timeout !== undefined) candidates.push(addSeconds(step.startedAt, timeout));
    }
  }
  if (release.status === 'deployed' && release.certifyAt !== undefined) candidates.push(release.certifyAt);
  if (release.status === 'rolled_back' && release.abandonAt !== undefined) candidates.push(release.abandonAt);
  return candidates.sort()[0];
}

/** Groups from which `jobId` was rolled back by any of `releases` (bad versions there). */
export function badGroupsOf(releases: Iterable<Release>, jobId: string): string[] {
  const groups = new Set<string>();
  for (const release of releases) if (release.jobId === jobId) for (const group of release.badGroups) groups.add(group);
  return [...groups].sort();
}
