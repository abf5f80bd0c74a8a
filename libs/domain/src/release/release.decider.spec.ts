import { foldEvents } from '../decider';
import { ErrorCode } from '../errors';
import { readPipeline, type Pipeline } from '../pipeline/pipeline';
import { given } from '../testing/given-when-then';
import { releaseOperatorActions, type Release, type ReleaseEvent, type ReleaseOperatorAction } from './release';
import { releaseDecider, type ReleaseCommand, type StartRelease } from './release.decider';
import { badGroupsOf, nextReleaseDeadline, pendingReleaseActions } from './release-process';

const t0 = '2026-01-01T00:00:00.000Z';
const t1 = '2026-01-01T00:01:00.000Z';
const t2 = '2026-01-01T00:02:00.000Z';
const t3 = '2026-01-01T00:03:00.000Z';
const id = 'rel-1';
const job = 'web:2:abc';

function pipelineOf(raw: unknown): Pipeline {
  const { pipeline, problems } = readPipeline(raw, 'web');
  if (pipeline === undefined) throw new Error(JSON.stringify(problems));
  return pipeline;
}

// itest (gate) → canary (manual trigger) → main
const standard = pipelineOf({ pipeline: [{ gate: 'itest', timeout: 120 }, { step: '{service}.canary', trigger_next_step_manually: true }, { step: 'main' }] });
const startCommand = (overrides: Partial<StartRelease> = {}): StartRelease => ({
  type: 'StartRelease',
  releaseId: id,
  service: 'web',
  jobId: job,
  pipeline: standard,
  previousJobs: { 'web.canary': 'web:1:old', main: 'web:1:old' },
  badGroups: [],
  time: t0,
  ...overrides,
});

/** Events of `commands` applied in turn from `history`: what a run of the release appends. */
function run(history: readonly ReleaseEvent[], ...commands: ReleaseCommand[]): ReleaseEvent[] {
  const all = [...history];
  for (const command of commands) all.push(...releaseDecider.decide(command, foldEvents(releaseDecider, all)));
  return all;
}

const stateOf = (events: readonly ReleaseEvent[]) => foldEvents(releaseDecider, events) as Release;
const types = (events: readonly ReleaseEvent[]) => events.map((event) => event.type);
const started = run([], startCommand());
const gatePassed = run(started, { type: 'ReportGate', releaseId: id, gate: 'itest', passed: true, time: t1 });
const canaryRolling = run(gatePassed, { type: 'RecordStepRollout', releaseId: id, step: 'group:web.canary', rolloutId: 'r-canary', time: t1 });
const canaryDone = run(canaryRolling, { type: 'ObserveReleaseRollouts', releaseId: id, rollouts: [{ rolloutId: 'r-canary', status: 'SUCCEEDED' }], time: t2 });
const mainRolling = run(canaryDone, { type: 'AdvanceRelease', releaseId: id, time: t2 }, { type: 'RecordStepRollout', releaseId: id, step: 'group:main', rolloutId: 'r-main', time: t2 });

