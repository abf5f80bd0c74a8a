import fc from 'fast-check';
import { foldEvents } from '../decider';
import { ErrorCode, isDomainError } from '../errors';
import type { TaskState } from '../task/task-status';
import { pendingActions } from './rollout-actions';
import { nextDeadline } from './rollout-deadline';
import { compareNatural, naturalSort } from './natural-order';
import { DEFAULT_UPDATE_STRATEGY, limitsOf, resolveRolloutOptions } from './rollout-options';
import { unavailableCount } from './rollout-planner';
import { isRolloutFinished, type Rollout } from './rollout-state';
import { rolloutDecider } from './rollout.decider';
import { at, FakeFleet, hostOn, RolloutDriver, start } from './rollout.fixtures';

describe('natural order', () => {
  it('sorts digit runs as numbers (host2 < host10), case-insensitively, totally', () => {
    expect(naturalSort(['host10', 'host2', 'Host1', 'host1', 'a', 'host02'])).toEqual(['a', 'Host1', 'host1', 'host02', 'host2', 'host10']);
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => Math.sign(compareNatural(a, b)) === -Math.sign(compareNatural(b, a))));
  });
});

describe('rollout options', () => {
  it('request > job.rolloutOptions > group defaults > defaults, field by field', () => {
    const options = resolveRolloutOptions({ request: { timeout: 30 }, job: { parallelism: 3, timeout: 60 }, group: { parallelism: 5, canary: 1 } });
    expect(options).toEqual({ ...DEFAULT_UPDATE_STRATEGY, timeout: 30, parallelism: 3, canary: 1, oldJobToken: '' });
    expect(resolveRolloutOptions({ request: { maxParallel: 4 } }).parallelism).toBe(4);
  });

  it("the old jobs' token defaults to the new job's (Helios's one token), and may be given apart, also empty", () => {
    expect(resolveRolloutOptions({ request: { token: 't' } })).toMatchObject({ token: 't', oldJobToken: 't' });
    expect(resolveRolloutOptions({ request: { token: 't', oldJobToken: '' } })).toMatchObject({ token: 't', oldJobToken: '' });
    expect(resolveRolloutOptions({ request: { token: 't' }, group: { oldJobToken: 'g' } })).toMatchObject({ token: 't', oldJobToken: 'g' });
  });

  it('refuses out-of-range values and combinations that could never progress, listing every problem', () => {
    const refused = (request: Parameters<typeof resolveRolloutOptions>[0]['request']): string[] => {
      try {
        resolveRolloutOptions({ request });
        return [];
      } catch (error) {
        if (!isDomainError(error) || error.code !== ErrorCode.INVALID_ROLLOUT_OPTIONS) throw error;
        return (error.details['problems'] as { path: string }[]).map((problem) => problem.path);
      }
    };
    expect(refused({ parallelism: 0, timeout: -1, maxUnavailable: '120%' })).toEqual(['parallelism', 'timeout', 'maxUnavailable']);
    expect(refused({ minHealthyTime: 300 })).toEqual(['minHealthyTime']);
    expect(refused({ maxUnavailable: 0 })).toEqual(['maxUnavailable']);
    expect(refused({ maxUnavailable: 0, overlap: true })).toEqual([]);
    expect(refused({ parallelism: 2, maxParallel: 3 })).toEqual(['request.maxParallel']);
  });

  it('percentages resolve against the fleet, at least one host; ignoreFailures is no threshold', () => {
    const options = resolveRolloutOptions({ request: { maxUnavailable: '10%', failureThreshold: '50%', prestageQuorum: '50%' } });
    expect(limitsOf(options, 5, 4)).toEqual({ maxUnavailable: 1, failureThreshold: 2, prestageQuorum: 2 });
    expect(limitsOf({ ...options, ignoreFailures: true }, 5, 4).failureThreshold).toBeNull();
  });
});

describe('rollout: restart of the process manager', () => {
  it('state rebuilt from the events gives the same pending actions and deadline', () => {
    const driver = new RolloutDriver();
    const fleet = new FakeFleet(['h1', 'h2', 'h3'].map((name) => hostOn(name)));
    driver.send(start(fleet.observations(), { parallelism: 2, overlap: true, minHealthyTime: 10 }));
    fleet.apply(pendingActions(driver.state));
    fleet.settle(driver.rollout.targetJobId, 'RUNNING');
    driver.observe(at(5), ...fleet.observations());
    const replayed = foldEvents(rolloutDecider, driver.events);
    expect(replayed).toEqual(driver.state);
    expect(pendingActions(replayed)).toEqual(pendingActions(driver.state));
    expect(nextDeadline(replayed as Rollout, at(5))).toBe(at(15));
  });
});

interface Chaos {
  readonly hostCount: number;
  readonly options: { parallelism: number; maxUnavailable: number; overlap: boolean; canary: number; failureThreshold: number };
  /** Per round: a host to flip UP/DOWN (index), a seconds step, and the outcome of starting tasks. */
  readonly rounds: readonly { flip: number; seconds: number; outcome: TaskState }[];
  readonly initiallyDown: readonly boolean[];
}

