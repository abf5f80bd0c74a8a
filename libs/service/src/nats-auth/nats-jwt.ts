import { createHash } from 'node:crypto';
import { nkeys } from '@nats-io/transport-node';

/**
 * NATS decentralized auth (JWT v2): an operator signs accounts, an account
 * signs its users, each with an ed25519 nkey. A JWT is base64url(header) "."
 * base64url(claims) "." base64url(ed25519 signature of the first two), the
 * claims naming the issuer (`iss`) and the subject (`sub`) by public nkey.
 * Small enough to write here; nats-server verifies it.
 */
export type KeyPair = nkeys.KeyPair;

export interface NatsPermission {
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
}

export interface UserPermissions {
  readonly pub: NatsPermission;
  readonly sub: NatsPermission;
  /** may publish one reply to the reply subject of each request it received (a responder) */
  readonly allowResponses?: boolean;
}

const HEADER = { typ: 'JWT', alg: 'ed25519-nkey' } as const;

function base64url(data: Uint8Array | string): string {
  return Buffer.from(data).toString('base64url');
}

function base32NoPad(data: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** Signs `claims` (without iss/jti/iat) with `issuer`; `iat` in seconds. */
export function encodeJwt(claims: { sub: string; name: string; nats: Record<string, unknown> }, issuer: KeyPair, iat: number): string {
  const body = { ...claims, iat, iss: issuer.getPublicKey(), jti: '' };
  // as nats-io/jwt: the id is the base32 SHA-512/256 of the claims without it
  body.jti = base32NoPad(createHash('sha512-256').update(JSON.stringify(body)).digest());
  const signed = `${base64url(JSON.stringify(HEADER))}.${base64url(JSON.stringify(body))}`;
  return `${signed}.${base64url(issuer.sign(Buffer.from(signed)))}`;
}

/** The claims of a JWT (not verified: for reading back what this module wrote). */
export function decodeJwtClaims(jwt: string): Record<string, unknown> & { sub: string; name: string; iat: number; nats: Record<string, unknown> } {
  const part = jwt.split('.')[1];
  if (part === undefined) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as ReturnType<typeof decodeJwtClaims>;
}

export function operatorJwt(operator: KeyPair, name: string, systemAccount: string, iat: number): string {
  return encodeJwt({ sub: operator.getPublicKey(), name, nats: { type: 'operator', version: 2, system_account: systemAccount } }, operator, iat);
}

const UNLIMITED = { subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 };

export interface AccountClaimsOptions {
  readonly jetstream: boolean;
  /** user public key → unix seconds: users of that key issued at or before it are refused */
  readonly revocations?: Readonly<Record<string, number>>;
}

export function accountJwt(operator: KeyPair, account: string, name: string, options: AccountClaimsOptions, iat: number): string {
  const jetstream = options.jetstream ? { mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 } : {};
  const revocations = options.revocations && Object.keys(options.revocations).length > 0 ? { revocations: options.revocations } : {};
  return encodeJwt(
    { sub: account, name, nats: { type: 'account', version: 2, limits: { ...UNLIMITED, ...jetstream }, default_permissions: { pub: {}, sub: {} }, ...revocations } },
    operator,
    iat,
  );
}

export function userJwt(account: KeyPair, user: string, name: string, permissions: UserPermissions, iat: number): string {
  const perm = (p: NatsPermission) => ({ ...(p.allow ? { allow: [...p.allow] } : {}), ...(p.deny ? { deny: [...p.deny] } : {}) });
  return encodeJwt(
    {
      sub: user,
      name,
      nats: {
        type: 'user',
        version: 2,
        pub: perm(permissions.pub),
        sub: perm(permissions.sub),
        ...(permissions.allowResponses ? { resp: { max: 1, ttl: 0 } } : {}),
        subs: -1,
        data: -1,
        payload: -1,
      },
    },
    account,
    iat,
  );
}

/** The `.creds` file NATS clients read: the user JWT and its seed. */
export function formatCreds(jwt: string, seed: string): string {
  return `-----BEGIN NATS USER JWT-----
${jwt}
------END NATS USER JWT------

************************* IMPORTANT *************************
NKEY Seed printed below can be used to sign and prove identity.
NKEYs are sensitive and should be treated as secrets.

-----BEGIN USER NKEY SEED-----
${seed}
------END USER NKEY SEED------

*************************************************************
`;
}

export function seedOf(kp: KeyPair): string {
  return new TextDecoder().decode(kp.getSeed());
}

/** The key pair of a seed; its public key worked out once (nkeys derives it from the seed at every call, ~ms each in JavaScript). */
export function keyPairFromSeed(seed: string): KeyPair {
  const kp = nkeys.fromSeed(new TextEncoder().encode(seed.trim()));
  const publicKey = kp.getPublicKey();
  return Object.assign(Object.create(kp) as KeyPair, { getPublicKey: () => publicKey });
}
