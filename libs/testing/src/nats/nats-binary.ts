import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/**
 * Atomic batch publish (2.12), subject-wide expectations (2.11) and the March 2026
 * security fixes (2.11.15 / 2.12.6); the same minimum as scripts/lib/nats.sh and the services.
 */
import { MIN_NATS_SERVER_VERSION, NatsServerTooOldError, compareVersions } from '@berth/contracts';

export { MIN_NATS_SERVER_VERSION, NatsServerTooOldError, compareVersions };

const INSTALL_HINT =
  'Run `npm test` or `bash scripts/setup` (they fetch Debian forky\'s nats-server into .tools/nats), ' +
  'or set NATS_SERVER_BIN to a nats-server >= ' +
  MIN_NATS_SERVER_VERSION +
  '.';

export class NatsServerNotFoundError extends Error {
  override readonly name = 'NatsServerNotFoundError';
  readonly code = 'NATS_SERVER_NOT_FOUND';
}

/** The repository root: the nearest ancestor holding nx.json (works from src and from compiled dist). */
export function findRepoRoot(from: string = __dirname): string | undefined {
  for (const start of [from, process.cwd()]) {
    let dir = start;
    for (;;) {
      if (existsSync(join(dir, 'nx.json'))) return dir;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** `NATS_SERVER_BIN`, then `<repo>/.tools/nats/usr/sbin/nats-server`, then PATH. */
export function findNatsServerBinary(): string {
  const fromEnv = process.env['NATS_SERVER_BIN'];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) {
      throw new NatsServerNotFoundError(`NATS_SERVER_BIN=${fromEnv} is not an executable file. ${INSTALL_HINT}`);
    }
    return fromEnv;
  }
  const root = findRepoRoot();
  const tools = root ? join(root, '.tools', 'nats', 'usr', 'sbin', 'nats-server') : undefined;
  if (tools && isExecutable(tools)) return tools;
  const path = onPath('nats-server');
  if (path) return path;
  throw new NatsServerNotFoundError(`nats-server not found (NATS_SERVER_BIN unset, no .tools/nats, none on PATH). ${INSTALL_HINT}`);
}

const versions = new Map<string, string>();

/** Runs `nats-server --version` ("nats-server: v2.10.27") and refuses versions below the minimum. */
export function checkNatsServerVersion(binary: string): string {
  let version = versions.get(binary);
  if (version === undefined) {
    const out = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    const match = /v?(\d+\.\d+\.\d+)/.exec(out);
    if (!match?.[1]) throw new NatsServerNotFoundError(`cannot read the version of ${binary} from ${JSON.stringify(out)}`);
    version = match[1];
    versions.set(binary, version);
  }
  if (compareVersions(version, MIN_NATS_SERVER_VERSION) < 0) {
    throw new NatsServerTooOldError(
      `${binary} is nats-server ${version}; Berth needs >= ${MIN_NATS_SERVER_VERSION}. ${INSTALL_HINT}`,
    );
  }
  return version;
}
