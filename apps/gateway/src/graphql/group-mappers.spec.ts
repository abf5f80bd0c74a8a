import type { RolloutDetail } from '@berth/read-model';
import { toRolloutModel } from './group-mappers';

const progress = { PENDING: 1, UP_TO_DATE: 0, DEPLOYING: 0, HEALTHY: 1, FAILED: 0, SKIPPED: 0, total: 2, failedBeforeRevert: 0 };

function detail(hosts: RolloutDetail['hosts']): RolloutDetail {
  return {
    rolloutId: 'r1',
    group: 'g',
    jobId: 'svc:2:b',
    targetJobId: 'svc:2:b',
    reason: 'MANUAL',
    status: 'ROLLING_OUT',
    paused: false,
    promoted: false,
    startedAt: '2026-12-01T00:00:00.000Z',
    progress,
    options: {} as RolloutDetail['options'],
    limits: {} as RolloutDetail['limits'],
    batches: 1,
    hosts,
  };
}

describe('toRolloutModel', () => {
  it("shows a returned host's interim version and its batch, and leaves absent facts out", () => {
    const base = { step: 'PENDING' as const, canary: false, up: true, targetRunning: false, imagePulled: false };
    const model = toRolloutModel(detail([{ ...base, host: 'h1', interimJobId: 'svc:1:a' }, { ...base, host: 'h2', step: 'HEALTHY', targetRunning: true }]), (_r, host) => (host === 'h2' ? 1 : undefined));

    expect(model.hosts).toEqual([
      { host: 'h1', state: 'PENDING', canary: false, up: true, targetRunning: false, imagePulled: false, interimJobId: 'svc:1:a' },
      { host: 'h2', state: 'HEALTHY', batch: 1, canary: false, up: true, targetRunning: true, imagePulled: false },
    ]);
    expect(model.progress).toEqual({ pending: 1, upToDate: 0, deploying: 0, healthy: 1, failed: 0, skipped: 0, total: 2, failedBeforeRevert: 0 });
  });

  it("keeps how a reverted rollout's host failed on its job (failureBeforeRevert) and counts such hosts", () => {
    const failure = { host: 'h1', reason: 'failed' as const, message: 'h1: job svc:2:b EXITED with exit code 3 (FLAPPING)' };
    const reverted = { ...detail([{ host: 'h1', step: 'HEALTHY', canary: false, up: true, targetRunning: true, imagePulled: false, failureBeforeRevert: failure }]), status: 'REVERTED' as const, progress: { ...progress, failedBeforeRevert: 1 } };
    const model = toRolloutModel(reverted);
    expect(model.hosts?.[0]?.failureBeforeRevert).toEqual({ reason: 'failed', message: failure.message });
    expect(model.progress.failedBeforeRevert).toBe(1);
    expect(model.finished).toBe(true);
  });
});
