import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkNatsServerVersion, findNatsServerBinary } from './nats-binary';

export interface NatsServerOptions {
  /** defaults to the binary found by findNatsServerBinary() */
  readonly binary?: string;
  /** JetStream store dir; default: a fresh temp dir, removed by stop() */
  readonly storeDir?: string;
  /** fsync every message (DESIGN: durability). Default true. */
  readonly syncAlways?: boolean;
  /** extra lines appended to the generated config file */
  readonly extraConfig?: string;
  /** how long to wait for ports file + JetStream health; default 15 s */
  readonly startTimeoutMs?: number;
  /**
   * Turns NATS auth on (deny by default): the operator/account configuration
   * lines of a NatsAuth (libs/service), given the resolver dir to use. Off by
   * default: anonymous clients connect as before.
   */
  readonly auth?: { serverConfig(resolverDir: string): string };
}

export interface NatsServer {
  /** nats://127.0.0.1:<port> */
  readonly url: string;
  /** http://127.0.0.1:<port> */
  readonly monitorUrl: string;
  readonly pid: number;
  readonly storeDir: string;
  readonly version: string;
  /** SIGTERM by pid, wait for the exit, remove the temp dirs this helper created. Idempotent. */
  stop(): Promise<void>;
  /**
   * Stop, then start again with the SAME store dir and the SAME client and monitoring
   * ports, so connected clients reconnect to it on their own. `pid` changes.
   */
  restart(): Promise<void>;
  /**
   * Kills the process with `signal` (default SIGKILL: a crash, nothing flushed) and waits for
   * its exit. The store dir and ports are kept for start().
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again after kill(): same store dir, same ports; resolves once JetStream is healthy. */
  start(): Promise<void>;
  /** GET a monitoring endpoint (`/jsz`, `/varz`, …) as JSON. */
  monitor<T = unknown>(path: string): Promise<T>;
}

interface Ports {
  readonly nats: readonly string[];
  readonly monitoring: readonly string[];
}

/** Servers still running when the test process exits are killed, so none are left behind. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackForExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
}

function httpGet(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

function logTail(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

function renderConfig(storeDir: string, syncAlways: boolean, extra: string | undefined): string {
  // 2.10 syntax: sync_interval is server-wide, inside the jetstream block; "always" = fsync every write
  const sync = syncAlways ? '\n  sync_interval: always' : '';
  return `jetstream {\n  store_dir: ${JSON.stringify(storeDir)}${sync}\n}\n${extra ?? ''}\n`;
}

/** Resolves with the ports the server wrote, or rejects if it exits or the deadline passes. */
function awaitPortsFile(child: ChildProcess, dir: string, deadline: number, logFile: string): Promise<Ports> {
  const file = join(dir, `nats-server_${child.pid}.ports`);
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: Error | null, ports?: Ports): void => {
      if (done) return;
      done = true;
      watcher.close();
      clearTimeout(timer);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(ports as Ports);
    };
    const tryRead = (): void => {
      try {
        const ports = JSON.parse(readFileSync(file, 'utf8')) as Ports;
        if (ports.nats?.[0] && ports.monitoring?.[0]) finish(null, ports);
      } catch {
        // not there yet, or half written: the next watch event retries
      }
    };
    const onExit = (code: number | null): void =>
      finish(new Error(`nats-server exited with code ${code} before it was ready:\n${logTail(logFile)}`));
    const watcher = watch(dir, tryRead);
    const timer = setTimeout(
      () => finish(new Error(`nats-server wrote no ports file within the deadline:\n${logTail(logFile)}`)),
      Math.max(0, deadline - Date.now()),
    );
    child.once('exit', onExit);
    tryRead();
  });
}

/** Polls /healthz?js-enabled-only=true until JetStream reports ok. */
async function awaitJetStreamHealthy(child: ChildProcess, monitorUrl: string, deadline: number, logFile: string): Promise<void> {
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with code ${child.exitCode}:\n${logTail(logFile)}`);
    try {
      const res = await httpGet(`${monitorUrl}/healthz?js-enabled-only=true`, 1_000);
      if (res.status === 200) return;
      last = `${res.status} ${res.body}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nats-server JetStream not healthy in time (${last}):\n${logTail(logFile)}`);
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Starts a real nats-server with JetStream on 127.0.0.1 and random ports
 * (`-p -1 -m -1 --ports_file_dir`), fsync on every write, and waits until JetStream is healthy.
 */
export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServer> {
  const binary = opts.binary ?? findNatsServerBinary();
  const version = checkNatsServerVersion(binary);
  const tmp = await mkdtemp(join(tmpdir(), 'berth-nats-'));
  const storeDir = opts.storeDir ?? join(tmp, 'store');
  const configFile = join(tmp, 'nats-server.conf');
  const logFile = join(tmp, 'nats-server.log');
  const authConfig = opts.auth?.serverConfig(join(tmp, 'resolver')) ?? '';
  writeFileSync(configFile, renderConfig(storeDir, opts.syncAlways ?? true, `${authConfig}${opts.extraConfig ?? ''}`));
  const timeoutMs = opts.startTimeoutMs ?? 15_000;

  let child: ChildProcess | undefined;
  let ports: { nats: string; monitoring: string } | undefined;
  let stopped = false;

  const launch = async (): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    const portArgs = ports
      ? ['-p', new URL(ports.nats).port, '-m', new URL(ports.monitoring).port]
      : ['-p', '-1', '-m', '-1'];
    const logFd = openSync(logFile, 'a');
    let proc: ChildProcess;
    try {
      proc = spawn(binary, ['-c', configFile, '-a', '127.0.0.1', ...portArgs, '--ports_file_dir', tmp], {
        stdio: ['ignore', logFd, logFd],
      });
    } finally {
      closeSync(logFd);
    }
    child = proc;
    trackForExit(proc);
    await new Promise<void>((resolve, reject) => {
      proc.once('spawn', resolve);
      proc.once('error', reject);
    });
    const written = await awaitPortsFile(proc, tmp, deadline, logFile);
    ports = { nats: written.nats[0] as string, monitoring: written.monitoring[0] as string };
    await awaitJetStreamHealthy(proc, ports.monitoring, deadline, logFile);
  };

  const halt = async (): Promise<void> => {
    if (!child || child.pid === undefined) return;
    // nats-server exits with code 1 on SIGTERM; that is expected
    child.kill('SIGTERM');
    await waitForExit(child, 10_000);
  };

  try {
    await launch();
  } catch (err) {
    await halt();
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }

  const server: NatsServer = {
    get url() {
      return (ports as { nats: string }).nats;
    },
    get monitorUrl() {
      return (ports as { monitoring: string }).monitoring;
    },
    get pid() {
      return child?.pid ?? -1;
    },
    storeDir,
    version,
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      await rm(tmp, { recursive: true, force: true });
    },
    async restart() {
      if (stopped) throw new Error('nats-server was stopped; restart() needs a running or restartable server');
      await halt();
      await launch();
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await waitForExit(child, 10_000);
    },
    async start() {
      if (stopped) throw new Error('nats-server was stopped; start() needs a killed server');
      if (child && child.exitCode === null && child.signalCode === null) throw new Error('nats-server is running; kill() it first');
      await launch();
    },
    async monitor<T>(path: string): Promise<T> {
      const res = await httpGet(`${server.monitorUrl}${path}`, 5_000);
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.body}`);
      return JSON.parse(res.body) as T;
    },
  };
  return server;
}
