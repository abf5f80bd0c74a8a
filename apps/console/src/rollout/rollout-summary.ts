import type { Rollout, RolloutHost } from '../api/types';
import { percentDone } from './rollout-clock';

const REVERT_STATUSES: ReadonlySet<string> = new Set(['REVERTING', 'REVERTED']);

/**
 * The progress bar's text. A revert counts its own steps (hosts put back on
 * the stable job), so a reverting or reverted rollout says so, with the
 * hosts that failed on its job, instead of a `100% — 3/3 healthy` that would
 * read as a success.
 */
export function progressText(rollout: Pick<Rollout, 'status' | 'progress' | 'jobId' | 'targetJobId'>): string {
  const p = rollout.progress;
  const done = p.healthy + p.upToDate;
  if (p.total === 0) return 'No host in the group: nothing to deploy';
  if (!REVERT_STATUSES.has(rollout.status)) {
    return `${percentDone(rollout)}% — ${done}/${p.total} healthy, ${p.deploying} deploying, ${p.failed} failed, ${p.skipped} skipped`;
  }
  const failed = (p.failedBeforeRevert ?? 0) + p.failed;
  const failures = `${failed} failed on ${rollout.jobId}`;
  if (rollout.status === 'REVERTED') return `Reverted to ${rollout.targetJobId} — ${failures}`;
  return `Reverting to ${rollout.targetJobId}: ${done}/${p.total} back — ${failures}`;
}

export interface FailedHostLine {
  readonly host: string;
  /** `failed: job … EXITED with exit code 3 (FLAPPING)`, `… (before the revert)` */
  readonly text: string;
}

/** `failed: job … EXITED with exit code 3` (the message's `host: ` prefix left out: the line names the host) */
function describe(host: string, failure: { readonly reason: string; readonly message: string }): string {
  return `${failure.reason}: ${failure.message.startsWith(`${host}: `) ? failure.message.slice(host.length + 2) : failure.message}`;
}

function failureOf(h: RolloutHost): string | undefined {
  if (h.failure) return describe(h.host, h.failure);
  return h.failureBeforeRevert ? `${describe(h.host, h.failureBeforeRevert)} (before the revert)` : undefined;
}

/** The hosts that failed and why, at most `limit` of them (a 1,000-host rollout can fail on many). */
export function failedHostLines(rollout: Pick<Rollout, 'hosts'>, limit = 20): { readonly lines: FailedHostLine[]; readonly more: number } {
  const lines: FailedHostLine[] = [];
  let more = 0;
  for (const h of rollout.hosts ?? []) {
    const text = failureOf(h);
    if (text === undefined) continue;
    if (lines.length < limit) lines.push({ host: h.host, text });
    else more += 1;
  }
  return { lines, more };
}