describe('release: a pipeline driven to complete', () => {
  it('StartRelease records the plan and starts the first stage (the gate runs, no rollout yet)', () => {
    expect(types(started)).toEqual(['ReleaseStarted', 'ReleaseStageStarted']);
    const release = stateOf(started);
    expect(release).toMatchObject({ status: 'deploying', stage: 0, options: { autoRollback: false, autoCertifyDelay: 0, autoAbandonDelay: 600, force: false } });
    expect(release.steps['gate:itest']).toMatchObject({ status: 'RUNNING', startedAt: t0 });
    expect(pendingReleaseActions(release)).toEqual([]);
    expect(nextReleaseDeadline(release)).toBe('2026-01-01T00:02:00.000Z');
  });

  it('a passed gate starts the next stage, which asks for the canary rollout', () => {
    given(releaseDecider, started)
      .when({ type: 'ReportGate', releaseId: id, gate: 'itest', passed: true, message: 'green', time: t1 })
      .then([
        { type: 'ReleaseStepSucceeded', releaseId: id, step: 'gate:itest', message: 'green', time: t1 },
        { type: 'ReleaseStageStarted', releaseId: id, stage: 1, skipped: [], time: t1 },
      ]);
    expect(pendingReleaseActions(stateOf(gatePassed))).toEqual([{ type: 'StartStepRollout', step: 'group:web.canary', group: 'web.canary', jobId: job }]);
  });

  it('recording the rollout clears the action; recording it again changes nothing', () => {
    expect(pendingReleaseActions(stateOf(canaryRolling))).toEqual([]);
    given(releaseDecider, canaryRolling).when({ type: 'RecordStepRollout', releaseId: id, step: 'group:web.canary', rolloutId: 'r-canary', time: t1 }).then([]);
  });

  it('a rollout still running changes nothing; a succeeded canary waits for the manual trigger', () => {
    given(releaseDecider, canaryRolling).when({ type: 'ObserveReleaseRollouts', releaseId: id, rollouts: [{ rolloutId: 'r-canary', status: 'ROLLING_OUT' }], time: t2 }).then([]);
    expect(types(canaryDone.slice(canaryRolling.length))).toEqual(['ReleaseStepSucceeded', 'ReleaseAwaitingTrigger']);
    expect(stateOf(canaryDone)).toMatchObject({ status: 'deploying', awaitingTrigger: true, stage: 1 });
    expect(pendingReleaseActions(stateOf(canaryDone))).toEqual([]);
  });

  it('advance is refused unless a manual trigger is pending, and starts the next stage when it is', () => {
    given(releaseDecider, canaryRolling).when({ type: 'AdvanceRelease', releaseId: id, time: t2 }).thenThrows(ErrorCode.RELEASE_STATE_CONFLICT);
    given(releaseDecider, canaryDone)
      .when({ type: 'AdvanceRelease', releaseId: id, time: t2 })
      .then([
        { type: 'ReleaseAdvanced', releaseId: id, stage: 1, time: t2 },
        { type: 'ReleaseStageStarted', releaseId: id, stage: 2, skipped: [], time: t2 },
      ]);
  });

  it('the last step done: deployed, and with no auto-certify delay complete at once', () => {
    const done = run(mainRolling, { type: 'ObserveReleaseRollouts', releaseId: id, rollouts: [{ rolloutId: 'r-main', status: 'SUCCEEDED' }], time: t3 });
    expect(types(done.slice(mainRolling.length))).toEqual(['ReleaseStepSucceeded', 'ReleaseDeployed', 'ReleaseCompleted']);
    expect(stateOf(done).status).toBe('complete');
    expect(nextReleaseDeadline(stateOf(done))).toBeUndefined();
  });

  it('with an auto-certify delay it stays deployed until a tick after the delay; snooze pushes it back; complete ends it', () => {
    const history = run(
      [],
      startCommand({ pipeline: pipelineOf({ pipeline: [{ step: 'main' }] }), autoCertifyDelay: 60 }),
      { type: 'RecordStepRollout', releaseId: id, step: 'group:main', rolloutId: 'r', time: t0 },
      { type: 'ObserveReleaseRollouts', releaseId: id, rollouts: [{ rolloutId: 'r', status: 'SUCCEEDED' }], time: t0 },
    );
    expect(stateOf(history)).toMatchObject({ status: 'deployed', certifyAt: t1 });
    expect(nextReleaseDeadline(stateOf(history))).toBe(t1);
    given(releaseDecider, history).when({ type: 'TickRelease', releaseId: id, time: '2026-01-01T00:00:59.000Z' }).then([]);
    given(releaseDecider, history).when({ type: 'TickRelease', releaseId: id, time: t1 }).then([{ type: 'ReleaseCompleted', releaseId: id, auto: true, time: t1 }]);
    const snoozed = run(history, { type: 'SnoozeRelease', releaseId: id, seconds: 120, time: t0 });
    expect(stateOf(snoozed).certifyAt).toBe(t2);
    given(releaseDecider, snoozed).when({ type: 'TickRelease', releaseId: id, time: t1 }).then([]);
    given(releaseDecider, history).when({ type: 'CompleteRelease', releaseId: id, time: t0 }).then([{ type: 'ReleaseCompleted', releaseId: id, auto: false, time: t0 }]);
    given(releaseDecider, started).when({ type: 'CompleteRelease', releaseId: id, time: t0 }).thenThrows(ErrorCode.RELEASE_STATE_CONFLICT);
  });
});

