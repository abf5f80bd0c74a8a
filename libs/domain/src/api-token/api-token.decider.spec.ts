import { foldEvents } from '../decider';
import { ErrorCode } from '../errors';
import { given } from '../testing/given-when-then';
import { apiTokenDecider, type ApiTokenCreated } from './api-token.decider';

const t0 = '2026-11-25T16:00:00.000Z';
const t1 = '2026-11-25T17:00:00.000Z';
const sha = 'a'.repeat(64);
const created: ApiTokenCreated = { type: 'ApiTokenCreated', subject: 'ci-bot', role: 'deploy', tokenSha256: sha, time: t0 };

describe('api-token decider', () => {
  it('creates a token from its subject, role and hash (never the secret)', () => {
    given(apiTokenDecider).when({ type: 'CreateApiToken', subject: 'ci-bot', role: 'deploy', tokenSha256: sha, time: t0 }).then([created]);
  });

  it('refuses an existing un-revoked subject with API_TOKEN_ALREADY_EXISTS, accepts it again once revoked', () => {
    const create = { type: 'CreateApiToken' as const, subject: 'ci-bot', role: 'admin', tokenSha256: 'b'.repeat(64), time: t1 };
    given(apiTokenDecider, [created]).when(create).thenThrows(ErrorCode.API_TOKEN_ALREADY_EXISTS);
    given(apiTokenDecider, [created, { type: 'ApiTokenRevoked', subject: 'ci-bot', time: t1 }])
      .when(create)
      .then([{ type: 'ApiTokenCreated', subject: 'ci-bot', role: 'admin', tokenSha256: 'b'.repeat(64), time: t1 }]);
  });

  it('revokes an existing token; an unknown or revoked one is API_TOKEN_NOT_FOUND', () => {
    given(apiTokenDecider, [created]).when({ type: 'RevokeApiToken', subject: 'ci-bot', time: t1 }).then([{ type: 'ApiTokenRevoked', subject: 'ci-bot', time: t1 }]);
    given(apiTokenDecider).when({ type: 'RevokeApiToken', subject: 'ci-bot', time: t1 }).thenThrows(ErrorCode.API_TOKEN_NOT_FOUND);
    given(apiTokenDecider, [created, { type: 'ApiTokenRevoked', subject: 'ci-bot', time: t1 }])
      .when({ type: 'RevokeApiToken', subject: 'ci-bot', time: t1 })
      .thenThrows(ErrorCode.API_TOKEN_NOT_FOUND);
  });

  it('a revoked token keeps subject, role and dates but forgets its hash', () => {
    const state = foldEvents(apiTokenDecider, [created, { type: 'ApiTokenRevoked', subject: 'ci-bot', time: t1 }]);
    expect(state).toEqual({ kind: 'revoked', subject: 'ci-bot', role: 'deploy', createdAt: t0, revokedAt: t1 });
  });

  it.each([
    ['an empty subject', { subject: '' }],
    ['a subject with a leading blank', { subject: ' bot' }],
    ['a subject with a control character', { subject: 'bot\n' }],
    ['a subject longer than 256 characters', { subject: 'x'.repeat(257) }],
    ['an unknown role', { role: 'root' }],
    ['a hash that is not 64 hex digits', { tokenSha256: 'abc' }],
    ['an uppercase hash', { tokenSha256: 'A'.repeat(64) }],
  ])('refuses %s with INVALID_API_TOKEN', (_what, change) => {
    given(apiTokenDecider)
      .when({ type: 'CreateApiToken', subject: 'ci-bot', role: 'read', tokenSha256: sha, time: t0, ...change })
      .thenThrows(ErrorCode.INVALID_API_TOKEN);
  });
});
