import type { Rollout } from '../api/types';

/** Hosts the rollout is done with: healthy, up to date, failed or skipped. */
export function doneHosts(rollout: Pick<Rollout, 'progress'>): number {
  const p = rollout.progress;
  return p.healthy + p.upToDate + p.failed + p.skipped;
}

/** 0–100, for the progress bar. */
export function percentDone(rollout: Pick<Rollout, 'progress'>): number {
  const total = rollout.progress.total;
  return total === 0 ? 100 : Math.round((doneHosts(rollout) / total) * 100);
}

export interface RolloutTiming {
  readonly elapsedMs: number;
  /** null: not estimable yet (nothing done), or finished */
  readonly etaMs: number | null;
}

/**
 * Elapsed since start (until `endedAt` once finished) and a linear ETA from
 * the pace so far: remaining hosts × elapsed / done hosts; none while the
 * rollout waits for an operator (paused, canaries awaiting promotion).
 */
export function rolloutTiming(rollout: Pick<Rollout, 'progress' | 'startedAt' | 'finished' | 'paused'> & Partial<Pick<Rollout, 'status'>>, nowMs: number, endedAtMs?: number): RolloutTiming {
  const started = Date.parse(rollout.startedAt);
  const end = rollout.finished && endedAtMs !== undefined ? endedAtMs : nowMs;
  const elapsedMs = Math.max(0, end - started);
  const done = doneHosts(rollout);
  if (rollout.finished || rollout.paused || rollout.status === 'AWAITING_PROMOTION' || done === 0) return { elapsedMs, etaMs: null };
  const remaining = rollout.progress.total - done;
  return { elapsedMs, etaMs: Math.round((elapsedMs / done) * remaining) };
}

/**
 * What the ETA says: a duration from the pace, or what the rollout waits for
 * when no pace applies (canaries awaiting `promote`, a pause), `finished`.
 */
export function etaText(rollout: Pick<Rollout, 'status' | 'finished' | 'paused'>, timing: RolloutTiming): string {
  if (rollout.finished) return 'finished';
  if (rollout.paused) return 'paused: waits for resume';
  if (rollout.status === 'AWAITING_PROMOTION') return 'waits for promote';
  return timing.etaMs === null ? '—' : formatDuration(timing.etaMs);
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

export type RolloutActionName = 'promote' | 'pause' | 'resume' | 'fail' | 'retry';

/** Which rollout buttons make sense now (the scheduler still has the last word). */
export function availableActions(rollout: Pick<Rollout, 'status' | 'paused' | 'finished' | 'promoted' | 'progress'>): RolloutActionName[] {
  // a reverted rollout cannot be retried (the scheduler refuses it): a new rolling update is the way on
  if (rollout.finished) return rollout.status === 'FAILED' || (rollout.status === 'SUCCEEDED' && rollout.progress.failed > 0) ? ['retry'] : [];
  const actions: RolloutActionName[] = [];
  if (rollout.status === 'AWAITING_PROMOTION' && !rollout.promoted) actions.push('promote');
  actions.push(rollout.paused ? 'resume' : 'pause');
  actions.push('fail');
  return actions;
}
