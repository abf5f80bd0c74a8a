import { releaseOperatorActions } from '@berth/domain';
import type { Release, ReleaseStep } from '../api/types';

/** The stage a release is at: `2/3 web.canary`, with what it waits for. */
export function stageLabel(release: Release): string {
  if (release.stage < 0) return `not started (0/${release.stages})`;
  const names = release.steps.filter((s) => s.stage === release.stage).map((s) => s.name);
  const waiting = release.awaitingTrigger ? ' — waiting for advance' : '';
  return `${release.stage + 1}/${release.stages} ${names.join(', ')}${waiting}`;
}

/** A step's outcome with its detail: `FAILED (ignored) — 3 tests failed`. */
export function stepOutcome(step: ReleaseStep): string {
  const outcome = step.status === 'FAILED' && step.ignored ? 'FAILED (ignored)' : step.status;
  const detail = step.error ?? step.message;
  return detail ? `${outcome} — ${detail}` : outcome;
}

/**
 * Nothing more can happen to the release: finished (nothing happens by
 * itself) and no operator action accepted. `failed` is finished but may still
 * be rolled back or abandoned, so it is not final.
 */
export function isReleaseFinal(release: Release): boolean {
  return release.finished && releaseOperatorActions(release).length === 0;
}

/** What happens next by itself, if anything: the automatic complete or abandon. */
export function releaseTimer(release: Release): string | null {
  if (release.status === 'deployed' && release.certifyAt) return `completes by itself at ${release.certifyAt}`;
  if (release.status === 'rolled_back' && release.abandonAt) return `abandoned by itself at ${release.abandonAt}`;
  return null;
}

/** How many hosts run each version, most first: `web:2:abc on 3 · none on 1`. */
export function versionCounts(hosts: readonly { readonly version: string | null }[]): string {
  const counts = new Map<string, number>();
  for (const h of hosts) counts.set(h.version ?? 'none', (counts.get(h.version ?? 'none') ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([version, n]) => `${version} on ${n}`)
    .join(' · ');
}
