import type { CurrentHost } from '../release-plan/current-version';
import { pendingActions } from './rollout-actions';
import { hostsAwaitingVersion } from './rollout-planner';
import type { UpdateStrategy } from './rollout-options';
import { rolloutHost } from './rollout-state';
import { at, FakeFleet, hostOn, job, ROLLOUT, RolloutDriver, round, start, V1, V2 } from './rollout.fixtures';

/** Seed 004: a machine down during the deploy is started on the most popular version in "current" when it comes back. */

const base = (seconds: number) => ({ rolloutId: ROLLOUT, time: at(seconds) });

/** The blog's /dc/current of the fake fleet: each host online or not and the version it is to run. */
function currentOf(fleet: FakeFleet): CurrentHost[] {
  return [...fleet.hosts].map(([host, { up, jobs }]) => {
    const version = jobs.find((j) => j.goal === 'START')?.jobId;
    return { host, online: up, ...(version === undefined ? {} : { version }) };
  });
}

/** h1…h4 on V1 and `down` DOWN with `downJobs`; parallelism 1, V1 the group's stable job. */
function rolloutWithHostDown(downJobs = [job(V1)], options: UpdateStrategy = {}) {
  const driver = new RolloutDriver();
  const fleet = new FakeFleet([hostOn('h1'), hostOn('h2'), hostOn('h3'), hostOn('h4'), hostOn('h5', downJobs, 'DOWN')]);
  driver.send(start(fleet.observations(), options, { revertTo: V1 }));
  return { driver, fleet };
}

/** Rounds until `held` is deploying: the hosts before it are healthy on V2, `held` has V2 deployed but not RUNNING. */
function holdAt(driver: RolloutDriver, fleet: FakeFleet, held: string): number {
  let second = 1;
  while (rolloutHost(driver.rollout, held)?.step !== 'DEPLOYING' || fleet.hosts.get(held)?.jobs.every((j) => j.jobId !== V2)) {
    if (second > 20) throw new Error(`the rollout never reached ${held}`);
    round(driver, fleet, at(second), (host) => (host === held ? 'STARTING' : 'RUNNING'));
    second += 1;
  }
  return second;
}

function hostActions(driver: RolloutDriver, host: string) {
  return pendingActions(driver.state).filter((action) => action.host === host);
}

