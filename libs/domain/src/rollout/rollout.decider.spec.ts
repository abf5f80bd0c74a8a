import { ErrorCode } from '../errors';
import { given } from '../testing/given-when-then';
import { actionsOf, pendingActions } from './rollout-actions';
import { nextDeadline } from './rollout-deadline';
import { rolloutDecider } from './rollout.decider';
import { rolloutHost } from './rollout-state';
import { at, FakeFleet, GROUP, hostOn, job, ROLLOUT, RolloutDriver, round, start, V1, V2 } from './rollout.fixtures';

const fleetOf = (...names: string[]) => names.map((name) => hostOn(name));
const base = (seconds: number) => ({ rolloutId: ROLLOUT, time: at(seconds) });

describe('rollout: start and plan', () => {
  it('orders hosts naturally and plans batches of `parallelism`', () => {
    const driver = new RolloutDriver();
    const events = driver.send(start(fleetOf('host10', 'host2', 'host1', 'host3'), { parallelism: 2 }));
    expect(driver.types(events)).toEqual(['RolloutStarted', 'BatchStarted']);
    const [started, batch] = events;
    expect(started?.type === 'RolloutStarted' && started.plan.batches).toEqual([['host1', 'host2'], ['host3', 'host10']]);
    expect(batch).toEqual({ type: 'BatchStarted', ...base(0), batch: 0, hosts: ['host1', 'host2'], canary: false });
  });

  it('default parallelism 1: one host at a time, the next batch in the same decision as the last healthy host', () => {
    const driver = new RolloutDriver();
    const fleet = new FakeFleet(fleetOf('a1', 'a2'));
    driver.send(start(fleet.observations()));
    round(driver, fleet, at(5));
    expect(driver.ofType('BatchStarted').map((event) => event.hosts)).toEqual([['a1'], ['a2']]);
    round(driver, fleet, at(10));
    expect(driver.types().slice(-2)).toEqual(['HostsHealthy', 'RolloutSucceeded']);
    expect(driver.ofType('RolloutSucceeded')[0]).toMatchObject({ failedHosts: [], skippedHosts: [], stable: true });
  });

  it('lists alike hosts once per class: 10,000 hosts start in well under NATS\'s 1 MB payload, state row for row', () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `fleet-host${i + 1}`);
    const hosts = names.map((name, i) => (i % 100 === 0 ? hostOn(name, [job(V1)], 'DOWN') : hostOn(name)));
    const driver = new RolloutDriver();
    const [started] = driver.send(start([...hosts].reverse(), { parallelism: 1_000 }));
    if (started?.type !== 'RolloutStarted') throw new Error('no RolloutStarted');
    expect(started.hostClasses).toHaveLength(2);
    expect(JSON.stringify(started).length).toBeLessThan(600_000);
    const state = driver.state;
    if (state.kind !== 'rollout') throw new Error('no rollout');
    expect(state.order).toEqual(names);
    expect(rolloutHost(state, 'fleet-host1')).toMatchObject({ host: 'fleet-host1', step: 'SKIPPED', up: false });
    expect(rolloutHost(state, 'fleet-host2')).toMatchObject({ host: 'fleet-host2', step: 'DEPLOYING', up: true, oldJobIds: [V1] });
  });

  it('an empty group is done at once (Helios: an empty plan is DONE)', () => {
    const driver = new RolloutDriver();
    expect(driver.types(driver.send(start([])))).toEqual(['RolloutStarted', 'RolloutSucceeded']);
  });

  it('a rollout id is used once: ROLLOUT_ALREADY_EXISTS; other commands need one: ROLLOUT_NOT_FOUND', () => {
    const driver = new RolloutDriver();
    const events = driver.send(start(fleetOf('h1')));
    given(rolloutDecider, events).when(start(fleetOf('h1'))).thenThrows(ErrorCode.ROLLOUT_ALREADY_EXISTS);
    given(rolloutDecider).when({ type: 'Tick', ...base(1) }).thenThrows(ErrorCode.ROLLOUT_NOT_FOUND);
  });

  it('invalid options are refused before anything happens', () => {
    given(rolloutDecider).when(start(fleetOf('h1'), { parallelism: 0 })).thenThrows(ErrorCode.INVALID_ROLLOUT_OPTIONS);
  });
});

