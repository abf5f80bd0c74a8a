import { availableActions, etaText, formatDuration, percentDone, rolloutTiming } from './rollout-clock';

const progress = (done: number, total = 10) => ({ total, pending: total - done, deploying: 0, healthy: done, failed: 0, skipped: 0, upToDate: 0 });
const started = '2026-11-25T10:00:00.000Z';
const t0 = Date.parse(started);

describe('rolloutTiming', () => {
  it('estimates the rest from the pace so far', () => {
    expect(rolloutTiming({ progress: progress(4), startedAt: started, finished: false, paused: false }, t0 + 40_000)).toEqual({ elapsedMs: 40_000, etaMs: 60_000 });
  });

  it('has no ETA before the first host is done, while paused, or once finished (elapsed stops at the end)', () => {
    expect(rolloutTiming({ progress: progress(0), startedAt: started, finished: false, paused: false }, t0 + 5000).etaMs).toBeNull();
    expect(rolloutTiming({ progress: progress(4), startedAt: started, finished: false, paused: true }, t0 + 5000).etaMs).toBeNull();
    expect(rolloutTiming({ progress: progress(10), startedAt: started, finished: true, paused: false }, t0 + 90_000, t0 + 30_000)).toEqual({ elapsedMs: 30_000, etaMs: null });
  });
});

describe('etaText', () => {
  const base = { progress: progress(2), startedAt: started, finished: false, paused: false, status: 'ROLLING_OUT' };
  it.each([
    ['rolling out: the pace', base, '30s'],
    ['awaiting promotion: waits for promote, not a pace', { ...base, status: 'AWAITING_PROMOTION' }, 'waits for promote'],
    ['paused', { ...base, paused: true }, 'paused: waits for resume'],
    ['finished', { ...base, finished: true, status: 'SUCCEEDED' }, 'finished'],
    ['nothing done yet', { ...base, progress: progress(0) }, '—'],
  ])('%s', (_name, rollout, expected) => {
    expect(etaText(rollout, rolloutTiming(rollout, t0 + 7_500))).toBe(expected);
  });
});

it('percentDone counts healthy, up to date, failed and skipped hosts', () => {
  expect(percentDone({ progress: { total: 8, pending: 2, deploying: 2, healthy: 1, upToDate: 1, failed: 1, skipped: 1 } })).toBe(50);
  expect(percentDone({ progress: progress(0, 0) })).toBe(100);
});

it('formatDuration', () => {
  expect([formatDuration(4_400), formatDuration(75_000), formatDuration(3_723_000)]).toEqual(['4s', '1m 15s', '1h 02m']);
});

describe('availableActions', () => {
  const base = { status: 'ROLLING_OUT', paused: false, finished: false, promoted: false, progress: progress(3) };
  it.each([
    ['rolling out', base, ['pause', 'fail']],
    ['paused', { ...base, paused: true }, ['resume', 'fail']],
    ['awaiting promotion', { ...base, status: 'AWAITING_PROMOTION' }, ['promote', 'pause', 'fail']],
    ['failed', { ...base, status: 'FAILED', finished: true }, ['retry']],
    ['succeeded with failed hosts', { ...base, status: 'SUCCEEDED', finished: true, progress: { ...progress(3), failed: 1 } }, ['retry']],
    ['succeeded', { ...base, status: 'SUCCEEDED', finished: true }, []],
    ['reverted (not retryable)', { ...base, status: 'REVERTED', finished: true }, []],
  ])('%s', (_name, rollout, expected) => {
    expect(availableActions(rollout)).toEqual(expected);
  });
});