describe('rollout: hosts that come back during it (seed 004)', () => {
  it('a host back while the old version is as popular as the new starts on the old one at once, and gets the target in its turn', () => {
    const { driver, fleet } = rolloutWithHostDown([]);
    const t = holdAt(driver, fleet, 'h2');
    fleet.setUp('h5', true);
    expect(driver.types(driver.observe(at(t), ...fleet.observations()))).toEqual(['HostsObserved', 'HostsReturned']);
    expect(rolloutHost(driver.rollout, 'h5')).toMatchObject({ step: 'PENDING', returned: true });
    expect(hostActions(driver, 'h5')).toEqual([]);

    // h1 and h2 on V2, h3 and h4 on V1: a tie goes to V1, the version the rollout moves away from
    const events = driver.send({ type: 'StartReturnedHosts', ...base(t + 1), current: currentOf(fleet) });
    expect(events).toEqual([{ type: 'ReturnedHostsStarted', ...base(t + 1), hosts: [{ host: 'h5', jobId: V1 }] }]);
    expect(rolloutHost(driver.rollout, 'h5')).toMatchObject({ step: 'PENDING', interimJobId: V1, oldJobIds: [V1] });
    expect(rolloutHost(driver.rollout, 'h5')?.returned).toBeUndefined();
    expect(hostActions(driver, 'h5')).toEqual([{ type: 'DeployJob', rolloutId: ROLLOUT, host: 'h5', jobId: V1, deploymentGroupName: 'web-group', token: '' }]);
    fleet.apply(pendingActions(driver.state));
    fleet.setState('h5', V1, 'RUNNING');
    driver.observe(at(t + 2), ...fleet.observations());
    expect(hostActions(driver, 'h5')).toEqual([]);

    // the rollout goes on; in its turn h5 leaves V1 for V2 like every other host
    fleet.setState('h2', V2, 'RUNNING');
    for (let s = t + 3; driver.rollout.status !== 'SUCCEEDED' && s < t + 20; s += 1) round(driver, fleet, at(s));
    expect(driver.ofType('BatchStarted').map((event) => event.hosts)).toEqual([['h1'], ['h2'], ['h3'], ['h4'], ['h5']]);
    expect(fleet.hosts.get('h5')?.jobs.map((j) => j.jobId)).toEqual([V2]);
    expect(driver.ofType('RolloutSucceeded')[0]).toMatchObject({ skippedHosts: [], failedHosts: [] });
  });

  it('a host back when most hosts run the target gets the target at once, and its turn has nothing left to deploy', () => {
    const { driver, fleet } = rolloutWithHostDown();
    const t = holdAt(driver, fleet, 'h4');
    fleet.setUp('h5', true);
    driver.observe(at(t), ...fleet.observations());
    expect(driver.send({ type: 'StartReturnedHosts', ...base(t + 1), current: currentOf(fleet) })).toEqual([
      { type: 'ReturnedHostsStarted', ...base(t + 1), hosts: [{ host: 'h5', jobId: V2 }] },
    ]);
    expect(hostActions(driver, 'h5').map((action) => [action.type, action.jobId])).toEqual([
      ['UndeployJob', V1],
      ['DeployJob', V2],
    ]);
    fleet.apply(pendingActions(driver.state));
    fleet.setState('h5', V2, 'RUNNING');
    driver.observe(at(t + 2), ...fleet.observations());
    expect(rolloutHost(driver.rollout, 'h5')).toMatchObject({ step: 'PENDING', targetRunning: true, presentOldJobIds: [] });

    fleet.setState('h4', V2, 'RUNNING');
    driver.observe(at(t + 3), ...fleet.observations());
    expect(driver.ofType('BatchStarted').at(-1)?.hosts).toEqual(['h5']);
    expect(hostActions(driver, 'h5')).toEqual([]);
    driver.observe(at(t + 4), ...fleet.observations());
    expect(driver.rollout.status).toBe('SUCCEEDED');
  });

  it('a host back that already serves switches out of turn only within maxUnavailable; one that does not serve, at once', () => {
    const serving = (otherDown: boolean) => {
      // h1's exit fails it (it left RUNNING after counting): one failure tolerated, so the rollout goes on
      const { driver, fleet } = rolloutWithHostDown([job(V1)], { maxUnavailable: 2, failureThreshold: 1 });
      const t = holdAt(driver, fleet, 'h4');
      // h1 stops serving: with h4 deploying, the two hosts the rollout may have down
      if (otherDown) fleet.setState('h1', V2, 'EXITED');
      fleet.setUp('h5', true);
      driver.observe(at(t), ...fleet.observations());
      driver.send({ type: 'StartReturnedHosts', ...base(t + 1), current: currentOf(fleet) });
      expect(rolloutHost(driver.rollout, 'h5')).toMatchObject({ interimJobId: V2, available: true });
      return { driver, fleet, t };
    };
    const tight = serving(true);
    expect(hostActions(tight.driver, 'h5')).toEqual([]);
    tight.fleet.setState('h1', V2, 'RUNNING');
    tight.driver.observe(at(tight.t + 2), ...tight.fleet.observations());
    expect(hostActions(tight.driver, 'h5').map((action) => action.type)).toEqual(['UndeployJob', 'DeployJob']);
    expect(hostActions(serving(false).driver, 'h5').map((action) => action.type)).toEqual(['UndeployJob', 'DeployJob']);

    // nothing on it: it costs nothing, at once even with no room (h2 deploying and h5 itself not serving)
    const { driver, fleet } = rolloutWithHostDown([], { maxUnavailable: 2 });
    const t = holdAt(driver, fleet, 'h2');
    fleet.setUp('h5', true);
    driver.observe(at(t), ...fleet.observations());
    driver.send({ type: 'StartReturnedHosts', ...base(t + 1), current: currentOf(fleet) });
    expect(hostActions(driver, 'h5').map((action) => [action.type, action.jobId])).toEqual([['DeployJob', V1]]);
  });

  it('a host that already has the target keeps it; one the fleet cannot vote for is left as it is', () => {
    const { driver, fleet } = rolloutWithHostDown();
    const t = holdAt(driver, fleet, 'h4');
    fleet.setUp('h5', true);
    fleet.apply([{ type: 'DeployJob', rolloutId: ROLLOUT, host: 'h5', jobId: V2, deploymentGroupName: 'web-group', token: '' }]);
    driver.observe(at(t), ...fleet.observations());
    const onlyOld = currentOf(fleet).map((host) => (host.host === 'h5' ? host : { ...host, version: V1 }));
    expect(driver.send({ type: 'StartReturnedHosts', ...base(t + 1), current: onlyOld })[0]).toMatchObject({ hosts: [{ host: 'h5', jobId: V2 }] });

    const other = rolloutWithHostDown();
    const u = holdAt(other.driver, other.fleet, 'h2');
    other.fleet.setUp('h5', true);
    other.driver.observe(at(u), ...other.fleet.observations());
    const allOffline = currentOf(other.fleet).map((host) => ({ ...host, online: host.host === 'h5' }));
    expect(other.driver.send({ type: 'StartReturnedHosts', ...base(u + 1), current: allOffline })[0]).toMatchObject({ hosts: [{ host: 'h5' }] });
    expect(rolloutHost(other.driver.rollout, 'h5')?.interimJobId).toBeUndefined();
    expect(hostsAwaitingVersion(other.driver.rollout)).toEqual([]);
    expect(hostActions(other.driver, 'h5')).toEqual([]);
  });

  it('nothing to decide: no event; a host DOWN again loses its interim version and waits for a new one when it is back', () => {
    const { driver, fleet } = rolloutWithHostDown([]);
    const t = holdAt(driver, fleet, 'h2');
    expect(driver.send({ type: 'StartReturnedHosts', ...base(t), current: currentOf(fleet) })).toEqual([]);
    fleet.setUp('h5', true);
    driver.observe(at(t + 1), ...fleet.observations());
    driver.send({ type: 'StartReturnedHosts', ...base(t + 2), current: currentOf(fleet) });
    fleet.setUp('h5', false);
    expect(driver.types(driver.observe(at(t + 3), ...fleet.observations()))).toEqual(['HostsObserved', 'HostsSkipped']);
    expect(rolloutHost(driver.rollout, 'h5')).toMatchObject({ step: 'SKIPPED' });
    expect(rolloutHost(driver.rollout, 'h5')?.interimJobId).toBeUndefined();
    fleet.setUp('h5', true);
    driver.observe(at(t + 4), ...fleet.observations());
    expect(hostsAwaitingVersion(driver.rollout).map((row) => row.host)).toEqual(['h5']);
  });

  it('no host awaits a version while the rollout reverts: the revert brings every host to the stable job', () => {
    const { driver, fleet } = rolloutWithHostDown([], { autoRevert: true });
    const t = holdAt(driver, fleet, 'h2');
    fleet.setUp('h5', true);
    driver.observe(at(t), ...fleet.observations());
    expect(hostsAwaitingVersion(driver.rollout)).toHaveLength(1);
    driver.send({ type: 'FailRollout', ...base(t + 1) });
    expect(driver.rollout.status).toBe('REVERTING');
    expect(rolloutHost(driver.rollout, 'h5')?.returned).toBeUndefined();
    expect(hostsAwaitingVersion(driver.rollout)).toEqual([]);
    expect(driver.send({ type: 'StartReturnedHosts', ...base(t + 2), current: currentOf(fleet) })).toEqual([]);
  });
});