const chaos: fc.Arbitrary<Chaos> = fc.integer({ min: 1, max: 12 }).chain((hostCount) =>
  fc.record({
    hostCount: fc.constant(hostCount),
    options: fc.record({
      parallelism: fc.integer({ min: 1, max: 4 }),
      maxUnavailable: fc.integer({ min: 1, max: 3 }),
      overlap: fc.boolean(),
      canary: fc.integer({ min: 0, max: 2 }),
      failureThreshold: fc.integer({ min: 0, max: 3 }),
    }),
    rounds: fc.array(
      fc.record({ flip: fc.integer({ min: -1, max: hostCount - 1 }), seconds: fc.integer({ min: 1, max: 200 }), outcome: fc.constantFrom<TaskState>('RUNNING', 'RUNNING', 'FAILED', 'STARTING') }),
      { maxLength: 30 },
    ),
    initiallyDown: fc.array(fc.boolean(), { minLength: hostCount, maxLength: hostCount }),
  }),
);

/**
 * Drives a rollout through chaos, then calm (all UP, tasks RUNNING), checking maxUnavailable at every batch.
 * A progress deadline is set: when failed hosts use up the maxUnavailable budget only it (or an operator) ends the wait.
 */
function simulate(input: Chaos): { driver: RolloutDriver; fleet: FakeFleet; violations: string[] } {
  const names = Array.from({ length: input.hostCount }, (_, i) => `host${i + 1}`);
  const fleet = new FakeFleet(names.map((name, i) => hostOn(name, undefined, input.initiallyDown[i] ? 'DOWN' : 'UP')));
  const driver = new RolloutDriver();
  const violations: string[] = [];
  const checked = (events: readonly { type: string }[], before: Rollout): void => {
    let state = before;
    for (const event of events as Parameters<typeof rolloutDecider.evolve>[1][]) {
      const next = rolloutDecider.evolve(state, event) as Rollout;
      const [was, now, max] = [unavailableCount(state), unavailableCount(next), next.limits.maxUnavailable ?? Infinity];
      if (event.type === 'BatchStarted' && now > max && now !== was) violations.push(`${event.type}: ${was} → ${now} > ${max}`);
      state = next;
    }
  };
  const send = (command: Parameters<RolloutDriver['send']>[0]): void => {
    const before = driver.state;
    const events = driver.send(command);
    if (before.kind === 'rollout') checked(events, before);
  };
  send(start(fleet.observations(), { ...input.options, autoPromote: true, timeout: 300, progressDeadline: 1000 }));
  let seconds = 0;
  const calm = Array.from({ length: 80 }, () => ({ flip: -1, seconds: 100, outcome: 'RUNNING' as TaskState }));
  for (const step of [...input.rounds, ...calm]) {
    if (isRolloutFinished(driver.rollout)) break;
    seconds += step.seconds;
    const flipped = names[step.flip];
    if (flipped !== undefined) fleet.setUp(flipped, !(fleet.hosts.get(flipped)?.up ?? false));
    if (step === calm[0]) for (const name of names) fleet.setUp(name, true);
    fleet.apply(pendingActions(driver.state));
    fleet.settle(driver.rollout.targetJobId, step.outcome);
    send({ type: 'ObserveHosts', rolloutId: driver.rollout.rolloutId, observations: fleet.observations(), time: at(seconds) });
    send({ type: 'Tick', rolloutId: driver.rollout.rolloutId, time: at(seconds) });
  }
  return { driver, fleet, violations };
}

describe('rollout: properties over random fleets, failures and timings', () => {
  it('maxUnavailable is never violated by the rollout, it terminates, and every UP host ends on the target or failed', () => {
    fc.assert(
      fc.property(chaos, (input) => {
        const { driver, violations } = simulate(input);
        expect(violations).toEqual([]);
        expect(isRolloutFinished(driver.rollout)).toBe(true);
        if (driver.rollout.status === 'SUCCEEDED') {
          for (const row of Object.values(driver.rollout.hosts)) {
            expect([row.host, ['HEALTHY', 'UP_TO_DATE', 'FAILED'].includes(row.step) || (row.step === 'SKIPPED' && !row.up)]).toEqual([row.host, true]);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the planner is idempotent: a Tick right after any decision adds nothing', () => {
    fc.assert(
      fc.property(chaos, (input) => {
        const { driver } = simulate({ ...input, rounds: input.rounds.slice(0, 5) });
        const last = driver.events.at(-1);
        const time = last === undefined ? at(0) : last.time;
        expect(rolloutDecider.decide({ type: 'Tick', rolloutId: driver.rollout.rolloutId, time }, driver.state)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});

it('default options are Helios defaults', () => {
  expect(DEFAULT_UPDATE_STRATEGY).toMatchObject({ parallelism: 1, timeout: 300, overlap: false, migrate: false, token: '', ignoreFailures: false });
});
