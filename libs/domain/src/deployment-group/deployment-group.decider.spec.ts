import { foldEvents } from '../decider';
import { ErrorCode } from '../errors';
import { given } from '../testing/given-when-then';
import { deploymentGroupDecider, type DeploymentGroupEvent } from './deployment-group.decider';

const t0 = '2024-01-01T00:00:00.000Z';
const t1 = '2024-01-01T00:01:00.000Z';
const fooBar = { label: 'foo', operator: 'EQUALS', operand: 'bar' } as const;
const bazQux = { label: 'baz', operator: 'EQUALS', operand: 'qux' } as const;
const created: DeploymentGroupEvent = { type: 'DeploymentGroupCreated', name: 'g', selectors: [fooBar, bazQux], time: t0 };
const rolling: DeploymentGroupEvent = { type: 'DeploymentGroupRolloutStarted', name: 'g', rolloutId: 'r1', jobId: 'foo:1:a', reason: 'MANUAL', time: t1 };

describe('deployment group: create', () => {
  it('parses text selectors; the group starts IDLE', () => {
    given(deploymentGroupDecider).when({ type: 'CreateDeploymentGroup', name: 'g', selectors: ['foo=bar', bazQux], time: t0 }).then([created]);
    expect(foldEvents(deploymentGroupDecider, [created])).toMatchObject({ status: 'IDLE', selectors: [fooBar, bazQux] });
  });

  it('the same name with logically equal selectors is "not modified": no events', () => {
    given(deploymentGroupDecider, [created]).when({ type: 'CreateDeploymentGroup', name: 'g', selectors: ['baz in (qux)', 'foo = bar'], time: t1 }).then([]);
  });

  it('the same name with other selectors or defaults: DEPLOYMENT_GROUP_ALREADY_EXISTS', () => {
    given(deploymentGroupDecider, [created]).when({ type: 'CreateDeploymentGroup', name: 'g', selectors: ['foo=bar'], time: t1 }).thenThrows(ErrorCode.DEPLOYMENT_GROUP_ALREADY_EXISTS);
    given(deploymentGroupDecider, [created])
      .when({ type: 'CreateDeploymentGroup', name: 'g', selectors: ['foo=bar', 'baz=qux'], defaults: { parallelism: 2 }, time: t1 })
      .thenThrows(ErrorCode.DEPLOYMENT_GROUP_ALREADY_EXISTS);
  });

  it('bad selectors, no selectors, or bad defaults are refused', () => {
    given(deploymentGroupDecider).when({ type: 'CreateDeploymentGroup', name: 'g', selectors: ['foo=bar', 'oops'], time: t0 }).thenThrows(ErrorCode.INVALID_HOST_SELECTOR);
    given(deploymentGroupDecider).when({ type: 'CreateDeploymentGroup', name: 'g', selectors: [], time: t0 }).thenThrows(ErrorCode.INVALID_HOST_SELECTOR);
    given(deploymentGroupDecider).when({ type: 'CreateDeploymentGroup', name: 'g', selectors: ['a=b'], defaults: { canary: -1 }, time: t0 }).thenThrows(ErrorCode.INVALID_ROLLOUT_OPTIONS);
  });
});

describe('deployment group: selectors, remove, stop', () => {
  it('UpdateDeploymentGroupSelectors records new selectors; equal ones change nothing', () => {
    given(deploymentGroupDecider, [created])
      .when({ type: 'UpdateDeploymentGroupSelectors', name: 'g', selectors: ['foo=bar'], time: t1 })
      .then([{ type: 'DeploymentGroupSelectorsUpdated', name: 'g', selectors: [fooBar], time: t1 }]);
    given(deploymentGroupDecider, [created]).when({ type: 'UpdateDeploymentGroupSelectors', name: 'g', selectors: ['baz=qux', 'foo=bar'], time: t1 }).then([]);
  });

  it('commands on a missing group: DEPLOYMENT_GROUP_NOT_FOUND', () => {
    given(deploymentGroupDecider).when({ type: 'RemoveDeploymentGroup', name: 'g', time: t0 }).thenThrows(ErrorCode.DEPLOYMENT_GROUP_NOT_FOUND);
    given(deploymentGroupDecider).when({ type: 'StopDeploymentGroup', name: 'g', time: t0 }).thenThrows(ErrorCode.DEPLOYMENT_GROUP_NOT_FOUND);
  });

  it('remove while rolling out names the rollout to stop', () => {
    given(deploymentGroupDecider, [created, rolling]).when({ type: 'RemoveDeploymentGroup', name: 'g', time: t1 }).then([{ type: 'DeploymentGroupRemoved', name: 'g', rolloutId: 'r1', time: t1 }]);
    expect(foldEvents(deploymentGroupDecider, [created, { type: 'DeploymentGroupRemoved', name: 'g', time: t1 }])).toEqual({ kind: 'none' });
  });

  it('stop: FAILED "Stopped by user", naming the rollout in flight; stopping again changes nothing', () => {
    const stopped: DeploymentGroupEvent = { type: 'DeploymentGroupStopped', name: 'g', error: 'Stopped by user', rolloutId: 'r1', time: t1 };
    given(deploymentGroupDecider, [created, rolling]).when({ type: 'StopDeploymentGroup', name: 'g', time: t1 }).then([stopped]);
    expect(foldEvents(deploymentGroupDecider, [created, rolling, stopped])).toMatchObject({ status: 'FAILED', error: 'Stopped by user' });
    given(deploymentGroupDecider, [created, rolling, stopped]).when({ type: 'StopDeploymentGroup', name: 'g', time: t1 }).then([]);
  });
});

