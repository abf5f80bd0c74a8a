import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../testing/fake-io';

/** berth credentials: files made from real keys in a temp dir (telling nats-server is in test/npm-start-stop.e2e-spec.ts). */
describe('berth credentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cli-creds-'));
  const keys = join(dir, 'keys');
  const env = { BERTH_AUTH_DIR: keys };

  it('writes a host credential (mode 0600, a user JWT named after the host) and makes the keys on first use', async () => {
    const out = join(dir, 'web-1.creds');
    const result = await runCli(['credentials', 'host', 'web-1', '--out', out], { env });
    expect([result.exitCode, result.stdout]).toEqual([0, `wrote ${out} (host web-1); keep it secret: it is the identity\n`]);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(statSync(keys).mode & 0o777).toBe(0o700);
    const jwt = /BEGIN NATS USER JWT-----\s+(\S+)/.exec(readFileSync(out, 'utf8'))?.[1] ?? '';
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as { name: string; nats: { pub: { allow: string[] } } };
    expect(claims).toMatchObject({ name: 'web-1', nats: { pub: { allow: ['berth.agent.web-1.>'] } } });
  });

  it('refuses to overwrite a file, a name another party holds, and an integration without a role', async () => {
    const again = await runCli(['credentials', 'host', 'web-1', '--out', join(dir, 'web-1.creds')], { env });
    expect([again.exitCode, again.stderr]).toEqual([1, expect.stringContaining('FILE_EXISTS')]);
    const taken = await runCli(['credentials', 'integration', 'web-1', '--role', 'read', '--out', join(dir, 'x.creds')], { env });
    expect([taken.exitCode, taken.stderr]).toEqual([1, expect.stringContaining('NAME_TAKEN')]);
    expect(existsSync(join(dir, 'x.creds'))).toBe(false);
    expect((await runCli(['credentials', 'integration', 'ci', '--out', join(dir, 'ci.creds')], { env })).exitCode).toBe(2);
  });

  it('lists what it made, and keeps a revocation it could not tell nats-server (UNAVAILABLE)', async () => {
    expect((await runCli(['credentials', 'integration', 'ci', '--role', 'deploy', '--out', join(dir, 'ci.creds')], { env })).exitCode).toBe(0);
    const revoke = await runCli(['credentials', 'revoke', 'ci', '--nats', 'nats://127.0.0.1:1'], { env });
    expect([revoke.exitCode, revoke.stderr]).toEqual([1, expect.stringMatching(/UNAVAILABLE: recorded in .*berth credentials push/)]);
    const list = await runCli(['--json', 'credentials', 'list'], { env });
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ name: 'web-1', kind: 'agent', issuedAt: expect.any(Number) }),
      expect.objectContaining({ name: 'ci', kind: 'integration', role: 'deploy', revokedAt: expect.any(Number) }),
    ]);
    const unknown = await runCli(['credentials', 'revoke', 'nobody'], { env });
    expect([unknown.exitCode, unknown.stderr]).toEqual([1, expect.stringContaining('CREDENTIALS_NOT_FOUND')]);
  });
});
