import Dockerode from 'dockerode';
import { type PrivateDockerd, startPrivateDockerd } from './private-dockerd';
import { TEST_IMAGE, ensureTestImage } from './test-image';

/** A reachable Docker engine with the test image present. */
export interface DockerEngine {
  /** The DOCKER_HOST value clients should use (`unix:///…/docker.sock`). */
  readonly dockerHost: string;
  readonly docker: Dockerode;
  /** `local/busybox:1`: busybox-static with all applets; use `networkMode: 'host'` or `'none'`. */
  readonly testImage: string;
}

export interface DockerEngineLease extends DockerEngine {
  /** Stops the private dockerd if this lease was the last user of it; no-op for a shared DOCKER_HOST. */
  release(): Promise<void>;
}

export interface GetDockerEngineOptions {
  /** Default `process.env.DOCKER_HOST`. When empty, a private dockerd is started (root + docker.io needed). */
  readonly dockerHost?: string;
  readonly pingTimeoutMs?: number;
}

const HOW_TO_FIX =
  'Docker tests never skip. `npm test` installs and starts a private dockerd for the whole run. ' +
  'To run a test file alone: as root with Docker installed (apt-get install -y docker.io busybox-static), ' +
  'leave DOCKER_HOST unset and the test starts its own dockerd; or start one and export DOCKER_HOST: ' +
  '`source scripts/lib/docker.sh && berth_docker_install && berth_docker_start /tmp/bd && berth_docker_test_image`.';

/** Docker is needed by a test but is not installed, not startable or not answering. */
export class DockerUnavailableError extends Error {
  override readonly name = 'DockerUnavailableError';
  readonly code = 'RUNTIME_UNAVAILABLE';

  constructor(problem: string, options?: { readonly cause?: unknown }) {
    super(`${problem}\n${HOW_TO_FIX}`, options);
  }
}

// One private dockerd per process (jest: per test file), shared by every lease in it.
let privateDockerd: { readonly started: Promise<PrivateDockerd>; users: number } | undefined;

/**
 * Connects to `$DOCKER_HOST` (set by `scripts/test` for the whole run) or,
 * when it is unset, starts a private dockerd for this process. Verifies the
 * engine answers and imports the test image if missing. Throws
 * `DockerUnavailableError` (with how to install or start Docker) otherwise.
 */
export async function getDockerEngine(options: GetDockerEngineOptions = {}): Promise<DockerEngineLease> {
  const given = options.dockerHost ?? process.env['DOCKER_HOST'] ?? '';
  if (given !== '') {
    const docker = new Dockerode(dockerodeOptions(given));
    await ensureReachable(docker, given, options.pingTimeoutMs ?? 10_000);
    await ensureTestImage(docker, TEST_IMAGE);
    return { dockerHost: given, docker, testImage: TEST_IMAGE, release: async () => undefined };
  }

  const dockerd = await acquirePrivateDockerd();
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    await releasePrivateDockerd();
  };
  try {
    const docker = new Dockerode(dockerodeOptions(dockerd.dockerHost));
    await ensureTestImage(docker, TEST_IMAGE);
    return { dockerHost: dockerd.dockerHost, docker, testImage: TEST_IMAGE, release };
  } catch (err) {
    await release();
    throw err;
  }
}

/**
 * For jest: `const engine = useDocker();` at the top of a describe block gets
 * the engine in `beforeAll` and releases it in `afterAll`. Reading a property
 * before `beforeAll` has run throws.
 */
export function useDocker(options: GetDockerEngineOptions = {}): DockerEngine {
  let lease: DockerEngineLease | undefined;
  beforeAll(async () => {
    lease = await getDockerEngine(options);
  }, 90_000);
  afterAll(async () => {
    await lease?.release();
  }, 60_000);
  const current = (): DockerEngineLease => {
    if (lease === undefined) throw new Error('useDocker(): the engine is available from beforeAll on');
    return lease;
  };
  return {
    get dockerHost() {
      return current().dockerHost;
    },
    get docker() {
      return current().docker;
    },
    testImage: TEST_IMAGE,
  };
}

async function ensureReachable(docker: Dockerode, dockerHost: string, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new DockerUnavailableError(`Docker engine at DOCKER_HOST=${dockerHost} is not reachable (${reason}).`, {
      cause: err,
    });
  } finally {
    clearTimeout(timer);
  }
}

async function acquirePrivateDockerd(): Promise<PrivateDockerd> {
  if (privateDockerd === undefined) {
    if (typeof process.getuid === 'function' && process.getuid() !== 0) {
      throw new DockerUnavailableError('DOCKER_HOST is not set and starting a private dockerd needs root.');
    }
    const started = startPrivateDockerd().catch((err: unknown) => {
      privateDockerd = undefined;
      const reason = err instanceof Error ? err.message : String(err);
      throw new DockerUnavailableError(`DOCKER_HOST is not set and a private dockerd could not be started: ${reason}`, {
        cause: err,
      });
    });
    privateDockerd = { started, users: 0 };
  }
  const entry = privateDockerd;
  entry.users++;
  try {
    return await entry.started;
  } catch (err) {
    entry.users--;
    throw err;
  }
}

async function releasePrivateDockerd(): Promise<void> {
  const entry = privateDockerd;
  if (entry === undefined) return;
  entry.users--;
  if (entry.users > 0) return;
  privateDockerd = undefined;
  const dockerd = await entry.started;
  await dockerd.stop();
}

/** dockerode connection options from a DOCKER_HOST value (`unix://…` or `tcp://host:port`). */
export function dockerodeOptions(dockerHost: string): Dockerode.DockerOptions {
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: url.port === '' ? 2375 : Number(url.port), protocol: 'http' };
}
