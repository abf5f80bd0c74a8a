import { ErrorCode } from '../errors';
import { given } from '../testing/given-when-then';
import { pendingActions } from './rollout-actions';
import { nextDeadline } from './rollout-deadline';
import { rolloutDecider } from './rollout.decider';
import { rolloutHost } from './rollout-state';
import { at, FakeFleet, hostOn, job, ROLLOUT, RolloutDriver, round, start, V1, V2 } from './rollout.fixtures';

const fleetOf = (...names: string[]) => names.map((name) => hostOn(name));
const base = (seconds: number) => ({ rolloutId: ROLLOUT, time: at(seconds) });

function started(names: string[], options: Parameters<typeof start>[1], extra: Parameters<typeof start>[2] = {}) {
  const driver = new RolloutDriver();
  const fleet = new FakeFleet(fleetOf(...names));
  driver.send(start(fleet.observations(), options, extra));
  return { driver, fleet };
}

describe('rollout: health gating', () => {
  it('minHealthyTime: RUNNING continuously for that long; an interruption restarts the clock', () => {
    const { driver } = started(['h1'], { minHealthyTime: 30 });
    driver.observe(at(10), hostOn('h1', [job(V2)]));
    expect(nextDeadline(driver.rollout, at(10))).toBe(at(40));
    driver.observe(at(20), hostOn('h1', [job(V2, 'STARTING')]));
    driver.observe(at(25), hostOn('h1', [job(V2)]));
    expect(driver.tick(at(40))).toEqual([]);
    expect(driver.types(driver.tick(at(55)))).toEqual(['HostsHealthy', 'RolloutSucceeded']);
  });

  it('healthyDeadline shorter than timeout wins', () => {
    const { driver } = started(['h1'], { healthyDeadline: 60 });
    expect(nextDeadline(driver.rollout, at(0))).toBe(at(60));
    expect(driver.types(driver.tick(at(60)))).toEqual(['HostsFailed', 'RolloutFailed']);
  });

  it('manual health: RUNNING is not enough; SetHostHealth decides', () => {
    const { driver } = started(['h1', 'h2'], { healthCheck: 'manual' });
    driver.observe(at(5), hostOn('h1', [job(V2)]));
    expect(rolloutHost(driver.rollout, 'h1')?.step).toBe('DEPLOYING');
    const healthy = driver.send({ type: 'SetHostHealth', ...base(6), host: 'h1', healthy: true });
    expect(driver.types(healthy)).toEqual(['HostsHealthy', 'BatchStarted']);
    const unhealthy = driver.send({ type: 'SetHostHealth', ...base(7), host: 'h2', healthy: false, message: 'error rate 5%' });
    expect(unhealthy[0]).toEqual({ type: 'HostsFailed', ...base(7), failures: [{ host: 'h2', reason: 'unhealthy', message: 'error rate 5%' }] });
  });

  it('health verdicts need manual mode', () => {
    const { driver } = started(['h1'], {});
    given(rolloutDecider, driver.events).when({ type: 'SetHostHealth', ...base(1), host: 'h1', healthy: true }).thenThrows(ErrorCode.ROLLOUT_STATE_CONFLICT);
  });

  it('a refused deploy (e.g. PORT_CONFLICT) fails the host', () => {
    const { driver } = started(['h1'], { ignoreFailures: true });
    const events = driver.send({ type: 'ReportHostError', ...base(1), host: 'h1', message: 'PORT_CONFLICT: 8080' });
    expect(events[0]).toEqual({ type: 'HostsFailed', ...base(1), failures: [{ host: 'h1', reason: 'error', message: 'h1: PORT_CONFLICT: 8080' }] });
  });

  it('progressDeadline: no progress for that long fails the rollout', () => {
    const { driver } = started(['h1'], { progressDeadline: 120, timeout: 600 });
    expect(nextDeadline(driver.rollout, at(0))).toBe(at(120));
    const events = driver.tick(at(120));
    expect(events).toEqual([{ type: 'RolloutFailed', ...base(120), error: 'No progress for 120 s (progress deadline)', failedHosts: [], stopped: false }]);
  });
});

