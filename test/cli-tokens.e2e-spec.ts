import { startStack, type Stack } from './support/stack';

/**
 * API tokens created by an admin through `berth`, on the real stack: the
 * token is printed once, works with its role and subject, and stops working
 * once revoked.
 */
const ADMIN = 'tokens-e2e';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ name: ADMIN, hosts: [], labels: [] });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

it('an admin creates a deploy token; it creates a job as its subject, may not deregister a host, and is refused once revoked', async () => {
  const created = await stack.cli.run('--json', 'token', 'create', 'ci-e2e', '--role', 'deploy');
  expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
  const { token, subject, role } = JSON.parse(created.stdout) as { token: string; subject: string; role: string };
  expect({ subject, role }).toEqual({ subject: 'ci-e2e', role: 'deploy' });
  const bot = stack.cliWith({ BERTH_TOKEN: token });

  expect((await bot.run('create', 'tok-e2e:1', 'local/busybox:1')).code).toBe(0);
  const events = await stack.cli.run('--json', 'events');
  const jobCreated = (JSON.parse(events.stdout) as { type: string; actor: string }[]).find((e) => e.type === 'JobCreated');
  expect(jobCreated?.actor).toBe('ci-e2e');
  expect(events.stdout).not.toContain(token);
  const forbidden = await bot.run('deregister', 'some-host', '--yes');
  expect(forbidden.code).toBe(1);
  expect(forbidden.stderr).toMatch(/^Error: FORBIDDEN: /m);

  const again = await stack.cli.run('token', 'create', 'ci-e2e', '--role', 'read');
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/^Error: API_TOKEN_ALREADY_EXISTS: /m);

  expect(await stack.cli.run('token', 'revoke', 'ci-e2e')).toMatchObject({ code: 0, stdout: 'API token for ci-e2e revoked\n' });
  const refused = await bot.run('jobs');
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/^Error: UNAUTHENTICATED: /m);
  const listed = await stack.cli.run('tokens');
  expect(listed.stdout.split('\n')[1]).toMatch(/^ci-e2e\s+deploy\s+\S+\s+\d{4}-\d\d-\d\dT/);
});
