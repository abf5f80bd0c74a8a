/**
 * npm start's NATS auth (docs/security.md): the bus keys in <authDir> (made
 * on first start), nats-server's auth configuration in <confOut>, and a
 * .creds file per service and agent in <credsDir> (kept across starts, made
 * again when missing or revoked). Prints nothing secret.
 *
 *   node -r tools/register.cjs scripts/lib/nats-auth.ts <authDir> <resolverDir> <confOut> <credsDir> <host>...
 */
import { decodeJwtClaims, NatsAuth } from '@berth/service';
import type { BusParty } from '@berth/contracts';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [authDir, resolverDir, confOut, credsDir, ...hosts] = process.argv.slice(2);
if (!authDir || !resolverDir || !confOut || !credsDir) {
  process.stderr.write('usage: nats-auth.ts <authDir> <resolverDir> <confOut> <credsDir> <host>...\n');
  process.exit(2);
}
const auth = NatsAuth.init(authDir);
mkdirSync(credsDir, { recursive: true, mode: 0o700 });
chmodSync(credsDir, 0o700);
const live = new Set(auth.users().filter((u) => u.revokedAt === undefined).map((u) => u.publicKey));

function publicKeyOf(file: string): string | undefined {
  try {
    const jwt = /-----BEGIN NATS USER JWT-----\s+(\S+)/.exec(readFileSync(file, 'utf8'))?.[1];
    return jwt === undefined ? undefined : decodeJwtClaims(jwt).sub;
  } catch {
    return undefined;
  }
}

const parties: [string, BusParty][] = [
  ['scheduler', { kind: 'scheduler' }],
  ['gateway', { kind: 'gateway' }],
  ...hosts.map((host): [string, BusParty] => [`agent-${host}`, { kind: 'agent', host }]),
];
for (const [file, party] of parties) {
  const path = join(credsDir, `${file}.creds`);
  const key = existsSync(path) ? publicKeyOf(path) : undefined;
  if (key !== undefined && live.has(key)) continue;
  writeFileSync(path, auth.issue(party).creds, { mode: 0o600 });
}
writeFileSync(confOut, auth.serverConfig(resolverDir), { mode: 0o600 });
