import { BerthCliError } from '../errors';
import { FakeGateway, runCli } from '../testing/fake-io';

const TOKEN = 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c';

describe('token create / revoke, tokens', () => {
  it('token create sends the subject and role and prints the token once; --json gives it as a field', async () => {
    const gateway = new FakeGateway(() => ({ createApiToken: { token: TOKEN, subject: 'ci-bot', role: 'deploy', sequence: 7 } }));
    const result = await runCli(['token', 'create', 'ci-bot', '--role', 'deploy'], { gateway });
    expect(result).toEqual({ exitCode: 0, stdout: `API token for ci-bot (deploy), shown only this once:\n${TOKEN}\n`, stderr: '' });
    expect(gateway.sent[0]?.variables).toEqual({ subject: 'ci-bot', role: 'deploy' });
    const json = await runCli(['--json', 'token', 'create', 'ci-bot', '--role', 'deploy'], { gateway });
    expect(JSON.parse(json.stdout)).toEqual({ token: TOKEN, subject: 'ci-bot', role: 'deploy', sequence: 7 });
  });

  it('token create without a valid --role is a usage error and sends nothing; a refusal exits 1 with its code', async () => {
    const gateway = new FakeGateway(() => {
      throw new BerthCliError('API_TOKEN_ALREADY_EXISTS', 'an API token for ci-bot already exists (revoke it first)');
    });
    expect((await runCli(['token', 'create', 'ci-bot'], { gateway })).exitCode).toBe(2);
    expect((await runCli(['token', 'create', 'ci-bot', '--role', 'root'], { gateway })).exitCode).toBe(2);
    expect(gateway.sent).toEqual([]);
    const refused = await runCli(['token', 'create', 'ci-bot', '--role', 'read'], { gateway });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('API_TOKEN_ALREADY_EXISTS');
  });

  it('token revoke names the subject; tokens lists subject, role, creation and revocation, never a hash', async () => {
    const gateway = new FakeGateway((operation) => {
      if (operation === 'RevokeApiToken') return { revokeApiToken: { subject: 'ci-bot', sequence: 9 } };
      return {
        apiTokens: {
          items: [
            { subject: 'ci-bot', role: 'deploy', createdAt: '2026-11-25T16:00:00.000Z', revoked: true, revokedAt: '2026-11-25T16:30:00.000Z' },
            { subject: 'ops', role: 'admin', createdAt: '2026-11-25T16:10:00.000Z', revoked: false, revokedAt: null },
          ],
        },
      };
    });
    expect(await runCli(['token', 'revoke', 'ci-bot'], { gateway })).toEqual({ exitCode: 0, stdout: 'API token for ci-bot revoked\n', stderr: '' });
    expect(gateway.sent[0]?.variables).toEqual({ subject: 'ci-bot' });
    const listed = await runCli(['tokens'], { gateway });
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SUBJECT\s+ROLE\s+CREATED\s+REVOKED$/);
    expect(lines[1]).toMatch(/^ci-bot\s+deploy\s+2026-11-25T16:00:00.000Z\s+2026-11-25T16:30:00.000Z$/);
    expect(lines[2]).toMatch(/^ops\s+admin\s+2026-11-25T16:10:00.000Z\s+no$/);
  });
});