describe('release: parallel blocks, disabled steps, ignore_failure, wait_for_deployment', () => {
  const parallel = pipelineOf({
    pipeline: [
      { parallel: [{ step: 'east' }, { step: 'west', ignore_failure: true }, { gate: 'perf' }], trigger_next_step_manually: true },
      { step: 'skip-me', disabled: true },
      { step: 'last', wait_for_deployment: false },
    ],
  });
  const history = run([], startCommand({ pipeline: parallel, previousJobs: {} }));

  it('every step of a parallel block runs together', () => {
    expect(pendingReleaseActions(stateOf(history)).map((action) => action.type === 'StartStepRollout' && action.group)).toEqual(['east', 'west']);
    expect(stateOf(history).steps['gate:perf']?.status).toBe('RUNNING');
  });

  it('the block ends when all its steps have; an ignored failure does not stop it; disabled steps are skipped; wait_for_deployment: false succeeds on start', () => {
    const rolling = run(
      history,
      { type: 'RecordStepRollout', releaseId: id, step: 'group:east', rolloutId: 'e', time: t1 },
      { type: 'RecordStepRollout', releaseId: id, step: 'group:west', rolloutId: 'w', time: t1 },
      { type: 'ObserveReleaseRollouts', releaseId: id, rollouts: [{ rolloutId: 'e', status: 'SUCCEEDED' }, { rolloutId: 'w', status: 'FAILED', error: 'boom' }], time: t1 },
    );
    expect(stateOf(rolling)).toMatchObject({ stage: 0, awaitingTrigger: false });
    expect(stateOf(rolling).steps['group:west']).toMatchObject({ status: 'FAILED', ignored: true });
    const gated = run(rolling, { type: 'ReportGate', releaseId: id, gate: 'perf', passed: true, time: t2 });
    expect(stateOf(gated).awaitingTrigger).toBe(true);
    const advanced = run(gated, { type: 'AdvanceRelease', releaseId: id, time: t2 });
    expect(types(advanced.slice(gated.length))).toEqual(['ReleaseAdvanced', 'ReleaseStageStarted', 'ReleaseStageStarted']);
    expect(stateOf(advanced).steps['group:skip-me']?.status).toBe('SKIPPED');
    const last = run(advanced, { type: 'RecordStepRollout', releaseId: id, step: 'group:last', rolloutId: 'l', time: t3 });
    expect(types(last.slice(advanced.length))).toEqual(['ReleaseStepRolloutStarted', 'ReleaseStepSucceeded', 'ReleaseDeployed', 'ReleaseCompleted']);
  });
});

