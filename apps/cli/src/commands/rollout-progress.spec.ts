import type { RolloutView } from '../group-queries';
import { formatElapsed, progressBarLine } from './rollout-progress';

function view(progress: Partial<RolloutView['progress']>, hosts: RolloutView['hosts'] = [], paused = false, extra: Partial<RolloutView> = {}): RolloutView {
  return {
    rolloutId: 'r1',
    group: 'g',
    jobId: 'foo:1:abc',
    targetJobId: 'foo:1:abc',
    reason: 'MANUAL',
    status: 'ROLLING_OUT',
    finished: false,
    paused,
    promoted: true,
    startedAt: '2024-01-01T00:00:00Z',
    progress: { pending: 0, upToDate: 0, deploying: 0, healthy: 0, failed: 0, skipped: 0, total: 0, ...progress },
    hosts,
    ...extra,
  };
}

describe('formatElapsed', () => {
  it.each([
    [0, '0 s'],
    [12_900, '12 s'],
    [184_000, '3 m 04 s'],
    [3_720_000, '1 h 02 m'],
  ])('%d ms → %s', (ms, text) => expect(formatElapsed(ms)).toBe(text));
});

describe('progressBarLine', () => {
  it('fills the bar with settled hosts (healthy, up to date, failed, skipped) and names the counts', () => {
    const line = progressBarLine(view({ healthy: 4, upToDate: 1, failed: 1, skipped: 0, deploying: 2, pending: 2, total: 10 }), 65_000, 100);
    expect(line).toBe(`[${'#'.repeat(24)}${'.'.repeat(16)}]  5/10  2 deploying  1 failed  1 m 05 s`);
  });

  it('shows the batch in flight and a paused rollout', () => {
    const hosts = [
      { host: 'a', state: 'HEALTHY', batch: 1, canary: false, up: true },
      { host: 'b', state: 'DEPLOYING', batch: 2, canary: false, up: true },
      { host: 'c', state: 'PENDING', batch: 3, canary: false, up: true },
    ];
    expect(progressBarLine(view({ healthy: 1, deploying: 1, pending: 1, total: 3 }, hosts, true), 0, 80)).toMatch(/1\/3 {2}1 deploying {2}batch 2 {2}paused {2}0 s$/);
  });

  it('never wraps a narrow terminal', () => {
    const line = progressBarLine(view({ healthy: 3, deploying: 100, failed: 20, skipped: 7, total: 1000 }), 0, 30);
    expect(line.length).toBeLessThanOrEqual(29);
    expect(line.startsWith('[')).toBe(true);
  });

  it('is full for an empty group', () => {
    expect(progressBarLine(view({ total: 0 }), 0, 80)).toMatch(/^\[#{10,}\] {2}0\/0 {2}0 s$/);
  });

  it('waits for promote while canaries await promotion, instead of a pace', () => {
    const line = progressBarLine(view({ healthy: 2, pending: 8, total: 10 }, [], false, { status: 'AWAITING_PROMOTION', promoted: false }), 42_000, 100);
    expect(line.endsWith(']  2/10  waiting for promote  42 s')).toBe(true);
  });

  it('says a revert and the hosts that failed on the rollout\'s job, not a count that reads as done', () => {
    const stable = 'foo:0:0123456789abcdef0123456789abcdef01234567';
    const reverting = progressBarLine(view({ healthy: 1, pending: 2, total: 3, failedBeforeRevert: 1 }, [], false, { status: 'REVERTING', targetJobId: stable }), 5_000, 100);
    expect(reverting.endsWith(']  reverting 1/3 to foo:0:0123456  1 failed  5 s')).toBe(true);
    const reverted = progressBarLine(view({ healthy: 3, total: 3, failedBeforeRevert: 1 }, [], false, { status: 'REVERTED', finished: true, targetJobId: stable }), 9_000, 100);
    expect(reverted.endsWith(']  reverted to foo:0:0123456  1 failed  9 s')).toBe(true);
    expect(reverted).not.toContain('3/3');
  });
});
