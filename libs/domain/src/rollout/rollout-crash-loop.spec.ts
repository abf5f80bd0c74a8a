import { given } from '../testing/given-when-then';
import { exitWithClause, observedHost } from './host-observation';
import type { RolloutEvent } from './rollout-events';
import { rolloutDecider } from './rollout.decider';
import { rolloutHost } from './rollout-state';
import { at, FakeFleet, GROUP, hostOn, job, ROLLOUT, RolloutDriver, round, start, V1, V2 } from './rollout.fixtures';

/** Issue 18.1: a crash-looping job must fail its rolling update, at once and with its exit code, and never become stable. */

const fleetOf = (...names: string[]) => names.map((name) => hostOn(name));
const crashed = { exitCode: 3, throttled: 'FLAPPING' as const };

function begun(names: readonly string[], options = {}, extra = {}) {
  const driver = new RolloutDriver();
  const fleet = new FakeFleet(fleetOf(...names));
  driver.send(start(fleet.observations(), options, extra));
  return { driver, fleet };
}

/** The target on `host` reported as crashed (EXITED, exit code 3, FLAPPING). */
function crash(fleet: FakeFleet, host: string): void {
  const entry = fleet.hosts.get(host);
  if (entry !== undefined) entry.jobs = entry.jobs.map((j) => (j.jobId === V2 ? { ...j, state: 'EXITED', ...crashed } : j));
}