describe('release: failures, timeouts and rollbacks', () => {
  it('a failed gate without auto-rollback fails the release; it can then be rolled back or abandoned', () => {
    const failed = run(started, { type: 'ReportGate', releaseId: id, gate: 'itest', passed: false, message: '3 tests failed', time: t1 });
    expect(types(failed.slice(started.length))).toEqual(['ReleaseStepFailed', 'ReleaseFailed']);
    expect(stateOf(failed)).toMatchObject({ status: 'failed', error: 'step itest failed: 3 tests failed' });
    given(releaseDecider, failed).when({ type: 'AbandonRelease', releaseId: id, time: t2 }).then([{ type: 'ReleaseAbandoned', releaseId: id, auto: false, time: t2 }]);
  });

  it('a gate verdict for a gate that is not running is refused', () => {
    given(releaseDecider, gatePassed).when({ type: 'ReportGate', releaseId: id, gate: 'itest', passed: true, time: t1 }).thenThrows(ErrorCode.GATE_NOT_PENDING);
    given(releaseDecider, started).when({ type: 'ReportGate', releaseId: id, gate: 'nope', passed: true, time: t1 }).thenThrows(ErrorCode.GATE_NOT_PENDING);
  });

  it('a gate times out at a tick after its timeout', () => {
    given(releaseDecider, started).when({ type: 'TickRelease', releaseId: id, time: '2026-01-01T00:01:59.000Z' }).then([]);
    const timedOut = run(started, { type: 'TickRelease', releaseId: id, time: t2 });
    expect(timedOut.slice(started.length)).toEqual([
      { type: 'ReleaseStepFailed', releaseId: id, step: 'gate:itest', error: 'timed out after 120s', ignored: false, time: t2 },
      { type: 'ReleaseFailed', releaseId: id, error: 'step itest failed: timed out after 120s', time: t2 },
    ]);
  });

  it('the release timeout bounds group steps that have none', () => {
    const history = run([], startCommand({ pipeline: pipelineOf({ pipeline: [{ step: 'main' }] }), timeout: 30 }));
    expect(nextReleaseDeadline(stateOf(history))).toBe('2026-01-01T00:00:30.000Z');
    expect(stateOf(run(history, { type: 'TickRelease', releaseId: id, time: t1 })).status).toBe('failed');
  });

  it('a failing step with auto-rollback rolls every touched group back to its previous job, then marks the version bad', () => {
    const history = run([], startCommand({ autoRollback: true }));
    const failing = run(
      history,
      { type: 'ReportGate', releaseId: id, gate: 'itest', passed: true, time: t0 },
      { type: 'RecordStepRollout', releaseId: id, step: 'group:web.canary', rolloutId: 'c', time: t0 },
      { type: 'ObserveReleaseRollouts', releaseId: id, rollouts: [{ rolloutId: 'c', status: 'SUCCEEDED' }], time: t0 },
      { type: 'AdvanceRelease', releaseId: id, time: t0 },
      { type: 'RecordStepRollout', releaseId: id, step: 'group:main', rolloutId: 'm', time: t0 },
      { type: 'ObserveReleaseRollouts', releaseId: id, rollouts: [{ rolloutId: 'm', status: 'REVERTED', error: '2 hosts failed' }], time: t1 },
    );
    const rollback = failing.find((event) => event.type === 'ReleaseRollbackStarted');
    expect(rollback).toEqual({
      type: 'ReleaseRollbackStarted',
      releaseId: id,
      reason: 'step main failed: rollout reverted: 2 hosts failed',
      auto: true,
      groups: [
        { group: 'web.canary', toJobId: 'web:1:old' },
        { group: 'main', toJobId: 'web:1:old' },
      ],
      unrestorable: [],
      time: t1,
    });
    const release = stateOf(failing);
    expect(release.status).toBe('rolling_back');
    expect(release.options.autoCertifyDelay).toBe(600);
    expect(pendingReleaseActions(release)).toEqual([
      { type: 'StartRollbackRollout', group: 'web.canary', jobId: 'web:1:old' },
      { type: 'StartRollbackRollout', group: 'main', jobId: 'web:1:old' },
    ]);
    const back = run(
      failing,
      { type: 'RecordRollbackRollout', releaseId: id, group: 'web.canary', rolloutId: 'bc', time: t1 },
      { type: 'RecordRollbackRollout', releaseId: id, group: 'main', rolloutId: 'bm', time: t1 },
      { type: 'ObserveReleaseRollouts', releaseId: id, rollouts: [{ rolloutId: 'bc', status: 'SUCCEEDED' }], time: t2 },
    );
    expect(stateOf(back).status).toBe('rolling_back');
    const done = run(back, { type: 'ObserveReleaseRollouts', releaseId: id, rollouts: [{ rolloutId: 'bm', status: 'SUCCEEDED' }], time: t2 });
    expect(done.at(-1)).toEqual({ type: 'ReleaseRolledBack', releaseId: id, jobId: job, badGroups: ['web.canary', 'main'], time: t2 });
    const rolledBack = stateOf(done);
    expect(rolledBack).toMatchObject({ status: 'rolled_back', abandonAt: '2026-01-01T00:12:00.000Z' });
    expect(badGroupsOf([rolledBack], job)).toEqual(['main', 'web.canary']);
    expect(badGroupsOf([rolledBack], 'other:1:x')).toEqual([]);
    given(releaseDecider, done).when({ type: 'TickRelease', releaseId: id, time: '2026-01-01T00:12:00.000Z' }).then([{ type: 'ReleaseAbandoned', releaseId: id, auto: true, time: '2026-01-01T00:12:00.000Z' }]);
  });

  it('a rollback whose rollout fails leaves the release failed', () => {
    const history = run(
      canaryRolling,
      { type: 'RollbackRelease', releaseId: id, reason: 'bad metrics', time: t1 },
      { type: 'RecordRollbackRollout', releaseId: id, group: 'web.canary', rolloutId: 'b', time: t1 },
      { type: 'ObserveReleaseRollouts', releaseId: id, rollouts: [{ rolloutId: 'b', status: 'FAILED', error: 'no hosts' }], time: t2 },
    );
    expect(stateOf(history)).toMatchObject({ status: 'failed', error: 'rollback failed for web.canary (no hosts)', rollbackReason: 'bad metrics' });
  });

  it('a group without a previous job cannot be restored; with nothing to restore the rollback ends at once', () => {
    const history = run([], startCommand({ previousJobs: {}, pipeline: pipelineOf({ pipeline: [{ step: 'main' }] }) }), {
      type: 'RollbackRelease',
      releaseId: id,
      time: t1,
    });
    expect(history.find((event) => event.type === 'ReleaseRollbackStarted')).toMatchObject({ groups: [], unrestorable: ['main'] });
    expect(stateOf(history)).toMatchObject({ status: 'rolled_back', badGroups: ['main'] });
  });

  it('operator commands outside their states are refused', () => {
    const complete = run(mainRolling, { type: 'ObserveReleaseRollouts', releaseId: id, rollouts: [{ rolloutId: 'r-main', status: 'SUCCEEDED' }], time: t3 });
    given(releaseDecider, complete).when({ type: 'RollbackRelease', releaseId: id, time: t3 }).thenThrows(ErrorCode.RELEASE_STATE_CONFLICT);
    given(releaseDecider, complete).when({ type: 'AbandonRelease', releaseId: id, time: t3 }).thenThrows(ErrorCode.RELEASE_STATE_CONFLICT);
    given(releaseDecider, started).when({ type: 'SnoozeRelease', releaseId: id, time: t3 }).thenThrows(ErrorCode.RELEASE_STATE_CONFLICT);
    given(releaseDecider).when({ type: 'AdvanceRelease', releaseId: id, time: t3 }).thenThrows(ErrorCode.RELEASE_NOT_FOUND);
    given(releaseDecider, started).when(startCommand()).thenThrows(ErrorCode.RELEASE_ALREADY_EXISTS);
  });
});

