import {
  DEFAULT_ROLLOUT_OPTIONS,
  DEFAULT_SECONDS_TO_WAIT_BEFORE_KILL,
  effectiveRolloutOptions,
  hasStaticPorts,
  secondsToWaitBeforeKill,
} from './job';

describe('job use-time defaults', () => {
  it('waits 120 s before kill unless the job says otherwise (0 included)', () => {
    expect(DEFAULT_SECONDS_TO_WAIT_BEFORE_KILL).toBe(120);
    expect(secondsToWaitBeforeKill({})).toBe(120);
    expect(secondsToWaitBeforeKill({ secondsToWaitBeforeKill: 0 })).toBe(0);
    expect(secondsToWaitBeforeKill({ secondsToWaitBeforeKill: 30 })).toBe(30);
  });

  it("uses Helios's RolloutOptions defaults", () => {
    expect(effectiveRolloutOptions({})).toEqual({
      migrate: false,
      parallelism: 1,
      timeout: 300,
      overlap: false,
      token: '',
      ignoreFailures: false,
    });
    expect(effectiveRolloutOptions({})).toEqual(DEFAULT_ROLLOUT_OPTIONS);
  });

  it('takes the request over the job over the defaults (the manual example)', () => {
    const job = { rolloutOptions: { parallelism: 2, overlap: false, ignoreFailures: false } };
    expect(effectiveRolloutOptions(job, { overlap: true, parallelism: 3 })).toEqual({
      migrate: false,
      parallelism: 3,
      timeout: 300,
      overlap: true,
      token: '',
      ignoreFailures: false,
    });
  });

  it('lets an undefined request field fall through to the job', () => {
    expect(effectiveRolloutOptions({ rolloutOptions: { timeout: 60 } }, { timeout: undefined }).timeout).toBe(60);
  });

  it('knows when a job has static ports', () => {
    expect(hasStaticPorts({ ports: {} })).toBe(false);
    expect(hasStaticPorts({ ports: { a: { internalPort: 1, protocol: 'tcp' } } })).toBe(false);
    expect(hasStaticPorts({ ports: { a: { internalPort: 1, externalPort: 0, protocol: 'udp' } } })).toBe(true);
  });
});
