import { API_ROLES, type ApiRole, type BusParty } from '@berth/contracts';
import { Option, type Command } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import type { ContextFactory } from '../context';
import { BerthCliError } from '../errors';
import { natsOptions } from './nats-options';
import { formatTable, formatTimestamp } from '../table';

interface AuthDirOptions {
  readonly authDir?: string;
}
interface WriteOptions extends AuthDirOptions {
  readonly out?: string;
  readonly force?: boolean;
}
interface NatsOptions extends AuthDirOptions {
  readonly nats?: string;
  readonly natsCreds?: string;
  readonly natsTlsCa?: string;
  readonly natsTlsCert?: string;
  readonly natsTlsKey?: string;
}

const DEFAULT_AUTH_DIR = '.data/nats-auth';

// loaded when a credentials command runs: the other commands never pay for the NATS client and the key code
const service = () => import('@berth/service');

function authDirOf(options: AuthDirOptions, env: Readonly<Record<string, string | undefined>>): string {
  return options.authDir ?? env['BERTH_AUTH_DIR'] ?? DEFAULT_AUTH_DIR;
}

async function openAuth(dir: string) {
  const { NatsAuth, NatsAuthError } = await service();
  try {
    return NatsAuth.open(dir);
  } catch (err) {
    if (err instanceof NatsAuthError) throw new BerthCliError(err.code, err.message);
    throw err;
  }
}

const authDirOption = () => new Option('--auth-dir <dir>', `the bus's keys (env BERTH_AUTH_DIR, default ${DEFAULT_AUTH_DIR}, made by npm start)`);

const natsOptionsToTell = (command: Command): Command =>
  natsOptions(command, 'system-account credentials to tell it with (env BERTH_NATS_CREDS; default: made from the auth dir)');

/** Sends the account JWT (with its revocations) to nats-server: it applies it at once. */
async function push(dir: string, options: NatsOptions, env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const { natsConnectOptions, pushAccountJwt } = await service();
  const { connect, credsAuthenticator } = await import('@nats-io/transport-node');
  const auth = await openAuth(dir);
  const connection = {
    nats: options.nats ?? env['BERTH_NATS'] ?? 'nats://127.0.0.1:4222',
    natsCreds: options.natsCreds ?? env['BERTH_NATS_CREDS'] ?? '',
    natsTlsCa: options.natsTlsCa ?? env['BERTH_NATS_TLS_CA'] ?? '',
    natsTlsCert: options.natsTlsCert ?? env['BERTH_NATS_TLS_CERT'] ?? '',
    natsTlsKey: options.natsTlsKey ?? env['BERTH_NATS_TLS_KEY'] ?? '',
  };
  const connectOptions = natsConnectOptions(connection, { name: 'berth-credentials', timeout: 5_000, maxReconnectAttempts: 0 });
  if (connection.natsCreds === '') connectOptions.authenticator = credsAuthenticator(new TextEncoder().encode(auth.systemCreds()));
  let nc;
  try {
    nc = await connect(connectOptions);
  } catch (err) {
    throw new BerthCliError('UNAVAILABLE', `recorded in ${dir}, but nats-server was not reached (${(err as Error).message}): run \`berth credentials push\` once it is up; a restarted server reads it from the configuration npm start writes`);
  }
  try {
    await pushAccountJwt(nc, auth.accountJwt());
  } catch (err) {
    throw new BerthCliError('UNAVAILABLE', `recorded in ${dir}, but nats-server did not take it: ${(err as Error).message}`);
  } finally {
    await nc.close();
  }
}

async function issue(dir: string, party: BusParty, options: WriteOptions, defaultFile: string): Promise<{ file: string; publicKey: string }> {
  const file = options.out ?? defaultFile;
  if (!options.force && existsSync(file)) throw new BerthCliError('FILE_EXISTS', `${file} exists: pass --force to overwrite it, or --out <file>`);
  const { NatsAuth, NatsAuthError } = await service();
  let made;
  try {
    made = NatsAuth.init(dir).issue(party);
  } catch (err) {
    if (err instanceof NatsAuthError) throw new BerthCliError(err.code, err.message);
    throw err;
  }
  writeFileSync(file, made.creds, { mode: 0o600 });
  return { file, publicKey: made.user.publicKey };
}

/**
 * `berth credentials …`: NATS credentials for hosts, integrations and the
 * services, made locally from the bus's keys (no server involved), and their
 * revocation, which nats-server applies at once (docs/security.md).
 */
