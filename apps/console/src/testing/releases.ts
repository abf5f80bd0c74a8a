import type { Release, ReleaseStep } from '../api/types';

/** A release step for component tests: a finished canary group step unless `over` says otherwise. */
export const releaseStep = (over: Partial<ReleaseStep>): ReleaseStep => ({
  key: 'group:web.canary',
  kind: 'group',
  name: 'web.canary',
  stage: 0,
  status: 'SUCCEEDED',
  startedAt: '2026-11-25T10:00:00.000Z',
  error: null,
  message: null,
  rolloutId: 'r-canary',
  triggerNextStepManually: true,
  ignored: null,
  ...over,
});

/** A release for component tests: web:2 deploying, waiting for its manual advance after the canary, unless `over` says otherwise. */
export const releaseOf = (over: Partial<Release>): Release => ({
  releaseId: 'rel-aaaa-1111',
  service: 'web',
  jobId: 'web:2:abc',
  group: null,
  status: 'deploying',
  stage: 0,
  stages: 2,
  awaitingTrigger: true,
  finished: false,
  autoRollback: false,
  createdAt: '2026-11-25T10:00:00.000Z',
  updatedAt: '2026-11-25T10:05:00.000Z',
  deployedAt: null,
  certifyAt: null,
  abandonAt: null,
  error: null,
  rollbackReason: null,
  freezeOverride: null,
  badGroups: [],
  steps: [releaseStep({}), releaseStep({ key: 'group:web.main', name: 'web.main', stage: 1, status: 'PENDING', startedAt: null, rolloutId: null, triggerNextStepManually: false })],
  rollback: [],
  ...over,
});