describe('rollout: Helios options', () => {
  it('without overlap: undeploy the old job, then deploy the new one, with the group name and token', () => {
    const driver = new RolloutDriver();
    const events = driver.send(start(fleetOf('h1'), { token: 'secret' }));
    const batch = events[1];
    if (batch === undefined) throw new Error('no batch');
    const common = { rolloutId: ROLLOUT, host: 'h1', deploymentGroupName: GROUP, token: 'secret' };
    expect(actionsOf(batch, driver.state)).toEqual([
      { type: 'UndeployJob', ...common, jobId: V1 },
      { type: 'DeployJob', ...common, jobId: V2 },
    ]);
  });

  it("separate tokens: the old job is undeployed with oldJobToken, the new one deployed with token; a revert swaps them", () => {
    const driver = new RolloutDriver();
    const fleet = new FakeFleet(fleetOf('h1', 'h2'));
    const events = driver.send(start(fleet.observations(), { token: 'new', oldJobToken: '', autoRevert: true }, { revertTo: V1 }));
    const batch = events[1];
    if (batch === undefined) throw new Error('no batch');
    const common = { rolloutId: ROLLOUT, host: 'h1', deploymentGroupName: GROUP };
    expect(actionsOf(batch, driver.state)).toEqual([
      { type: 'UndeployJob', ...common, jobId: V1, token: '' },
      { type: 'DeployJob', ...common, jobId: V2, token: 'new' },
    ]);
    fleet.apply(pendingActions(driver.state));
    driver.send({ type: 'FailRollout', ...base(1) });
    expect(driver.rollout.status).toBe('REVERTING');
    expect(pendingActions(driver.state)).toEqual([
      { type: 'UndeployJob', ...common, jobId: V2, token: 'new' },
      { type: 'DeployJob', ...common, jobId: V1, token: '' },
    ]);
  });

  it('overlap: deploy first, undeploy the old job once the host is healthy', () => {
    const driver = new RolloutDriver();
    const fleet = new FakeFleet(fleetOf('h1'));
    driver.send(start(fleet.observations(), { overlap: true }));
    expect(pendingActions(driver.state).map((action) => action.type)).toEqual(['DeployJob']);
    round(driver, fleet, at(5));
    const healthy = driver.ofType('HostsHealthy')[0];
    if (healthy === undefined) throw new Error('not healthy');
    expect(actionsOf(healthy, driver.state)).toEqual([{ type: 'UndeployJob', rolloutId: ROLLOUT, host: 'h1', jobId: V1, deploymentGroupName: GROUP, token: '' }]);
    fleet.apply(pendingActions(driver.state));
    driver.observe(at(6), ...fleet.observations());
    expect(pendingActions(driver.state)).toEqual([]);
  });

  it('re-rolling the same job is a no-op on hosts running it; a stopped copy is restarted', () => {
    const driver = new RolloutDriver();
    const events = driver.send(start([hostOn('h1', [job(V2)]), hostOn('h2', [job(V2, 'STOPPED', { goal: 'STOP' })])]));
    const started = events[0];
    expect(started?.type === 'RolloutStarted' && started.plan.upToDate).toEqual(['h1']);
    expect(pendingActions(driver.state).map((action) => `${action.type} ${action.host} ${action.jobId}`)).toEqual([`UndeployJob h2 ${V2}`, `DeployJob h2 ${V2}`]);
  });

  it('migrate adopts a manually deployed copy of the job; other jobs stay untouched', () => {
    const manual = hostOn('h1', [job(V2, 'RUNNING', { deploymentGroupName: undefined }), job('other:1:x', 'RUNNING', { deploymentGroupName: undefined })]);
    const driver = new RolloutDriver();
    driver.send(start([manual], { migrate: true }));
    expect(pendingActions(driver.state).map((action) => `${action.type} ${action.jobId}`)).toEqual([`UndeployJob ${V2}`, `DeployJob ${V2}`]);
  });

  it('without migrate a manual copy of the job fails the host (Helios JOB_ALREADY_DEPLOYED)', () => {
    const driver = new RolloutDriver();
    driver.send(start([hostOn('h1', [job(V2, 'RUNNING', { deploymentGroupName: undefined })])]));
    expect(driver.ofType('HostsFailed')[0]?.failures[0]?.reason).toBe('conflict');
    expect(driver.rollout.status).toBe('FAILED');
  });

  it('timeout is per host, from its deploy request until healthy (default 300 s)', () => {
    const driver = new RolloutDriver();
    driver.send(start(fleetOf('h1', 'h2')));
    driver.observe(at(100), hostOn('h1', [job(V2, 'STARTING')]));
    expect(nextDeadline(driver.rollout, at(100))).toBe(at(300));
    expect(driver.tick(at(299))).toEqual([]);
    const failed = driver.tick(at(300));
    expect(driver.types(failed)).toEqual(['HostsFailed', 'RolloutFailed']);
    expect(failed[0]).toEqual({ type: 'HostsFailed', ...base(300), failures: [{ host: 'h1', reason: 'timeout', message: 'h1: not healthy within 300 s of its deploy' }] });
    expect(failed[1]).toMatchObject({ failedHosts: ['h1'], stopped: false });
  });

  it('each host gets its own clock: the second batch times out 300 s after its own start', () => {
    const driver = new RolloutDriver();
    const fleet = new FakeFleet(fleetOf('h1', 'h2'));
    driver.send(start(fleet.observations()));
    round(driver, fleet, at(200));
    expect(driver.ofType('BatchStarted')[1]).toMatchObject({ hosts: ['h2'], time: at(200) });
    fleet.setState('h2', V2, 'STARTING');
    expect(driver.tick(at(499))).toEqual([]);
    expect(driver.types(driver.tick(at(500)))).toEqual(['HostsFailed', 'RolloutFailed']);
  });

  it('a task that reports FAILED fails its host at once', () => {
    const driver = new RolloutDriver();
    driver.send(start(fleetOf('h1')));
    expect(driver.types(driver.observe(at(3), hostOn('h1', [job(V2, 'FAILED')])))).toEqual(['HostsObserved', 'HostsFailed', 'RolloutFailed']);
  });

  it('ignoreFailures: failures advance the plan; the result lists them and is not stable', () => {
    const driver = new RolloutDriver();
    const fleet = new FakeFleet(fleetOf('h1', 'h2', 'h3'));
    driver.send(start(fleet.observations(), { ignoreFailures: true }));
    for (let i = 1; i <= 3; i += 1) round(driver, fleet, at(i), (host) => (host === 'h2' ? 'FAILED' : 'RUNNING'));
    expect(driver.ofType('RolloutSucceeded')[0]).toMatchObject({ failedHosts: ['h2'], stable: false });
  });
});