describe('rollout: batches', () => {
  it('stagger: the next batch waits that long after the previous one started', () => {
    const { driver, fleet } = started(['h1', 'h2'], { stagger: 60 });
    round(driver, fleet, at(10));
    expect(driver.ofType('BatchStarted')).toHaveLength(1);
    expect(nextDeadline(driver.rollout, at(10))).toBe(at(60));
    expect(driver.tick(at(60))).toEqual([{ type: 'BatchStarted', ...base(60), batch: 1, hosts: ['h2'], canary: false }]);
  });

  it('failureThreshold: tolerated failures finish the rollout, one more fails it', () => {
    const failing = (host: string) => (host === 'h1' || host === 'h3' ? 'FAILED' : 'RUNNING');
    const tolerant = started(['h1', 'h2', 'h3'], { failureThreshold: 2 });
    for (let i = 1; i <= 3; i += 1) round(tolerant.driver, tolerant.fleet, at(i), failing);
    expect(tolerant.driver.ofType('RolloutSucceeded')[0]).toMatchObject({ failedHosts: ['h1', 'h3'], stable: false });
    const strict = started(['h1', 'h2', 'h3'], { failureThreshold: 1 });
    for (let i = 1; i <= 3; i += 1) round(strict.driver, strict.fleet, at(i), failing);
    expect(strict.driver.rollout.status).toBe('FAILED');
    expect(strict.driver.rollout.error).toMatch(/^2 host\(s\) failed, more than the 1 tolerated/);
  });

  it('pause stops new batches, resume starts the next one', () => {
    const { driver, fleet } = started(['h1', 'h2'], {});
    expect(driver.send({ type: 'PauseRollout', ...base(1) })).toEqual([{ type: 'RolloutPaused', ...base(1) }]);
    expect(driver.send({ type: 'PauseRollout', ...base(2) })).toEqual([]);
    round(driver, fleet, at(3));
    expect(driver.types().slice(-1)).toEqual(['HostsHealthy']);
    expect(driver.send({ type: 'ResumeRollout', ...base(4) })).toEqual([
      { type: 'RolloutResumed', ...base(4) },
      { type: 'BatchStarted', ...base(4), batch: 1, hosts: ['h2'], canary: false },
    ]);
  });
});

describe('rollout: canaries', () => {
  it('canary hosts first, then a manual promotion unblocks batches of parallelism', () => {
    const { driver, fleet } = started(['h1', 'h2', 'h3', 'h4'], { canary: 1, parallelism: 2 });
    expect(driver.ofType('BatchStarted')[0]).toMatchObject({ hosts: ['h1'], canary: true });
    given(rolloutDecider, driver.events).when({ type: 'PromoteRollout', ...base(1) }).thenThrows(ErrorCode.ROLLOUT_STATE_CONFLICT);
    round(driver, fleet, at(5));
    expect(driver.types().slice(-2)).toEqual(['HostsHealthy', 'CanaryAwaitingPromotion']);
    expect(driver.tick(at(10_000))).toEqual([]);
    expect(driver.send({ type: 'PromoteRollout', ...base(20) })).toEqual([
      { type: 'RolloutPromoted', ...base(20), auto: false },
      { type: 'BatchStarted', ...base(20), batch: 1, hosts: ['h2', 'h3'], canary: false },
    ]);
  });

  it('autoPromote promotes once every canary is healthy', () => {
    const { driver, fleet } = started(['h1', 'h2', 'h3'], { canary: 2, autoPromote: true });
    round(driver, fleet, at(5));
    expect(driver.types().slice(-3)).toEqual(['HostsHealthy', 'RolloutPromoted', 'BatchStarted']);
  });

  it('blue/green (canary = group size, overlap): old jobs stay until promotion; a fail leaves them running', () => {
    const { driver, fleet } = started(['h1', 'h2'], { canary: 2, overlap: true });
    round(driver, fleet, at(5));
    expect(driver.rollout.status).toBe('AWAITING_PROMOTION');
    expect(pendingActions(driver.state)).toEqual([]);
    const failed = new RolloutDriver();
    for (const event of driver.events) failed.state = rolloutDecider.evolve(failed.state, event);
    failed.send({ type: 'FailRollout', ...base(6) });
    expect(failed.rollout.status).toBe('FAILED');
    expect(pendingActions(failed.state)).toEqual([]);
    driver.send({ type: 'PromoteRollout', ...base(7) });
    expect(driver.rollout.status).toBe('SUCCEEDED');
    expect(pendingActions(driver.state).map((action) => `${action.type} ${action.host} ${action.jobId}`)).toEqual([`UndeployJob h1 ${V1}`, `UndeployJob h2 ${V1}`]);
  });
});

