import type { Decider, DomainCommand, DomainEvent } from '../decider';
import { DomainError, ErrorCode } from '../errors';

/**
 * API tokens created by an admin (the gateway's tokens file holds the
 * others). The aggregate id is the token's subject, which becomes the
 * `actor` on every event the token causes. The secret never enters the
 * event stream: commands and events carry only its SHA-256.
 */
export const API_TOKEN_ROLES = ['read', 'deploy', 'admin'] as const;
export type ApiTokenRole = (typeof API_TOKEN_ROLES)[number];

/** Like an actor name: 1–256 characters, no control characters, no leading or trailing blanks. */
const SUBJECT = /^(?!\s)[^\p{Cc}]{1,256}(?<!\s)$/u;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface ApiToken {
  readonly kind: 'token';
  readonly subject: string;
  readonly role: ApiTokenRole;
  /** lowercase hex SHA-256 of the token */
  readonly tokenSha256: string;
  readonly createdAt: string;
}

/** A revoked token: kept for the listing, its hash forgotten. */
export interface RevokedApiToken {
  readonly kind: 'revoked';
  readonly subject: string;
  readonly role: ApiTokenRole;
  readonly createdAt: string;
  readonly revokedAt: string;
}

export type ApiTokenState = { readonly kind: 'none' } | ApiToken | RevokedApiToken;

export interface CreateApiToken extends DomainCommand<'CreateApiToken'> {
  readonly subject: string;
  readonly role: string;
  readonly tokenSha256: string;
}

export interface RevokeApiToken extends DomainCommand<'RevokeApiToken'> {
  readonly subject: string;
}

export type ApiTokenCommand = CreateApiToken | RevokeApiToken;

export interface ApiTokenCreated extends DomainEvent<'ApiTokenCreated'> {
  readonly subject: string;
  readonly role: ApiTokenRole;
  readonly tokenSha256: string;
  readonly time: string;
}

export interface ApiTokenRevoked extends DomainEvent<'ApiTokenRevoked'> {
  readonly subject: string;
  readonly time: string;
}

export type ApiTokenEvent = ApiTokenCreated | ApiTokenRevoked;

function isApiTokenRole(value: string): value is ApiTokenRole {
  return (API_TOKEN_ROLES as readonly string[]).includes(value);
}

function validate(command: CreateApiToken): ApiTokenRole {
  const problems: string[] = [];
  if (!SUBJECT.test(command.subject)) problems.push('subject must be 1-256 characters without control characters or leading/trailing blanks');
  if (!isApiTokenRole(command.role)) problems.push(`role must be one of ${API_TOKEN_ROLES.join(', ')}`);
  if (!SHA256_HEX.test(command.tokenSha256)) problems.push('tokenSha256 must be 64 lowercase hex digits');
  if (problems.length > 0) throw new DomainError(ErrorCode.INVALID_API_TOKEN, problems.join('; '), { problems });
  return command.role as ApiTokenRole;
}

export const apiTokenDecider: Decider<ApiTokenCommand, ApiTokenEvent, ApiTokenState> = {
  initialState: { kind: 'none' },
  decide(command, state) {
    const { subject, time } = command;
    if (command.type === 'RevokeApiToken') {
      if (state.kind !== 'token') throw new DomainError(ErrorCode.API_TOKEN_NOT_FOUND, `API token not found: ${subject}`, { subject });
      return [{ type: 'ApiTokenRevoked', subject, time }];
    }
    const role = validate(command);
    if (state.kind === 'token') throw new DomainError(ErrorCode.API_TOKEN_ALREADY_EXISTS, `an API token for ${subject} already exists (revoke it first)`, { subject });
    return [{ type: 'ApiTokenCreated', subject, role, tokenSha256: command.tokenSha256, time }];
  },
  evolve(state, event) {
    if (event.type === 'ApiTokenCreated') {
      const { subject, role, tokenSha256, time } = event;
      return { kind: 'token', subject, role, tokenSha256, createdAt: time };
    }
    if (state.kind !== 'token') return state;
    return { kind: 'revoked', subject: state.subject, role: state.role, createdAt: state.createdAt, revokedAt: event.time };
  },
};