describe('deployment group: status from its rollouts', () => {
  it('ROLLING_OUT, then DONE with the job marked stable', () => {
    const finished: DeploymentGroupEvent = { type: 'DeploymentGroupRolloutFinished', name: 'g', rolloutId: 'r1', status: 'DONE', jobId: 'foo:1:a', stable: true, time: t1 };
    given(deploymentGroupDecider, [created, rolling]).when({ type: 'FinishGroupRollout', name: 'g', rolloutId: 'r1', status: 'DONE', stable: true, time: t1 }).then([finished]);
    expect(foldEvents(deploymentGroupDecider, [created, rolling])).toMatchObject({ status: 'ROLLING_OUT', rolloutId: 'r1', jobId: 'foo:1:a' });
    expect(foldEvents(deploymentGroupDecider, [created, rolling, finished])).toMatchObject({ status: 'DONE', lastStableJobId: 'foo:1:a' });
  });

  it('a newer rollout supersedes the one in flight; the old one finishing late changes nothing', () => {
    given(deploymentGroupDecider, [created, rolling])
      .when({ type: 'StartGroupRollout', name: 'g', rolloutId: 'r2', jobId: 'foo:2:b', time: t1 })
      .then([{ type: 'DeploymentGroupRolloutStarted', name: 'g', rolloutId: 'r2', jobId: 'foo:2:b', reason: 'MANUAL', supersedes: 'r1', time: t1 }]);
    const second: DeploymentGroupEvent = { ...rolling, rolloutId: 'r2', jobId: 'foo:2:b' };
    given(deploymentGroupDecider, [created, rolling, second]).when({ type: 'FinishGroupRollout', name: 'g', rolloutId: 'r1', status: 'FAILED', time: t1 }).then([]);
  });

  it('a failed rollout keeps the last stable job; an identical rollout after a stop brings the group back to DONE', () => {
    const done: DeploymentGroupEvent = { type: 'DeploymentGroupRolloutFinished', name: 'g', rolloutId: 'r1', status: 'DONE', jobId: 'foo:1:a', stable: true, time: t1 };
    const r2: DeploymentGroupEvent = { ...rolling, rolloutId: 'r2', jobId: 'foo:2:b' };
    const failed: DeploymentGroupEvent = { type: 'DeploymentGroupRolloutFinished', name: 'g', rolloutId: 'r2', status: 'FAILED', error: 'h1: timeout', jobId: 'foo:2:b', stable: false, time: t1 };
    expect(foldEvents(deploymentGroupDecider, [created, rolling, done, r2, failed])).toMatchObject({ status: 'FAILED', error: 'h1: timeout', jobId: 'foo:2:b', lastStableJobId: 'foo:1:a' });
    const r3: DeploymentGroupEvent = { ...rolling, rolloutId: 'r3', jobId: 'foo:2:b' };
    const r3done: DeploymentGroupEvent = { ...done, rolloutId: 'r3', jobId: 'foo:2:b' };
    const state = foldEvents(deploymentGroupDecider, [created, rolling, done, r2, failed, r3, r3done]);
    expect(state).toMatchObject({ status: 'DONE', lastStableJobId: 'foo:2:b' });
    expect(state).not.toHaveProperty('error');
  });

  it('a retried rollout puts its group back to ROLLING_OUT; starting it again while it runs changes nothing', () => {
    const failed: DeploymentGroupEvent = { type: 'DeploymentGroupRolloutFinished', name: 'g', rolloutId: 'r1', status: 'FAILED', error: 'h1: timeout', jobId: 'foo:1:a', stable: false, time: t1 };
    const retry = { type: 'StartGroupRollout', name: 'g', rolloutId: 'r1', jobId: 'foo:1:a', reason: 'MANUAL', time: t1 } as const;
    given(deploymentGroupDecider, [created, rolling]).when(retry).then([]);
    given(deploymentGroupDecider, [created, rolling, failed]).when(retry).then([{ ...rolling }]);
    expect(foldEvents(deploymentGroupDecider, [created, rolling, failed, rolling])).toMatchObject({ status: 'ROLLING_OUT', rolloutId: 'r1' });
  });
});