describe('rollout: failure, revert, retry, stop', () => {
  it('Fail without autoRevert: failed by user, nothing more to deploy', () => {
    const { driver } = started(['h1', 'h2'], {});
    expect(driver.send({ type: 'FailRollout', ...base(1) })).toEqual([{ type: 'RolloutFailed', ...base(1), error: 'Failed by user', failedHosts: [], stopped: false }]);
    expect(pendingActions(driver.state)).toEqual([]);
    given(rolloutDecider, driver.events).when({ type: 'PauseRollout', ...base(2) }).thenThrows(ErrorCode.ROLLOUT_STATE_CONFLICT);
  });

  it('autoRevert: on failure the touched hosts go back to the last stable job', () => {
    const { driver, fleet } = started(['h1', 'h2', 'h3'], { autoRevert: true }, { revertTo: V1 });
    round(driver, fleet, at(1));
    round(driver, fleet, at(2), () => 'FAILED');
    expect(driver.types().slice(-3)).toEqual(['HostsFailed', 'RevertStarted', 'BatchStarted']);
    expect(driver.ofType('RevertStarted')[0]).toMatchObject({ fromJobId: V2, toJobId: V1 });
    expect(driver.ofType('BatchStarted').at(-1)?.hosts).toEqual(['h1']);
    for (let i = 3; i <= 6; i += 1) round(driver, fleet, at(i));
    expect(driver.rollout.status).toBe('REVERTED');
    expect(driver.ofType('RolloutReverted')[0]).toMatchObject({ toJobId: V1 });
    for (const [name, host] of fleet.hosts) expect([name, host.jobs.map((j) => `${j.jobId} ${j.state ?? ''}`)]).toEqual([name, [`${V1} RUNNING`]]);
  });

  it('autoRevert guards: no stable job, or the stable job is the one that failed', () => {
    const none = started(['h1'], { autoRevert: true });
    none.driver.observe(at(1), hostOn('h1', [job(V2, 'FAILED')]));
    expect(none.driver.rollout.error).toMatch(/no stable job to revert to$/);
    const same = started(['h1'], { autoRevert: true }, { revertTo: V2 });
    same.driver.observe(at(1), hostOn('h1', [job(V2, 'FAILED')]));
    expect(same.driver.rollout.error).toMatch(/not reverting: web:2:2222 is the last stable job$/);
  });

  it('a manual Fail honours autoRevert (Nomad)', () => {
    const { driver } = started(['h1'], { autoRevert: true }, { revertTo: V1 });
    expect(driver.types(driver.send({ type: 'FailRollout', ...base(1), error: 'bad metrics' }))).toEqual(['RevertStarted', 'BatchStarted']);
  });

  it('retry after a failure picks up the failed host and the rest', () => {
    const { driver, fleet } = started(['h1', 'h2'], {});
    round(driver, fleet, at(1), () => 'FAILED');
    expect(driver.rollout.status).toBe('FAILED');
    fleet.setState('h1', V2, 'RUNNING');
    const retried = driver.send({ type: 'RetryRollout', ...base(2) });
    expect(driver.types(retried)).toEqual(['RolloutRetried', 'BatchStarted']);
    expect(retried[0]).toEqual({ type: 'RolloutRetried', ...base(2), hosts: ['h1'] });
    round(driver, fleet, at(3));
    round(driver, fleet, at(4));
    expect(driver.rollout.status).toBe('SUCCEEDED');
  });

  it('stop: FAILED "Stopped by user" with no revert, idempotent; a stopped rollout can be retried', () => {
    const { driver } = started(['h1'], { autoRevert: true }, { revertTo: V1 });
    expect(driver.send({ type: 'StopRollout', ...base(1) })).toEqual([{ type: 'RolloutFailed', ...base(1), error: 'Stopped by user', failedHosts: [], stopped: true }]);
    expect(driver.send({ type: 'StopRollout', ...base(2) })).toEqual([]);
    expect(driver.types(driver.send({ type: 'RetryRollout', ...base(3) }))).toEqual(['RolloutRetried', 'BatchStarted']);
  });

  it('a finished rollout without failures cannot be retried', () => {
    const { driver, fleet } = started(['h1'], {});
    round(driver, fleet, at(1));
    given(rolloutDecider, driver.events).when({ type: 'RetryRollout', ...base(2) }).thenThrows(ErrorCode.ROLLOUT_STATE_CONFLICT);
  });
});