describe('release: the operator actions a release offers', () => {
  const mainOnly = pipelineOf({ pipeline: [{ step: 'main' }] });
  const deployed = run(
    [],
    startCommand({ pipeline: mainOnly, autoCertifyDelay: 60 }),
    { type: 'RecordStepRollout', releaseId: id, step: 'group:main', rolloutId: 'r', time: t0 },
    { type: 'ObserveReleaseRollouts', releaseId: id, rollouts: [{ rolloutId: 'r', status: 'SUCCEEDED' }], time: t0 },
  );
  const failed = run(started, { type: 'ReportGate', releaseId: id, gate: 'itest', passed: false, time: t1 });
  const histories: Record<string, ReleaseEvent[]> = {
    'deploying, running a gate': started,
    'deploying, awaiting the trigger': canaryDone,
    deployed,
    failed,
    rolling_back: run(canaryRolling, { type: 'RollbackRelease', releaseId: id, time: t1 }),
    rolled_back: run([], startCommand({ previousJobs: {}, pipeline: mainOnly }), { type: 'RollbackRelease', releaseId: id, time: t1 }),
    complete: run(mainRolling, { type: 'ObserveReleaseRollouts', releaseId: id, rollouts: [{ rolloutId: 'r-main', status: 'SUCCEEDED' }], time: t3 }),
    abandoned: run(failed, { type: 'AbandonRelease', releaseId: id, time: t2 }),
  };
  const commandOf: Record<ReleaseOperatorAction, ReleaseCommand> = {
    advance: { type: 'AdvanceRelease', releaseId: id, time: t3 },
    complete: { type: 'CompleteRelease', releaseId: id, time: t3 },
    abandon: { type: 'AbandonRelease', releaseId: id, time: t3 },
    rollback: { type: 'RollbackRelease', releaseId: id, reason: 'bad', time: t3 },
    snooze: { type: 'SnoozeRelease', releaseId: id, time: t3 },
  };

  it.each(Object.entries(histories))('%s: exactly the actions the decider accepts', (_name, history) => {
    const release = stateOf(history);
    const accepted = (Object.keys(commandOf) as ReleaseOperatorAction[]).filter((action) => {
      try {
        releaseDecider.decide(commandOf[action], release);
        return true;
      } catch {
        return false;
      }
    });
    expect(releaseOperatorActions(release)).toEqual(accepted);
  });

  it('the histories cover every state; a finished release offers nothing; one waiting for its trigger offers advance', () => {
    expect(new Set(Object.values(histories).map((history) => stateOf(history).status))).toEqual(new Set(['deploying', 'deployed', 'failed', 'rolling_back', 'rolled_back', 'complete', 'abandoned']));
    expect(releaseOperatorActions(stateOf(histories['complete'] ?? []))).toEqual([]);
    expect(releaseOperatorActions(stateOf(canaryDone))).toEqual(['advance', 'abandon', 'rollback']);
  });
});

