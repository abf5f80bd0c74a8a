import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/** The repository root (libs/testing/src/process → ../../../..). */
export const REPO_ROOT = resolve(__dirname, '../../../..');

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  /** everything it wrote to stdout and stderr so far */
  output(): string;
  /** resolves with the first output line matching `pattern` (bounded by `timeoutMs`) */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM (or `signal`) by pid, then waits for the exit; SIGKILL after `graceMs` */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

/**
 * Starts one of Berth's entry points as a real child process: a TypeScript
 * source (e.g. apps/scheduler/src/main.ts) through tools/register.cjs, or a
 * bundle built by tools/bundle-services.cjs (dist/services/agent.cjs, the way
 * `npm start` runs the agent and the scheduler).
 * Tests stop it by pid; output is kept for failure messages.
 */
export function startService(
  name: string,
  entry: string,
  args: readonly string[],
  env: Record<string, string> = {},
  /** node's own flags, e.g. --cpu-prof (which NODE_OPTIONS may not carry) */
  nodeArgs: readonly string[] = [],
): ServiceProcess {
  // TypeScript sources go through the swc require hook; a built bundle (dist/services/*.cjs) runs as it is
  const hook = entry.endsWith('.ts') ? ['-r', resolve(REPO_ROOT, 'tools/register.cjs')] : [];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, ...hook, resolve(REPO_ROOT, entry), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const l of listeners) l();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let running = true;
  void exited.then(() => {
    running = false;
    for (const l of listeners) l();
  });

  const waitForOutput = (pattern: RegExp, timeoutMs = 20_000) =>
    new Promise<string>((ok, fail) => {
      const check = () => {
        const line = output.split('\n').find((l) => pattern.test(l));
        if (line !== undefined) return finish(() => ok(line));
        if (!running) finish(() => fail(new Error(`${name} exited before printing ${pattern}:\n${output.slice(-4000)}`)));
      };
      const timer = setTimeout(() => finish(() => fail(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms:\n${output.slice(-4000)}`))), timeoutMs);
      const finish = (f: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        f();
      };
      listeners.add(check);
      check();
    });

  return {
    name,
    pid: child.pid,
    output: () => output,
    waitForOutput,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) {
      if (!running) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * Builds a service the way `npm start` runs it (tools/bundle-services.cjs:
 * dist/services/<name>.cjs) and gives what startService needs to start it
 * so: the bundle and its node flags.
 */
export function buildBundledService(name: 'agent' | 'scheduler' | 'gateway'): { readonly entry: string; readonly nodeArgs: readonly string[] } {
  const tool = resolve(REPO_ROOT, 'tools/bundle-services.cjs');
  execFileSync(process.execPath, [tool, name], { cwd: REPO_ROOT, stdio: 'pipe' });
  const flags = execFileSync(process.execPath, [tool, '--node-flags', name], { cwd: REPO_ROOT, encoding: 'utf8' });
  return { entry: `dist/services/${name}.cjs`, nodeArgs: flags.trim().split(/\s+/).filter(Boolean) };
}
