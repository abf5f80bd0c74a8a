import { ConfigError } from '@berth/service';
import { authenticatorFor } from '../config';
import { ApiTokens, hashToken, OpenAccess, parseTokensFile } from './api-tokens';

const ALICE = 'alice-token-0123456789';

describe('API tokens from configuration', () => {
  const tokens = new ApiTokens(parseTokensFile(JSON.stringify([
    { subject: 'alice', role: 'admin', token: ALICE },
    { subject: 'ci', role: 'deploy', tokenSha256: hashToken('ci-token-0123456789abc') },
  ])));

  it('knows a bearer token by its hash and names its subject and role', () => {
    expect(tokens.authenticate(`Bearer ${ALICE}`)).toEqual({ subject: 'alice', role: 'admin' });
    expect(tokens.authenticate('bearer ci-token-0123456789abc')).toEqual({ subject: 'ci', role: 'deploy' });
  });

  it('refuses a missing, malformed or unknown token with UNAUTHENTICATED', () => {
    for (const header of [undefined, '', ALICE, 'Basic YWxpY2U6eA==', 'Bearer nope-0123456789abcdef', `Bearer ${ALICE}x`]) {
      expect(() => tokens.authenticate(header)).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
    }
  });

  it('with live tokens (created by an admin), accepts them besides the configured ones, as long as the source lists them', () => {
    let live = [{ subject: 'bot', role: 'read' as const, tokenSha256: hashToken('bot-token-0123456789') }];
    const both = tokens.withLiveTokens(() => live);
    expect(both.authenticate('Bearer bot-token-0123456789')).toEqual({ subject: 'bot', role: 'read' });
    expect(both.authenticate(`Bearer ${ALICE}`)).toEqual({ subject: 'alice', role: 'admin' });
    expect(() => tokens.authenticate('Bearer bot-token-0123456789')).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
    live = [];
    expect(() => both.authenticate('Bearer bot-token-0123456789')).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });

  it('keeps only hashes', () => {
    expect(JSON.stringify(tokens)).not.toContain(ALICE);
  });

  it('lists every problem of a bad tokens file', () => {
    const bad = JSON.stringify([{ subject: '', role: 'root', token: 'short' }, { subject: 'x', role: 'read', token: ALICE, tokenSha256: hashToken(ALICE) }, { subject: 'y', role: 'read', tokn: ALICE }]);
    expect(() => parseTokensFile(bad)).toThrow(/\[0\]\.subject.*\[0\]\.role.*\[0\]: exactly one.*\[1\]: exactly one.*\[2\]: unknown field\(s\) tokn/);
    expect(() => parseTokensFile('{"subject": "a"}')).toThrow(/JSON array/);
    expect(() => parseTokensFile('[')).toThrow(/not valid JSON/);
  });
});

describe('choosing how callers are authenticated', () => {
  const files: Record<string, string> = { '/ok.json': JSON.stringify([{ subject: 'alice', role: 'read', token: ALICE }]), '/empty.json': '[]' };
  const read = (path: string) => {
    const text = files[path];
    if (text === undefined) throw new Error('ENOENT: no such file');
    return text;
  };

  it('refuses to start without tokens unless --auth none says so', () => {
    expect(() => authenticatorFor({ auth: 'tokens', tokensFile: '', actor: 'gw' }, read)).toThrow(ConfigError);
    expect(() => authenticatorFor({ auth: 'tokens', tokensFile: '', actor: 'gw' }, read)).toThrow(/--auth none/);
    expect(() => authenticatorFor({ auth: 'tokens', tokensFile: '/empty.json', actor: 'gw' }, read)).toThrow(/holds no token/);
    expect(() => authenticatorFor({ auth: 'tokens', tokensFile: '/missing.json', actor: 'gw' }, read)).toThrow(/ENOENT/);
    expect(authenticatorFor({ auth: 'tokens', tokensFile: '/ok.json', actor: 'gw' }, read).authenticate(`Bearer ${ALICE}`)).toEqual({ subject: 'alice', role: 'read' });
  });

  it('with --auth none lets everyone in as an admin acting as the configured actor', () => {
    const open = authenticatorFor({ auth: 'none', tokensFile: '', actor: 'gw' }, read);
    expect(open).toBeInstanceOf(OpenAccess);
    expect(open.authenticate(undefined)).toEqual({ subject: 'gw', role: 'admin' });
  });
});