describe('release: start options', () => {
  it('a version marked bad for a group is refused there without force', () => {
    const error = given(releaseDecider).when(startCommand({ badGroups: ['main'] })).thenThrows(ErrorCode.VERSION_MARKED_BAD);
    expect(error.details).toEqual({ jobId: job, groups: ['main'] });
    expect(types(run([], startCommand({ badGroups: ['main'], force: true })))).toEqual(['ReleaseStarted', 'ReleaseStageStarted']);
  });

  it('--group moves one group only, keeping its pipeline step options; no pipeline needs a group', () => {
    const one = stateOf(run([], startCommand({ group: 'web.canary' })));
    expect(Object.keys(one.steps)).toEqual(['group:web.canary']);
    expect(one.stages).toEqual([{ steps: ['group:web.canary'], triggerNextStepManually: false }]);
    expect(one.previousJobs).toEqual({ 'web.canary': 'web:1:old' });
    const { pipeline: _unused, ...withoutPipeline } = startCommand();
    expect(Object.keys(stateOf(run([], { ...withoutPipeline, group: 'other' })).steps)).toEqual(['group:other']);
    given(releaseDecider).when(withoutPipeline).thenThrows(ErrorCode.PIPELINE_NOT_FOUND);
  });
});

describe('release: rollouts the process manager could not start', () => {
  it('a step whose rollout could not start fails; a rollback group that could not start fails the rollback', () => {
    const failed = run(gatePassed, { type: 'ReportStepError', releaseId: id, step: 'group:web.canary', error: 'Deployment group not found: web.canary', time: t1 });
    expect(stateOf(failed)).toMatchObject({ status: 'failed', error: 'step web.canary failed: Deployment group not found: web.canary' });
    given(releaseDecider, failed).when({ type: 'ReportStepError', releaseId: id, step: 'group:web.canary', error: 'again', time: t1 }).then([]);
    const rollback = run(canaryRolling, { type: 'RollbackRelease', releaseId: id, time: t1 }, { type: 'ReportRollbackError', releaseId: id, group: 'web.canary', error: 'Job not found', time: t1 });
    expect(stateOf(rollback)).toMatchObject({ status: 'failed', error: 'rollback failed for web.canary (Job not found)', rollbackStartedAt: t1 });
  });
});

describe('release: rollout options for its group steps', () => {
  it('a release started with rollout options asks for its rollouts with them', () => {
    const release = stateOf(run([], startCommand({ group: 'main', rolloutOptions: { prestage: true, prestageQuorum: 2, maxUnavailable: 1 } })));
    expect(pendingReleaseActions(release)).toEqual([{ type: 'StartStepRollout', step: 'group:main', group: 'main', jobId: job, options: { prestage: true, prestageQuorum: 2, maxUnavailable: 1 } }]);
  });
});