export function registerCredentialsCommands(program: Command, context: ContextFactory): void {
  const credentials = program
    .command('credentials')
    .summary('NATS credentials for hosts, integrations and services; revoke them')
    .description('Makes .creds files signed with the bus keys in --auth-dir (no nats-server change needed) and revokes them (nats-server refuses them within seconds). See docs/security.md.');

  const report = (cmd: Command, what: string, made: { file: string; publicKey: string }) => {
    const ctx = context(cmd);
    if (ctx.json) ctx.printJson({ file: made.file, publicKey: made.publicKey });
    else ctx.print(`wrote ${made.file} (${what}); keep it secret: it is the identity`);
  };

  credentials
    .command('host <name>')
    .description("Credentials for the agent of host <name>: it may publish berth.agent.<name>.> and read berth.host.<name>.> and _INBOX.<name>.>, nothing else. Give the agent --nats-creds <file>.")
    .addOption(authDirOption())
    .option('--out <file>', 'where to write them (default <name>.creds)')
    .option('--force', 'overwrite the file')
    .action(async (name: string, options: WriteOptions, cmd: Command) => {
      const made = await issue(authDirOf(options, context(cmd).io.env), { kind: 'agent', host: name }, options, `${name}.creds`);
      report(cmd, `host ${name}`, made);
    });

  credentials
    .command('integration <name>')
    .description('Credentials for another system: it sends the commands of its role on berth.as.<role>.<name>.<command> (recorded as integration:<name>) and reads the events stream.')
    .addOption(new Option('--role <role>', 'read, deploy or admin (as API tokens)').choices(API_ROLES).makeOptionMandatory())
    .addOption(authDirOption())
    .option('--out <file>', 'where to write them (default <name>.creds)')
    .option('--force', 'overwrite the file')
    .action(async (name: string, options: WriteOptions & { role: ApiRole }, cmd: Command) => {
      const made = await issue(authDirOf(options, context(cmd).io.env), { kind: 'integration', name, role: options.role }, options, `${name}.creds`);
      report(cmd, `integration ${name}, role ${options.role}`, made);
    });

  credentials
    .command('service <service>')
    .description('Credentials for the scheduler or the gateway (what shared/DESIGN.md says each may do).')
    .addOption(authDirOption())
    .option('--out <file>', 'where to write them (default <service>.creds)')
    .option('--force', 'overwrite the file')
    .action(async (serviceName: string, options: WriteOptions, cmd: Command) => {
      if (serviceName !== 'scheduler' && serviceName !== 'gateway') throw new BerthCliError('INVALID_REQUEST', `"${serviceName}" is not scheduler or gateway`);
      const made = await issue(authDirOf(options, context(cmd).io.env), { kind: serviceName }, options, `${serviceName}.creds`);
      report(cmd, serviceName, made);
    });

  natsOptionsToTell(
    credentials
      .command('revoke <name>')
      .description("Revokes every credential of <name> (with --keep-newest all but the newest: a rotation) and tells nats-server, which closes their connections and refuses them from then on.")
      .addOption(authDirOption())
      .option('--keep-newest', 'keep the newest credential of the name (rotate: make new ones, deploy them, then revoke the old)'),
  ).action(async (name: string, options: NatsOptions & { keepNewest?: boolean }, cmd: Command) => {
    const ctx = context(cmd);
    const dir = authDirOf(options, ctx.io.env);
    const auth = await openAuth(dir);
    const { NatsAuthError } = await service();
    let revoked;
    try {
      revoked = auth.revoke(name, { keepNewest: options.keepNewest === true });
    } catch (err) {
      if (err instanceof NatsAuthError) throw new BerthCliError(err.code, err.message);
      throw err;
    }
    await push(dir, options, ctx.io.env);
    if (ctx.json) ctx.printJson({ revoked: revoked.map((u) => ({ name: u.name, publicKey: u.publicKey })) });
    else ctx.print(`revoked ${revoked.length} credential(s) of ${name}; nats-server refuses them now`);
  });

  natsOptionsToTell(credentials.command('push').description('Sends the current account (its revocations) to nats-server again, e.g. after a revoke while it was down.').addOption(authDirOption())).action(
    async (options: NatsOptions, cmd: Command) => {
      const ctx = context(cmd);
      await push(authDirOf(options, ctx.io.env), options, ctx.io.env);
      if (!ctx.json) ctx.print('nats-server has the current account');
    },
  );

  credentials
    .command('list')
    .description('Every credential made: name, kind, role, public key, when made and revoked.')
    .addOption(authDirOption())
    .action(async (options: AuthDirOptions, cmd: Command) => {
      const ctx = context(cmd);
      const users = (await openAuth(authDirOf(options, ctx.io.env))).users();
      if (ctx.json) ctx.printJson(users);
      else {
        const when = (s: number | undefined) => (s === undefined ? '-' : formatTimestamp(new Date(s * 1000).toISOString()));
        ctx.print(formatTable(['NAME', 'KIND', 'ROLE', 'PUBLIC KEY', 'MADE', 'REVOKED'], users.map((u) => [u.name, u.kind, u.role ?? '-', u.publicKey, when(u.issuedAt), when(u.revokedAt)])));
      }
    });
}
