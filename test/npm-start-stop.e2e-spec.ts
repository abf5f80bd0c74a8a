import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * `npm start` as a supervisor, a CI job, `timeout` or a terminal stops it: one
 * SIGTERM or SIGINT to the npm process (or a Ctrl-C, SIGINT to its whole
 * process group) stops every process it started within 10 s, and each service
 * shuts down once, cleanly (no "second signal"). Its own data dir, free ports
 * and the simulated runtime (--no-docker), so it clashes with nothing.
 */
const ROOT = resolve(__dirname, '..');
const SERVICES = ['scheduler', 'gateway', 'agent'] as const;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

/** pid → parent pid of every process on the machine */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      map.set(Number(entry), ppid);
    } catch {
      // gone meanwhile
    }
  }
  return map;
}

function descendantsOf(root: number): number[] {
  const ppids = parents();
  const found = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of ppids) {
      if (found.has(ppid) && !found.has(pid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  found.delete(root);
  return [...found];
}

/** alive and not a zombie waiting for its parent */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

interface Run {
  readonly npm: ChildProcess;
  readonly dataDir: string;
  readonly output: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** every process npm start had started once it said "press Ctrl-C" */
  started: number[];
}

let run: Run | undefined;

async function startBerth(): Promise<Run> {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-npm-start-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: 'info',
    BERTH_NATS_PORT: String(await freePort()),
    BERTH_NATS_MONITOR_PORT: String(await freePort()),
    BERTH_SCHEDULER_HTTP_PORT: String(await freePort()),
    BERTH_AGENT_HTTP_PORT: String(await freePort()),
    BERTH_GATEWAY_PORT: String(await freePort()),
  };
  // one pipe for both streams, in the order a terminal shows them; exec: the child's pid is npm's.
  // detached: npm leads a process group of its own, as in a terminal
  const npm = spawn('sh', ['-c', 'exec npm start -- --no-docker --data-dir "$0" 2>&1', dataDir], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  const output: string[] = [];
  let partial = '';
  npm.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    output.push(...lines);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => npm.on('exit', (code, signal) => ok({ code, signal })));
  run = { npm, dataDir, output, exited, started: [] };
  const ready = await Promise.race([
    new Promise<boolean>((ok) => {
      const poll = setInterval(() => {
        if (output.some((l) => l.includes('press Ctrl-C to stop'))) {
          clearInterval(poll);
          ok(true);
        }
      }, 50);
      void exited.then(() => clearInterval(poll));
    }),
    exited.then(() => false),
  ]);
  if (!ready) throw new Error(`npm start exited before it was ready:\n${output.join('\n')}`);
  run.started = descendantsOf(npm.pid as number);
  return run;
}

afterEach(() => {
  if (!run) return;
  // only what this test's npm start started, by pid
  for (const pid of [run.npm.pid as number, ...run.started]) {
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  rmSync(run.dataDir, { recursive: true, force: true });
  run = undefined;
});

function serviceLines(output: readonly string[], service: string): { msg: string; level: number }[] {
  return output.filter((l) => l.startsWith('{') && l.includes(`"service":"${service}"`)).map((l) => JSON.parse(l) as { msg: string; level: number });
}

it.each([
  ['SIGTERM to the npm process', 'SIGTERM', false],
  ['SIGINT to the npm process', 'SIGINT', false],
  ["a terminal's Ctrl-C: SIGINT to npm's whole process group", 'SIGINT', true],
] as const)('%s stops every process npm start started within 10 s, each service shutting down once, cleanly', async (_how, signal, group) => {
  const { npm, dataDir, output, exited } = await startBerth();
  const npmPid = npm.pid as number;

  // the start log up to the ready line fits on a screen, the admin token included
  const banner = output.slice(0, output.findIndex((l) => l.includes('press Ctrl-C to stop')) + 1);
  const token = readFileSync(join(dataDir, 'admin.token'), 'utf8');
  expect(banner.filter((l) => l.includes(`admin API token: ${token}`))).toHaveLength(1);
  expect(banner.length <= 30 ? 'fits in 30 lines' : `${banner.length} lines:\n${banner.join('\n')}`).toBe('fits in 30 lines');
  expect(banner.filter((l) => l.startsWith('[nats] using'))).toHaveLength(1);

  // what it started: nats-server and every service, each with its pid file
  const started = run?.started ?? [];
  const pidFiles = Object.fromEntries(readdirSync(join(dataDir, 'run')).map((f) => [f.replace(/\.pid$/, ''), Number(readFileSync(join(dataDir, 'run', f), 'utf8'))]));
  expect(Object.keys(pidFiles).sort()).toEqual(['agent', 'gateway', 'nats-server', 'scheduler']);
  for (const pid of Object.values(pidFiles)) expect(started).toContain(pid);
  expect(commandLine(pidFiles['nats-server'] as number)).toContain('nats-server');
  for (const service of SERVICES) expect(commandLine(pidFiles[service] as number)).toContain(`dist/services/${service}.cjs`);

  const sentAt = Date.now();
  process.kill(group ? -npmPid : npmPid, signal);
  const { code } = await exited;
  const survivors = async (): Promise<number[]> => {
    for (;;) {
      const left = [npmPid, ...started].filter(alive);
      if (left.length === 0 || Date.now() - sentAt > 10_000) return left;
      await new Promise((ok) => setTimeout(ok, 100));
    }
  };
  const left = await survivors();
  const log = output.join('\n');
  expect({ left: left.map((pid) => `${pid} ${commandLine(pid)}`), log }).toEqual({ left: [], log });
  expect(code).toBe(0);

  // one clean shutdown per service: one "shutting down", no "second signal", no error, exit status 0
  for (const service of SERVICES) {
    const lines = serviceLines(output, service);
    expect({ service, shutdowns: lines.filter((l) => l.msg === 'shutting down').length }).toEqual({ service, shutdowns: 1 });
    expect(lines.filter((l) => l.msg.includes('second signal') || l.level >= 50)).toEqual([]);
  }
  expect(output.filter((l) => l.includes('second signal') || l.includes('exited with status'))).toEqual([]);
  expect(output.filter((l) => l === '[berth] stopping')).toHaveLength(1);
  expect(output).toContain('[berth] stopped');
  expect(readdirSync(join(dataDir, 'run'))).toEqual([]);
  // ~15 s each; the first after a change to the console's sources also builds it (nx, 20 s more on a loaded machine)
}, 90_000);

it('runs NATS with auth on and logs no secret: no seed, user JWT or API token in its output or logs after commands and a stop', async () => {
  const { npm, dataDir, output, exited } = await startBerth();
  const credsDir = join(dataDir, 'nats-creds');
  const secrets = readdirSync(credsDir).flatMap((f) => {
    const creds = readFileSync(join(credsDir, f), 'utf8');
    return [/BEGIN NATS USER JWT-----\s+(\S+)/.exec(creds)?.[1] ?? 'missing jwt', /BEGIN USER NKEY SEED-----\s+(\S+)/.exec(creds)?.[1] ?? 'missing seed'];
  });
  const keys = JSON.parse(readFileSync(join(dataDir, 'nats-auth', 'auth.json'), 'utf8')) as Record<string, unknown>;
  secrets.push(...['operatorSeed', 'systemAccountSeed', 'accountSeed'].map((k) => String(keys[k])));
  expect(secrets.length).toBeGreaterThanOrEqual(9);
  const token = readFileSync(join(dataDir, 'admin.token'), 'utf8');

  // anonymous clients are refused
  const nats = output.find((l) => l.includes('nats-server listening on'))?.match(/nats:\/\/127\.0\.0\.1:(\d+)/)?.[1];
  const { connect } = await import('@nats-io/transport-node');
  await expect(connect({ servers: `nats://127.0.0.1:${nats}`, maxReconnectAttempts: 0 })).rejects.toThrow(/Authorization Violation/);

  // commands through the CLI and the gateway: each service logs its part
  const gateway = output.find((l) => l.includes('[berth] gateway: '))?.match(/http:\/\/127\.0\.0\.1:\d+/)?.[0] as string;
  const cliEnv = { ...process.env, BERTH_GATEWAY: gateway, BERTH_TOKEN: token, BERTH_AUTH_DIR: join(dataDir, 'nats-auth'), BERTH_NATS: `nats://127.0.0.1:${nats}` };
  const berth = (...args: string[]) =>
    new Promise<string>((ok, fail) => {
      const child = spawn(join(ROOT, 'apps/cli/bin/berth'), args, { env: cliEnv });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.on('exit', (code) => (code === 0 ? ok(out) : fail(new Error(`berth ${args.join(' ')}: ${code}\n${out}`))));
    });
  await berth('create', 'secret-check:1', 'busybox:1', '--', 'sh', '-c', 'sleep 3600');
  await berth('create-deployment-group', 'local', 'pool=local');
  await berth('rolling-update', 'secret-check:1', 'local');

  // revoking the agent's host cuts it off within 5 s; the agent carries on (its containers keep running)
  const agentHost = /"host":"([^"]+)"/.exec(output.find((l) => l.includes('"msg":"agent started"')) ?? '')?.[1] as string;
  const revokedAt = Date.now();
  await berth('credentials', 'revoke', agentHost);
  const cutOff = (): boolean => output.some((l) => l.includes('"service":"agent"') && l.includes('NATS disconnected'));
  while (!cutOff() && Date.now() - revokedAt < 5_000) await new Promise((ok) => setTimeout(ok, 50));
  expect({ cutOffWithin5s: cutOff() }).toEqual({ cutOffWithin5s: true });
  expect(alive(Number(readFileSync(join(dataDir, 'run', 'agent.pid'), 'utf8')))).toBe(true);

  process.kill(npm.pid as number, 'SIGTERM');
  expect((await exited).code).toBe(0);
  const logs = readdirSync(join(dataDir, 'logs')).map((f) => readFileSync(join(dataDir, 'logs', f), 'utf8'));
  const everything = [output.join('\n'), ...logs].join('\n');
  const leaked = secrets.filter((s) => everything.includes(s));
  expect(leaked).toEqual([]);
  // the admin token: once, on the banner line that hands it out
  expect(everything.split(token).length - 1).toBe(1);
}, 180_000);
