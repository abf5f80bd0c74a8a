import { UsageError } from './errors';
import { parseCountOrPercent, parseSeconds, rolloutOptionsOf, rolloutTimeoutMs } from './rollout-flags';

describe('rolling-update flags', () => {
  it("sends the new job's and the old job's tokens apart, an empty old-job token included", () => {
    expect(rolloutOptionsOf({ token: 'sesame', oldJobToken: '' })).toEqual({ token: 'sesame', oldJobToken: '' });
    expect(rolloutOptionsOf({ oldJobToken: 'sesame' })).toEqual({ oldJobToken: 'sesame' });
  });

  it('sends only the options given, with Helios and Nomad names', () => {
    expect(rolloutOptionsOf({})).toEqual({});
    expect(
      rolloutOptionsOf({
        par: '2',
        timeout: '90',
        migrate: true,
        overlap: true,
        token: 't0k',
        ignoreFailures: true,
        canary: '1',
        autoPromote: true,
        maxUnavailable: '25%',
        failureThreshold: '1',
        minHealthyTime: '10s',
        healthyDeadline: '2m',
        progressDeadline: '1h',
        autoRevert: true,
        stagger: '500ms',
        prestage: true,
        prestageQuorum: '50%',
        healthCheck: 'manual',
      }),
    ).toEqual({
      parallelism: 2,
      timeout: 90,
      migrate: true,
      overlap: true,
      token: 't0k',
      ignoreFailures: true,
      canary: 1,
      autoPromote: true,
      maxUnavailable: '25%',
      failureThreshold: 1,
      minHealthyTime: 10,
      healthyDeadline: 120,
      progressDeadline: 3600,
      autoRevert: true,
      stagger: 0.5,
      prestage: true,
      prestageQuorum: '50%',
      healthCheck: 'manual',
    });
  });

  it('refuses malformed values as usage errors naming the flag', () => {
    expect(() => rolloutOptionsOf({ par: 'two' })).toThrow(new UsageError('--par "two": expected a whole number'));
    expect(() => parseSeconds('soon', '--timeout')).toThrow(/--timeout "soon"/);
    expect(() => parseCountOrPercent('-1', '--max-unavailable')).toThrow(/--max-unavailable "-1"/);
    expect(() => rolloutOptionsOf({ healthCheck: 'http' })).toThrow(/--health-check "http": expected one of task_states, checks, manual/);
  });

  it('reads -T in minutes unless a unit is given', () => {
    expect(rolloutTimeoutMs({ rolloutTimeout: '60' })).toBe(3_600_000);
    expect(rolloutTimeoutMs({ rolloutTimeout: '30s' })).toBe(30_000);
  });
});
