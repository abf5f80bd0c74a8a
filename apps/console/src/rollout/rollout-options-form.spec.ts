import { OPTION_FIELDS, defaultText, parseOptionsForm } from './rollout-options-form';

it('offers every rolling-update option of the gateway (except maxParallel, the alias of parallelism)', () => {
  const gatewayOptions = ['autoPromote', 'autoRevert', 'canary', 'failureThreshold', 'healthCheck', 'healthyDeadline', 'ignoreFailures', 'maxUnavailable', 'migrate', 'minHealthyTime', 'overlap', 'parallelism', 'prestage', 'prestageQuorum', 'progressDeadline', 'stagger', 'timeout', 'token', 'oldJobToken'].sort();
  expect(OPTION_FIELDS.map((f) => f.name).sort()).toEqual(gatewayOptions);
});

it("shows the domain's defaults", () => {
  const byName = Object.fromEntries(OPTION_FIELDS.map((f) => [f.name, defaultText(f)]));
  expect(byName).toMatchObject({ parallelism: '1', timeout: '300', healthCheck: 'task_states', prestageQuorum: '100%', maxUnavailable: 'none', token: 'none', oldJobToken: 'the job token', overlap: 'false' });
});

it('sends only what the user set, typed', () => {
  expect(parseOptionsForm({ parallelism: '6', canary: ' 2 ', maxUnavailable: '25%', failureThreshold: '3', timeout: '', autoRevert: true, overlap: false, healthCheck: 'manual', minHealthyTime: '1.5' })).toEqual({
    options: { parallelism: 6, canary: 2, maxUnavailable: '25%', failureThreshold: 3, autoRevert: true, healthCheck: 'manual', minHealthyTime: 1.5 },
    problems: {},
  });
});

it('names each field it cannot accept, with what it expects', () => {
  expect(parseOptionsForm({ parallelism: 'six', maxUnavailable: '25 %', stagger: '-1', healthCheck: 'http' }).problems).toEqual({
    parallelism: 'a whole number of hosts',
    maxUnavailable: 'a host count (2) or a percentage (25%)',
    stagger: 'a number of seconds',
    healthCheck: 'task_states, checks, manual',
  });
});

it("sends the old jobs' token apart from the new job's: a token, none at all (\"\"), or nothing (the job token then)", () => {
  expect(parseOptionsForm({ token: 'sesame', oldJobToken: 'old-secret' }).options).toEqual({ token: 'sesame', oldJobToken: 'old-secret' });
  expect(parseOptionsForm({ token: 'sesame', oldJobToken: true }).options).toEqual({ token: 'sesame', oldJobToken: '' });
  expect(parseOptionsForm({ token: 'sesame', oldJobToken: '' }).options).toEqual({ token: 'sesame' });
  expect(parseOptionsForm({ token: 'sesame', oldJobToken: false }).options).toEqual({ token: 'sesame' });
});
