import { readFileSync } from 'node:fs';
import { credsAuthenticator, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { parsers, type Setting } from './config';

/** How a Berth process reaches NATS: the URL, its credentials and TLS. */
export interface NatsConnectionConfig {
  readonly nats: string;
  /** a NATS user `.creds` file (`berth credentials …`); '' connects without credentials */
  readonly natsCreds: string;
  /** PEM CA bundle that signed the server's certificate; '' uses TLS only when the URL says tls:// */
  readonly natsTlsCa: string;
  /** client certificate and key (PEM) for servers that verify clients; both or neither */
  readonly natsTlsCert: string;
  readonly natsTlsKey: string;
}

const optionalFile = (raw: string): string => raw;

/** The settings every service (and the CLI) takes for its NATS connection: spread them into its config schema. */
export const natsConnectionSettings = {
  nats: { flag: 'nats', env: 'BERTH_NATS', description: 'NATS server URL', parse: parsers.natsUrl, default: 'nats://127.0.0.1:4222' } as Setting<string>,
  natsCreds: { flag: 'nats-creds', env: 'BERTH_NATS_CREDS', description: 'NATS user credentials file (.creds, from `berth credentials`)', parse: optionalFile, default: '' } as Setting<string>,
  natsTlsCa: { flag: 'nats-tls-ca', env: 'BERTH_NATS_TLS_CA', description: 'PEM file of the CA that signed the NATS server certificate (turns TLS on)', parse: optionalFile, default: '' } as Setting<string>,
  natsTlsCert: { flag: 'nats-tls-cert', env: 'BERTH_NATS_TLS_CERT', description: 'PEM client certificate for NATS TLS (with --nats-tls-key)', parse: optionalFile, default: '' } as Setting<string>,
  natsTlsKey: { flag: 'nats-tls-key', env: 'BERTH_NATS_TLS_KEY', description: 'PEM private key of the NATS TLS client certificate', parse: optionalFile, default: '' } as Setting<string>,
} as const;

export class NatsConnectionConfigError extends Error {
  override readonly name = 'NatsConnectionConfigError';
  readonly code = 'INVALID_CONFIG';
}

function readFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new NatsConnectionConfigError(`cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const PING_INTERVAL_MS = 5_000;
const MAX_PINGS_OUT = 2;

/**
 * The options of `connect()` for a Berth process: servers, credentials
 * (read once, here), TLS, plus what the caller adds (name, inbox prefix,
 * reconnect policy). Every service and the CLI build their connection here.
 */
export function natsConnectOptions(connection: Pick<NatsConnectionConfig, 'nats'> & Partial<NatsConnectionConfig>, extra: Partial<ConnectionOptions> = {}): ConnectionOptions {
  const config: NatsConnectionConfig = { natsCreds: '', natsTlsCa: '', natsTlsCert: '', natsTlsKey: '', ...connection };
  // several servers (a cluster), comma-separated: the client picks one and reconnects across them
  const servers = config.nats.split(',').map((s) => s.trim()).filter((s) => s !== '');
  // a server that stops answering (SIGSTOP, a hung host) keeps its sockets open: only missed pings tell,
  // so ping every 5 s and give up on it after 2 unanswered (the client's defaults are 2 min and 2)
  const options: ConnectionOptions = { servers: servers.length === 1 ? config.nats : servers, pingInterval: PING_INTERVAL_MS, maxPingOut: MAX_PINGS_OUT, ...extra };
  if (config.natsCreds !== '') {
    const creds = readFile(config.natsCreds, 'NATS credentials file');
    if (!creds.includes('BEGIN NATS USER JWT')) throw new NatsConnectionConfigError(`${config.natsCreds} is not a NATS .creds file`);
    options.authenticator = credsAuthenticator(new TextEncoder().encode(creds));
  }
  if ((config.natsTlsCert === '') !== (config.natsTlsKey === '')) {
    throw new NatsConnectionConfigError('--nats-tls-cert and --nats-tls-key go together');
  }
  if (config.natsTlsCa !== '' || config.natsTlsCert !== '') {
    options.tls = {
      ...(config.natsTlsCa !== '' ? { ca: readFile(config.natsTlsCa, 'NATS TLS CA file') } : {}),
      ...(config.natsTlsCert !== '' ? { cert: readFile(config.natsTlsCert, 'NATS TLS certificate'), key: readFile(config.natsTlsKey, 'NATS TLS key') } : {}),
    };
  }
  return options;
}

/** A NATS URL (or several, comma-separated) fit for a log line: user, password or token taken out. */
export function redactNatsUrl(url: string): string {
  return url.replace(/(^|,|\/\/)[^,/@\s]*@/g, '$1');
}

/**
 * Drains a connection on shutdown, bounded: a drain never ends while the
 * client is reconnecting (nats-server down, or refusing revoked
 * credentials), so after `timeoutMs` the connection is closed instead.
 */
export async function drainNats(nc: NatsConnection, timeoutMs = 2_000): Promise<void> {
  if (nc.isClosed()) return;
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    nc.drain().then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (!drained) await nc.close().catch(() => undefined);
}
