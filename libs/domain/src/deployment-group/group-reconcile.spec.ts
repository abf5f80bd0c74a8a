import { foldEvents } from '../decider';
import { rolloutDecider } from '../rollout/rollout.decider';
import { deploymentGroupDecider, type DeploymentGroupEvent } from './deployment-group.decider';
import { groupFinishOf, groupReconcile } from './group-reconcile';

const t0 = '2024-01-01T00:00:00.000Z';
const created: DeploymentGroupEvent = { type: 'DeploymentGroupCreated', name: 'g', selectors: [{ label: 'role', operator: 'EQUALS', operand: 'web' }], time: t0 };
const started: DeploymentGroupEvent = { type: 'DeploymentGroupRolloutStarted', name: 'g', rolloutId: 'r1', jobId: 'web:1:a', reason: 'MANUAL', time: t0 };
const done = (status: 'DONE' | 'FAILED', reason: 'MANUAL' | 'HOSTS_CHANGED' = 'MANUAL') =>
  foldEvents(deploymentGroupDecider, [
    created,
    { ...started, reason },
    { type: 'DeploymentGroupRolloutFinished', name: 'g', rolloutId: 'r1', status, jobId: 'web:1:a', stable: status === 'DONE', time: t0 },
  ]);
const web = { labels: { role: 'web' }, status: 'UP' } as const;
const owned = (jobId: string) => ({ jobId, goal: 'START', deploymentGroupName: 'g', state: 'RUNNING' }) as const;

describe('groupReconcile (automatic rollouts)', () => {
  it('new matching UP hosts get the job (HOSTS_CHANGED), in natural order; DOWN ones wait', () => {
    const hosts = [
      { host: 'h10', ...web },
      { host: 'h2', ...web },
      { host: 'h1', ...web },
      { host: 'h3', ...web, status: 'DOWN' as const },
      { host: 'db1', labels: { role: 'db' }, status: 'UP' as const },
    ];
    expect(groupReconcile(done('DONE'), hosts, { h1: [owned('web:1:a')] })).toEqual({ deployTo: ['h2', 'h10'], undeploy: [], reason: 'HOSTS_CHANGED' });
  });

  it('hosts that stop matching or are deregistered are undeployed', () => {
    const hosts = [{ host: 'h1', labels: { role: 'db' }, status: 'UP' as const }];
    const result = groupReconcile(done('DONE'), hosts, { h1: [owned('web:1:a')], gone: [owned('web:1:a'), { jobId: 'x:1:b', goal: 'START' }] });
    expect(result.undeploy).toEqual([{ host: 'gone', jobId: 'web:1:a' }, { host: 'h1', jobId: 'web:1:a' }]);
  });

  it('nothing while rolling out; no deploys after a failed MANUAL rollout, but after a failed HOSTS_CHANGED one', () => {
    const hosts = [{ host: 'h1', ...web }];
    expect(groupReconcile(foldEvents(deploymentGroupDecider, [created, started]), hosts, {}).deployTo).toEqual([]);
    expect(groupReconcile(done('FAILED'), hosts, {}).deployTo).toEqual([]);
    expect(groupReconcile(done('FAILED', 'HOSTS_CHANGED'), hosts, {}).deployTo).toEqual(['h1']);
  });

  it('maps terminal rollout events to the group outcome', () => {
    const events = rolloutDecider.decide({ type: 'StartRollout', rolloutId: 'r1', group: 'g', jobId: 'web:1:a', hosts: [], time: t0 }, rolloutDecider.initialState);
    const state = foldEvents(rolloutDecider, events);
    const last = events.at(-1);
    if (last === undefined) throw new Error('no events');
    expect(groupFinishOf(last, state)).toEqual({ name: 'g', rolloutId: 'r1', status: 'DONE', jobId: 'web:1:a', stable: true });
  });
});
