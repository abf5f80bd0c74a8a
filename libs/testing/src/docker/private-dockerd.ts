import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';

export interface PrivateDockerd {
  /** `unix://<workdir>/docker.sock`; give it to every client as DOCKER_HOST. */
  readonly dockerHost: string;
  readonly pid: number;
  readonly workdir: string;
  /** Stops this dockerd (by pid), unmounts its netns and removes its dirs. Safe to call twice. */
  stop(): Promise<void>;
}

export interface PrivateDockerdOptions {
  /** Default: a fresh `/tmp/bd-XXXXXX` (short, because unix socket paths are limited to 108 bytes). */
  readonly workdir?: string;
  /** Default: `dockerd` from PATH. */
  readonly dockerdPath?: string;
  readonly readyTimeoutMs?: number;
  readonly stopTimeoutMs?: number;
}

/**
 * Starts a dockerd of its own, as `scripts/lib/docker.sh` does: vfs storage,
 * no bridge, no iptables (containers use `host` or `none` networking). For a
 * test file run alone (`npx jest <file>`) when no DOCKER_HOST is given.
 * Needs root and Debian's docker.io.
 */
export async function startPrivateDockerd(options: PrivateDockerdOptions = {}): Promise<PrivateDockerd> {
  const workdir = options.workdir ?? (await mkdtemp('/tmp/bd-'));
  const socket = join(workdir, 'docker.sock');
  const execRoot = join(workdir, 'exec');
  const logPath = join(workdir, 'dockerd.log');
  const log = openSync(logPath, 'a');
  const args = [
    ...['--data-root', join(workdir, 'data'), '--exec-root', execRoot],
    ...['-H', `unix://${socket}`, '--pidfile', join(workdir, 'docker.pid')],
    ...['--storage-driver', 'vfs', '--bridge=none', '--iptables=false', '--ip6tables=false'],
  ];
  const child = spawn(options.dockerdPath ?? 'dockerd', args, { stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const cleanup = async (): Promise<void> => {
    await removeAllContainers(socket);
    await stopChild(child, exited, options.stopTimeoutMs ?? 40_000);
    await unmountNetns(execRoot);
    await rm(workdir, { recursive: true, force: true });
  };

  try {
    await waitUntilReady(socket, exited, spawnError, logPath, options.readyTimeoutMs ?? 30_000);
  } catch (err) {
    await cleanup();
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    dockerHost: `unix://${socket}`,
    pid: child.pid ?? -1,
    workdir,
    stop: () => (stopped ??= cleanup()),
  };
}

async function waitUntilReady(
  socket: string,
  exited: Promise<void>,
  spawnError: Promise<Error>,
  logPath: string,
  timeoutMs: number,
): Promise<void> {
  const docker = new Dockerode({ socketPath: socket });
  const deadline = Date.now() + timeoutMs;
  let done: string | undefined;
  void exited.then(() => (done ??= 'dockerd exited during start'));
  void spawnError.then((err) => (done ??= `dockerd could not be started: ${err.message}`));
  for (let attempt = 0; ; attempt++) {
    if (done !== undefined) throw new Error(`${done}; last lines of ${logPath}:\n${await tail(logPath)}`);
    if (Date.now() > deadline) {
      throw new Error(`dockerd did not answer on ${socket} within ${timeoutMs} ms; last lines of ${logPath}:\n${await tail(logPath)}`);
    }
    try {
      await docker.ping();
      return;
    } catch {
      // not listening yet: poll again, a little slower each time
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(20 * (attempt + 1), 200)));
  }
}

/** Leftover containers would hold dockerd's shutdown for their stop timeouts; its data goes anyway. */
async function removeAllContainers(socket: string): Promise<void> {
  const docker = new Dockerode({ socketPath: socket });
  const containers = await docker.listContainers({ all: true }).catch(() => []);
  await Promise.all(
    containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)),
  );
}

async function stopChild(child: ChildProcess, exited: Promise<void>, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** dockerd leaves `<exec-root>/netns/default` mounted; the dir cannot be removed until it is unmounted. */
async function unmountNetns(execRoot: string): Promise<void> {
  const target = join(execRoot, 'netns', 'default');
  const mounts = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
  if (!mounts.split('\n').some((line) => line.split(' ')[1] === target)) return;
  await promisify(execFile)('umount', [target]).catch(() => promisify(execFile)('umount', ['-l', target]));
}

async function tail(path: string, lines = 30): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').slice(-lines).join('\n');
}