describe('rollout: a task that leaves RUNNING', () => {
  it('an observation of an exited target says what the agent reported', () => {
    const facts = observedHost(hostOn('h1', [job(V2, 'EXITED', { ...crashed, containerError: 'boom' })]), { group: GROUP, targetJobId: V2, oldJobIds: [] });
    expect(facts).toMatchObject({ targetFailed: true, targetRunning: false, targetExit: 'EXITED with exit code 3 (FLAPPING): boom' });
    const withOutput = observedHost(hostOn('h1', [job(V2, 'EXITED', { exitCode: 78, logTail: ['reading /etc/app.conf', 'no such file'] })]), { group: GROUP, targetJobId: V2, oldJobIds: [] });
    expect(withOutput.targetExit).toBe('EXITED with exit code 78; last output: reading /etc/app.conf | no such file');
    // a clause about the exit goes before the output, which stays last
    expect(exitWithClause(withOutput.targetExit ?? '', ' after it counted as healthy')).toBe('EXITED with exit code 78 after it counted as healthy; last output: reading /etc/app.conf | no such file');
    expect(exitWithClause('EXITED with exit code 3', ' after it counted as healthy')).toBe('EXITED with exit code 3 after it counted as healthy');
    const running = observedHost(hostOn('h1', [job(V2, 'RUNNING')]), { group: GROUP, targetJobId: V2, oldJobIds: [] });
    expect(running.targetFailed).toBe(false);
    expect(running).not.toHaveProperty('targetExit');
  });

  it('given a deploying host, when its task exits FLAPPING, then the host fails at once (not at the timeout) naming the exit code', () => {
    const { driver, fleet } = begun(['h1'], { timeout: 300 });
    round(driver, fleet, at(1), () => 'PULLING_IMAGE');
    crash(fleet, 'h1');
    const state = driver.state;
    const outcome = given(rolloutDecider, driver.events).when({ type: 'ObserveHosts', rolloutId: ROLLOUT, time: at(2), observations: fleet.observations() }).outcome();
    if (outcome.kind !== 'events') throw new Error('refused');
    const types = outcome.events.map((event) => event.type);
    expect(types).toEqual(['HostsObserved', 'HostsFailed', 'RolloutFailed']);
    const failed = outcome.events.find((event): event is Extract<RolloutEvent, { type: 'HostsFailed' }> => event.type === 'HostsFailed');
    expect(failed?.failures).toEqual([{ host: 'h1', reason: 'failed', message: `h1: job ${V2} EXITED with exit code 3 (FLAPPING)` }]);
    expect(state).toBe(driver.state);
  });

  it('given a host that counted as healthy, when its task exits before the rollout finishes, then it is a failed host and the rollout fails', () => {
    const { driver, fleet } = begun(['h1', 'h2', 'h3']);
    round(driver, fleet, at(1));
    expect(rolloutHost(driver.rollout, 'h1')?.step).toBe('HEALTHY');
    expect(driver.ofType('BatchStarted').map((event) => event.hosts)).toEqual([['h1'], ['h2']]);
    crash(fleet, 'h1');
    driver.observe(at(2), ...fleet.observations());
    expect(driver.ofType('HostsFailed').at(-1)?.failures).toEqual([
      { host: 'h1', reason: 'failed', message: `h1: job ${V2} EXITED with exit code 3 (FLAPPING) after it counted as healthy` },
    ]);
    expect(driver.rollout.status).toBe('FAILED');
    expect(driver.rollout.error).toContain('exit code 3');
    expect(driver.ofType('RolloutSucceeded')).toEqual([]);
  });

  it('given a healthy host, when its task restarts (no longer RUNNING) before the end, then it fails too', () => {
    const { driver, fleet } = begun(['h1', 'h2']);
    round(driver, fleet, at(1));
    fleet.setState('h1', V2, 'STARTING');
    driver.observe(at(2), ...fleet.observations());
    expect(driver.ofType('HostsFailed').at(-1)?.failures[0]).toMatchObject({ host: 'h1', message: `h1: job ${V2} is no longer RUNNING after it counted as healthy` });
  });

  it('given a healthy host that goes DOWN, then it is not failed (a DOWN host is never judged)', () => {
    const { driver, fleet } = begun(['h1', 'h2']);
    round(driver, fleet, at(1));
    fleet.setUp('h1', false);
    driver.observe(at(2), ...fleet.observations());
    expect(driver.ofType('HostsFailed')).toEqual([]);
  });

  it('with minHealthyTime, a crash before the time is up fails the host; the last batch cannot pass as Done', () => {
    const { driver, fleet } = begun(['h1'], { minHealthyTime: 10 });
    round(driver, fleet, at(1));
    expect(rolloutHost(driver.rollout, 'h1')?.step).toBe('DEPLOYING');
    crash(fleet, 'h1');
    driver.observe(at(3), ...fleet.observations());
    expect(driver.rollout.status).toBe('FAILED');
    expect(driver.ofType('RolloutSucceeded')).toEqual([]);
  });

  it('with autoRevert, a crash loop goes back to the last stable job', () => {
    const { driver, fleet } = begun(['h1', 'h2'], { autoRevert: true }, { revertTo: V1 });
    round(driver, fleet, at(1));
    crash(fleet, 'h1');
    driver.observe(at(2), ...fleet.observations());
    expect(driver.ofType('RevertStarted')).toEqual([expect.objectContaining({ fromJobId: V2, toJobId: V1, error: expect.stringContaining('exit code 3') })]);
    expect(driver.rollout.targetJobId).toBe(V1);
  });

  it('a reverted rollout keeps how each host failed on its job (failureBeforeRevert), through the revert to REVERTED', () => {
    const { driver, fleet } = begun(['h1', 'h2'], { autoRevert: true }, { revertTo: V1 });
    round(driver, fleet, at(1));
    crash(fleet, 'h1');
    driver.observe(at(2), ...fleet.observations());
    const failure = { host: 'h1', reason: 'failed', message: `h1: job ${V2} EXITED with exit code 3 (FLAPPING) after it counted as healthy` };
    // the revert's own steps start over (it deploys the stable job back at once)
    expect(driver.rollout.status).toBe('REVERTING');
    expect(rolloutHost(driver.rollout, 'h1')).toMatchObject({ step: 'DEPLOYING', failureBeforeRevert: failure });
    expect(rolloutHost(driver.rollout, 'h1')).not.toHaveProperty('failure');
    for (let i = 3; i < 8 && driver.rollout.status !== 'REVERTED'; i += 1) round(driver, fleet, at(i));
    expect(driver.rollout.status).toBe('REVERTED');
    expect(rolloutHost(driver.rollout, 'h1')).toMatchObject({ step: 'HEALTHY', failureBeforeRevert: failure });
    expect(rolloutHost(driver.rollout, 'h2')).not.toHaveProperty('failureBeforeRevert');
  });

  it('stable only when every host that counted still runs the job at the end', () => {
    // h1 counted, then its agent went DOWN before the last host was healthy: Done, but not stable
    const { driver, fleet } = begun(['h1', 'h2']);
    round(driver, fleet, at(1));
    fleet.setUp('h1', false);
    round(driver, fleet, at(2));
    expect(driver.ofType('RolloutSucceeded')).toEqual([expect.objectContaining({ failedHosts: [], stable: false })]);

    const healthy = begun(['h1', 'h2']);
    round(healthy.driver, healthy.fleet, at(1));
    round(healthy.driver, healthy.fleet, at(2));
    expect(healthy.driver.ofType('RolloutSucceeded')).toEqual([expect.objectContaining({ failedHosts: [], stable: true })]);
  });
});
