import { ApiRole } from '@berth/contracts';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatsAuth, NatsAuthError } from './nats-auth';
import { decodeJwtClaims } from './nats-jwt';

const userJwtOf = (creds: string): string => /BEGIN NATS USER JWT-----\s+(\S+)/.exec(creds)?.[1] ?? '';

describe('NatsAuth', () => {
  const dir = (): string => join(mkdtempSync(join(tmpdir(), 'berth-nats-auth-')), 'keys');

  it('signs users with the account key, carrying the declared permissions, and reopens the same keys', () => {
    const path = dir();
    const auth = NatsAuth.init(path);
    const { creds, user } = auth.issue({ kind: 'integration', name: 'ci', role: ApiRole.DEPLOY });
    const claims = decodeJwtClaims(userJwtOf(creds));
    expect(claims).toMatchObject({ sub: user.publicKey, iss: auth.accountPublicKey, name: 'ci', nats: { type: 'user', pub: { allow: expect.arrayContaining(['berth.as.deploy.ci.>', 'berth.as.read.ci.>']) } } });
    expect(creds).toMatch(/-----BEGIN USER NKEY SEED-----\s+SU[A-Z0-9]+\s/);
    const reopened = NatsAuth.open(path);
    expect(reopened.accountPublicKey).toBe(auth.accountPublicKey);
    expect(reopened.users()).toEqual([user]);
    expect(readFileSync(join(path, 'auth.json'), 'utf8')).not.toContain(creds.slice(-60));
  });

  it('revokes every key of a name, or all but the newest, in a newer account JWT', () => {
    const auth = NatsAuth.init(dir());
    const first = auth.issue({ kind: 'agent', host: 'web-1' }).user;
    const second = auth.issue({ kind: 'agent', host: 'web-1' }).user;
    const before = decodeJwtClaims(auth.accountJwt()).iat;
    expect(auth.revoke('web-1', { keepNewest: true }).map((u) => u.publicKey)).toEqual([first.publicKey]);
    const account = decodeJwtClaims(auth.accountJwt());
    expect(account.iat).toBeGreaterThan(before);
    expect(Object.keys(account.nats['revocations'] as object)).toEqual([first.publicKey]);
    expect(auth.revoke('web-1').map((u) => u.publicKey)).toEqual([second.publicKey]);
    expect(() => auth.revoke('web-1')).toThrow(expect.objectContaining({ code: 'CREDENTIALS_NOT_FOUND' }));
  });

  it('refuses a name held by a live party of another kind or role, and a name that is not one', () => {
    const auth = NatsAuth.init(dir());
    auth.issue({ kind: 'agent', host: 'web-1' });
    expect(() => auth.issue({ kind: 'integration', name: 'web-1', role: ApiRole.READ })).toThrow(NatsAuthError);
    expect(() => auth.issue({ kind: 'integration', name: 'a b', role: ApiRole.READ })).toThrow(expect.objectContaining({ code: 'INVALID_NAME' }));
    auth.revoke('web-1');
    expect(auth.issue({ kind: 'integration', name: 'web-1', role: ApiRole.READ }).user.kind).toBe('integration');
  });

  it('gives nats-server the operator, the system account, a full resolver and both accounts', () => {
    const auth = NatsAuth.init(dir());
    const config = auth.serverConfig('/var/lib/berth/resolver');
    expect(config).toContain(`operator: ${JSON.stringify(auth.operatorJwtPath)}`);
    expect(config).toContain(`system_account: ${auth.systemAccountPublicKey}`);
    expect(config).toContain('resolver: { type: full, dir: "/var/lib/berth/resolver"');
    expect(config).toContain(`${auth.accountPublicKey}: ${auth.accountJwt()}`);
    expect(() => NatsAuth.open(join(tmpdir(), 'no-such-berth-keys'))).toThrow(expect.objectContaining({ code: 'AUTH_DIR_MISSING' }));
  });
});
