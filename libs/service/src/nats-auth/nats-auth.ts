import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { busIdentityName, busPermissions, type BusParty, type BusPartyKind, type ApiRole } from '@berth/contracts';
import { nkeys, type NatsConnection } from '@nats-io/transport-node';
import { accountJwt, formatCreds, keyPairFromSeed, operatorJwt, seedOf, userJwt, type KeyPair } from './nats-jwt';

/** One credential made for a party; revoked ones stay listed. */
export interface IssuedUser {
  readonly name: string;
  readonly kind: BusPartyKind;
  readonly role?: ApiRole;
  readonly publicKey: string;
  /** unix seconds */
  readonly issuedAt: number;
  readonly revokedAt?: number;
}

interface AuthState {
  readonly version: 1;
  readonly operatorSeed: string;
  readonly systemAccountSeed: string;
  readonly accountSeed: string;
  /** iat of the newest account JWT: each update must be newer for nats-server to take it */
  accountIssuedAt: number;
  readonly users: IssuedUser[];
}

export class NatsAuthError extends Error {
  override readonly name = 'NatsAuthError';
  constructor(
    readonly code: 'AUTH_DIR_MISSING' | 'INVALID_NAME' | 'NAME_TAKEN' | 'CREDENTIALS_NOT_FOUND' | 'CLAIMS_UPDATE_FAILED',
    message: string,
  ) {
    super(message);
  }
}

