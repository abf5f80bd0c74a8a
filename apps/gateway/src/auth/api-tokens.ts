import { ApiRole, ErrorCode, isApiRole } from '@berth/contracts';
import { createHash, timingSafeEqual } from 'node:crypto';
import { gatewayError } from '../errors/error-mapping';

/** Who is calling: the subject becomes the `actor` on every event its commands cause. */
export interface Principal {
  readonly subject: string;
  readonly role: ApiRole;
}

/** One configured token; only its SHA-256 is kept. */
export interface ApiTokenEntry {
  readonly subject: string;
  readonly role: ApiRole;
  /** hex SHA-256 of the token */
  readonly tokenSha256: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Turns the `Authorization` header (or graphql-ws connection param) into a principal, or throws UNAUTHENTICATED. */
export interface Authenticator {
  authenticate(authorization: unknown): Principal;
}

function toKnown(e: ApiTokenEntry): { readonly principal: Principal; readonly hash: Buffer } {
  return { principal: { subject: e.subject, role: e.role }, hash: Buffer.from(e.tokenSha256, 'hex') };
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Tokens given by configuration. A presented token is hashed and compared
 * with every known hash in constant time (no early exit), so neither the
 * comparison nor the position of a match leaks through timing.
 */
export class ApiTokens implements Authenticator {
  private readonly entries: readonly { readonly principal: Principal; readonly hash: Buffer }[];

  /** `live`: tokens created by an admin (the read model's, asked on every call so a revocation applies at once) */
  constructor(
    private readonly configured: readonly ApiTokenEntry[],
    private readonly live: () => readonly ApiTokenEntry[] = () => [],
  ) {
    this.entries = configured.map(toKnown);
  }

  /** Subjects of the tokens from configuration (an admin may not create another token for one of them). */
  configuredSubjects(): ReadonlySet<string> {
    return new Set(this.configured.map((e) => e.subject));
  }

  /** These tokens plus the ones `live` gives at each call. */
  withLiveTokens(live: () => readonly ApiTokenEntry[]): ApiTokens {
    return new ApiTokens(this.configured, live);
  }

  get size(): number {
    return this.entries.length;
  }

  authenticate(authorization: unknown): Principal {
    if (typeof authorization !== 'string' || authorization.trim() === '') {
      throw gatewayError(ErrorCode.UNAUTHENTICATED, 'an API token is required: send "Authorization: Bearer <token>"');
    }
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) throw gatewayError(ErrorCode.UNAUTHENTICATED, 'the Authorization header must be "Bearer <token>"');
    const presented = createHash('sha256').update(token, 'utf8').digest();
    let found: Principal | undefined;
    for (const entry of [...this.entries, ...this.live().map(toKnown)]) {
      if (timingSafeEqual(entry.hash, presented) && found === undefined) found = entry.principal;
    }
    if (found === undefined) throw gatewayError(ErrorCode.UNAUTHENTICATED, 'unknown API token');
    return found;
  }
}

/** `--auth none`: every caller is an admin acting as the configured actor (development only). */
export class OpenAccess implements Authenticator {
  constructor(private readonly actor: string) {}

  authenticate(): Principal {
    return { subject: this.actor, role: ApiRole.ADMIN };
  }
}

/**
 * A tokens file: a JSON array of `{subject, role, token}` or
 * `{subject, role, tokenSha256}` (prefer the hash: the file then holds no
 * secret). Throws with every problem listed.
 */
export function parseTokensFile(text: string): ApiTokenEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new Error('must be a JSON array of {subject, role, token | tokenSha256}');
  const problems: string[] = [];
  const entries: ApiTokenEntry[] = [];
  parsed.forEach((raw: unknown, i) => {
    const item = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const { subject, role, token, tokenSha256 } = item;
    const unknown = Object.keys(item).filter((k) => !['subject', 'role', 'token', 'tokenSha256'].includes(k));
    if (unknown.length > 0) problems.push(`[${i}]: unknown field(s) ${unknown.join(', ')}`);
    if (typeof subject !== 'string' || subject.trim() === '' || subject.length > 256) problems.push(`[${i}].subject: a non-empty string (at most 256 characters)`);
    if (!isApiRole(role)) problems.push(`[${i}].role: one of read, deploy, admin`);
    const hasToken = typeof token === 'string' && token.length >= 16;
    const hasHash = typeof tokenSha256 === 'string' && /^[0-9a-f]{64}$/i.test(tokenSha256);
    if (hasToken === hasHash) problems.push(`[${i}]: exactly one of token (at least 16 characters) or tokenSha256 (64 hex digits)`);
    if (problems.length === 0 && typeof subject === 'string' && isApiRole(role)) {
      entries.push({ subject, role, tokenSha256: hasHash ? (tokenSha256 as string).toLowerCase() : hashToken(token as string) });
    }
  });
  if (problems.length > 0) throw new Error(problems.join('; '));
  return entries;
}