describe('rollout: unreachable hosts and maxUnavailable', () => {
  it('DOWN hosts are skipped at start and brought in when they come back', () => {
    const driver = new RolloutDriver();
    const fleet = new FakeFleet([hostOn('h1'), hostOn('h2', [job(V1)], 'DOWN')]);
    const events = driver.send(start(fleet.observations()));
    expect(events[0]?.type === 'RolloutStarted' && events[0].plan.skipped).toEqual(['h2']);
    fleet.setUp('h2', true);
    round(driver, fleet, at(5));
    expect(driver.types().slice(-4)).toEqual(['HostsObserved', 'HostsHealthy', 'HostsReturned', 'BatchStarted']);
    expect(driver.ofType('BatchStarted').at(-1)?.hosts).toEqual(['h2']);
    round(driver, fleet, at(6));
    round(driver, fleet, at(7));
    expect(driver.ofType('RolloutSucceeded')[0]).toMatchObject({ failedHosts: [], skippedHosts: [] });
  });

  it('a host that goes DOWN while deploying is skipped, not failed, and finishes when it returns', () => {
    const { driver, fleet } = started(['h1', 'h2'], {});
    fleet.setUp('h1', false);
    round(driver, fleet, at(1));
    expect(driver.ofType('HostsSkipped')[0]?.hosts).toEqual(['h1']);
    round(driver, fleet, at(2));
    expect(driver.ofType('RolloutSucceeded')[0]).toMatchObject({ skippedHosts: ['h1'] });
  });

  it('hosts already down count against maxUnavailable: the rollout waits rather than take another one down', () => {
    const driver = new RolloutDriver();
    const fleet = new FakeFleet([hostOn('h1'), hostOn('h2'), hostOn('h3', [job(V1)], 'DOWN')]);
    driver.send(start(fleet.observations(), { maxUnavailable: 1, parallelism: 3 }));
    expect(driver.ofType('BatchStarted')).toEqual([]);
    fleet.setUp('h3', true);
    driver.observe(at(1), ...fleet.observations());
    expect(driver.ofType('BatchStarted')[0]?.hosts).toEqual(['h1']);
  });

  it('a host not serving anyway may be deployed out of order within the budget', () => {
    const driver = new RolloutDriver();
    driver.send(start([hostOn('h1'), hostOn('h2'), hostOn('h3', [job(V1, 'EXITED')])], { maxUnavailable: 1, parallelism: 2 }));
    expect(driver.ofType('BatchStarted')[0]?.hosts).toEqual(['h3']);
  });
});