const STATE_FILE = 'auth.json';
const OPERATOR_FILE = 'operator.jwt';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function writePrivate(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/**
 * The keys of a Berth bus (docs/security.md) kept in one directory (mode
 * 0700, its files 0600): the operator, the system account and the BERTH
 * account every party lives in, and the list of credentials made. Users are
 * signed by the account key, so adding one needs no change to any server;
 * revoking one changes the account JWT, which nats-server takes at run time
 * (`$SYS.REQ.CLAIMS.UPDATE`, see pushAccountJwt). One writer at a time.
 */
export class NatsAuth {
  /** ed25519 in JavaScript is slow (~100 ms a key derivation on a loaded machine): each seed is read into a key pair once */
  private readonly operator: KeyPair;
  private readonly systemAccount: KeyPair;
  private readonly account: KeyPair;

  private constructor(
    readonly dir: string,
    private readonly state: AuthState,
  ) {
    this.operator = keyPairFromSeed(state.operatorSeed);
    this.systemAccount = keyPairFromSeed(state.systemAccountSeed);
    this.account = keyPairFromSeed(state.accountSeed);
  }

  /** Opens the directory, creating the operator and accounts when it holds none yet. */
  static init(dir: string): NatsAuth {
    if (existsSync(join(dir, STATE_FILE))) return NatsAuth.open(dir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    const state: AuthState = {
      version: 1,
      operatorSeed: seedOf(nkeys.createOperator()),
      systemAccountSeed: seedOf(nkeys.createAccount()),
      accountSeed: seedOf(nkeys.createAccount()),
      accountIssuedAt: nowSeconds(),
      users: [],
    };
    const auth = new NatsAuth(dir, state);
    auth.save();
    return auth;
  }

  static open(dir: string): NatsAuth {
    let text: string;
    try {
      text = readFileSync(join(dir, STATE_FILE), 'utf8');
    } catch {
      throw new NatsAuthError('AUTH_DIR_MISSING', `no Berth NATS keys in ${dir} (${STATE_FILE} is missing): \`npm start\` makes them, or pass --auth-dir`);
    }
    return new NatsAuth(dir, JSON.parse(text) as AuthState);
  }

  get operatorJwtPath(): string {
    return join(this.dir, OPERATOR_FILE);
  }

  get accountPublicKey(): string {
    return this.account.getPublicKey();
  }

  get systemAccountPublicKey(): string {
    return this.systemAccount.getPublicKey();
  }

  users(): readonly IssuedUser[] {
    return this.state.users;
  }

  /** The account JWT with every revocation so far. */
  accountJwt(): string {
    const revocations: Record<string, number> = {};
    for (const u of this.state.users) if (u.revokedAt !== undefined) revocations[u.publicKey] = u.revokedAt;
    return accountJwt(this.operator, this.accountPublicKey, 'BERTH', { jetstream: true, revocations }, this.state.accountIssuedAt);
  }

  private systemAccountJwt(): string {
    return accountJwt(this.operator, this.systemAccountPublicKey, 'SYS', { jetstream: false }, this.state.accountIssuedAt);
  }

  /**
   * The lines of nats-server's configuration that turn auth on: the operator,
   * the system account, a full resolver keeping account JWTs in `resolverDir`
   * (updates and revocations arrive at run time), the accounts preloaded.
   */
  serverConfig(resolverDir: string): string {
    return [
      `operator: ${JSON.stringify(this.operatorJwtPath)}`,
      `system_account: ${this.systemAccountPublicKey}`,
      `resolver: { type: full, dir: ${JSON.stringify(resolverDir)}, allow_delete: false, interval: "2m", timeout: "2s" }`,
      'resolver_preload: {',
      `  ${this.systemAccountPublicKey}: ${this.systemAccountJwt()}`,
      `  ${this.accountPublicKey}: ${this.accountJwt()}`,
      '}',
      '',
    ].join('\n');
  }

  /** A `.creds` file for a party, its permissions those of busPermissions. Another one for the same party adds a key; both work until revoked. */
  issue(party: BusParty): { readonly creds: string; readonly user: IssuedUser } {
    const name = busIdentityName(party);
    if (!NAME.test(name)) throw new NatsAuthError('INVALID_NAME', `"${name}" is not a name: letters, digits, ".", "_" and "-", at most 128 characters`);
    const other = this.state.users.find((u) => u.name === name && (u.kind !== party.kind || (party.kind === 'integration' && u.role !== party.role)) && u.revokedAt === undefined);
    if (other) {
      throw new NatsAuthError('NAME_TAKEN', `"${name}" already names ${other.kind === 'integration' ? `an integration (${other.role})` : `the ${other.kind}`}: revoke it first or pick another name`);
    }
    const user = nkeys.createUser();
    const publicKey = user.getPublicKey();
    const issuedAt = nowSeconds();
    const jwt = userJwt(this.account, publicKey, name, busPermissions(party), issuedAt);
    const issued: IssuedUser = { name, kind: party.kind, ...(party.kind === 'integration' ? { role: party.role } : {}), publicKey, issuedAt };
    this.state.users.push(issued);
    this.save();
    return { creds: formatCreds(jwt, seedOf(user)), user: issued };
  }

  /**
   * Revokes every live credential of `name` (all but the newest with
   * keepNewest: a rotation). Returns what it revoked; the account JWT to push
   * is accountJwt().
   */
  revoke(name: string, options: { keepNewest?: boolean } = {}): IssuedUser[] {
    const live = this.state.users.filter((u) => u.name === name && u.revokedAt === undefined);
    if (live.length === 0) throw new NatsAuthError('CREDENTIALS_NOT_FOUND', `no live credentials named "${name}"`);
    const newest = live.reduce((a, b) => (b.issuedAt >= a.issuedAt ? b : a));
    const at = nowSeconds();
    const revoked: IssuedUser[] = [];
    for (const [i, u] of this.state.users.entries()) {
      if (u.name !== name || u.revokedAt !== undefined || (options.keepNewest && u === newest)) continue;
      // revocation is by public key: JWTs of that key issued at or before this second are refused
      const r = { ...u, revokedAt: Math.max(at, u.issuedAt) };
      this.state.users[i] = r;
      revoked.push(r);
    }
    this.state.accountIssuedAt = Math.max(nowSeconds(), this.state.accountIssuedAt + 1);
    this.save();
    return revoked;
  }

  /** A short-lived system-account user, to push account updates with (pushAccountJwt). */
  systemCreds(): string {
    const user = nkeys.createUser();
    const jwt = userJwt(this.systemAccount, user.getPublicKey(), 'berth-credentials', { pub: { allow: ['$SYS.REQ.CLAIMS.UPDATE'] }, sub: { allow: ['_INBOX.>'] } }, nowSeconds());
    return formatCreds(jwt, seedOf(user));
  }

  private save(): void {
    writePrivate(join(this.dir, STATE_FILE), `${JSON.stringify(this.state, null, 2)}\n`);
    writeFileSync(this.operatorJwtPath, operatorJwt(this.operator, 'berth', this.systemAccountPublicKey, this.state.accountIssuedAt));
  }
}

/**
 * Sends an account JWT to nats-server (a full resolver stores it and passes
 * it to the cluster): connections of revoked users are closed at once and
 * their next connect is refused. `nc` is a system-account connection.
 */
export async function pushAccountJwt(nc: NatsConnection, jwt: string, timeoutMs = 5_000): Promise<void> {
  const reply = await nc.request('$SYS.REQ.CLAIMS.UPDATE', jwt, { timeout: timeoutMs });
  const answer = reply.json<{ data?: { code?: number; message?: string }; error?: { code?: number; description?: string } }>();
  if (answer.error || answer.data?.code !== 200) {
    throw new NatsAuthError('CLAIMS_UPDATE_FAILED', `nats-server did not take the account update: ${answer.error?.description ?? answer.data?.message ?? reply.string()}`);
  }
}