describe('rollout: prestage', () => {
  it('pulls the image everywhere first and switches once the quorum has it', () => {
    const { driver, fleet } = started(['h1', 'h2', 'h3'], { prestage: true, prestageQuorum: 2 });
    expect(driver.types()).toEqual(['RolloutStarted', 'PrestageStarted']);
    expect(pendingActions(driver.state).map((action) => `${action.type} ${action.host}`)).toEqual(['PrepareImage h1', 'PrepareImage h2', 'PrepareImage h3']);
    fleet.apply(pendingActions(driver.state).filter((action) => action.host !== 'h3'));
    const events = driver.observe(at(5), ...fleet.observations());
    expect(driver.types(events)).toEqual(['HostsObserved', 'PrestageCompleted', 'BatchStarted']);
  });

  it('keeps a host pulled when a later observation says nothing about the image: only the agent\'s answer says PULLED', () => {
    const { driver } = started(['h1', 'h2'], { prestage: true });
    expect(driver.types(driver.observe(at(1), { ...hostOn('h1'), imagePulled: true }))).toEqual(['HostsObserved']);
    // a task change on h1 (no word about the image) and a stale observation of h2 change nothing
    expect(driver.observe(at(2), hostOn('h1', [job(V1, 'EXITED')]), hostOn('h2'))).toEqual([expect.objectContaining({ type: 'HostsObserved', hosts: [expect.objectContaining({ host: 'h1', imagePulled: true })] })]);
    expect(driver.rollout.status).toBe('PRESTAGING');
    expect(driver.types(driver.observe(at(3), { ...hostOn('h2'), imagePulled: true }))).toEqual(['HostsObserved', 'PrestageCompleted', 'BatchStarted']);
  });

  it('names the hosts that could not get the image, and why, when the quorum is not reached in time', () => {
    const { driver } = started(['h1', 'h2', 'h3'], { prestage: true, timeout: 100 });
    driver.observe(at(1), { ...hostOn('h1'), imagePulled: true }, { ...hostOn('h2'), imagePulled: false, imageError: 'IMAGE_MISSING: manifest unknown' });
    // a later observation without word about the image keeps the error; h3 never answered
    driver.observe(at(2), hostOn('h2', [job(V1, 'EXITED')]));
    expect(rolloutHost(driver.rollout, 'h2')).toMatchObject({ imagePulled: false, imageError: 'IMAGE_MISSING: manifest unknown' });
    expect(driver.tick(at(100))[0]).toMatchObject({
      type: 'RolloutFailed',
      error: 'Prestage: 1 of 3 required hosts pulled the image within 100 s (h2: IMAGE_MISSING: manifest unknown)',
    });
  });

  it('forgets a host\'s image error once it has the image', () => {
    const { driver } = started(['h1', 'h2'], { prestage: true, prestageQuorum: 2 });
    driver.observe(at(1), { ...hostOn('h1'), imagePulled: false, imageError: 'IMAGE_PULL_FAILED: timeout' });
    expect(driver.types(driver.observe(at(2), { ...hostOn('h1'), imagePulled: true }, { ...hostOn('h2'), imagePulled: true }))).toEqual(['HostsObserved', 'PrestageCompleted', 'BatchStarted']);
    expect(rolloutHost(driver.rollout, 'h1')?.imageError).toBeUndefined();
  });

  it('fails when the quorum does not pull within the timeout', () => {
    const { driver } = started(['h1', 'h2'], { prestage: true, timeout: 100 });
    expect(nextDeadline(driver.rollout, at(0))).toBe(at(100));
    expect(driver.tick(at(100))[0]).toMatchObject({ type: 'RolloutFailed', error: 'Prestage: 0 of 2 required hosts pulled the image within 100 s' });
  });
});
