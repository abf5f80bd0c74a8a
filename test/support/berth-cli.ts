import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { REPO_ROOT } from '@berth/testing';

/** The `berth` launcher, run as a child process the way a user types it. */
export const BERTH_BIN = resolve(REPO_ROOT, 'apps/cli/bin/berth');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A CLI process still running: its output so far, and a wait for a line of it. */
export interface RunningCli {
  readonly pid: number | undefined;
  readonly exited: Promise<CliRun>;
  stdout(): string;
  /** Resolves once stdout matches; rejects after timeoutMs or when the process exits without printing it. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  interrupt(): void;
}

export interface BerthCli {
  run(...args: string[]): Promise<CliRun>;
  /** Starts `berth args` and returns at once, for commands that block (rolling-update, watch, events --follow). */
  start(...args: string[]): RunningCli;
  /**
   * Re-runs a read until `accept` holds (reads are eventually consistent),
   * bounded by `timeoutMs`; an `Error:` answer fails at once, it is not a lag.
   */
  eventually(args: readonly string[], accept: (run: CliRun) => boolean, options?: { readonly timeoutMs?: number; readonly context?: () => string }): Promise<CliRun>;
}

/** A CLI bound to one gateway; `env()` is read at each run (HOME, BERTH_GATEWAY, a token once the gateway asks for one). */
export function berthCli(env: () => Record<string, string>): BerthCli {
  const start = (...args: string[]): RunningCli => {
    const child = spawn(BERTH_BIN, args, { env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const listeners = new Set<() => void>();
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      listeners.forEach((listener) => listener());
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<CliRun>((done) => child.once('close', (code) => done({ code, stdout, stderr })));
    const waitFor = (pattern: RegExp, timeoutMs = 30_000): Promise<void> =>
      new Promise<void>((ok, fail) => {
        const finish = (error?: Error): void => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) fail(error);
          else ok();
        };
        const check = (): void => {
          if (pattern.test(stdout)) finish();
        };
        const timer = setTimeout(() => finish(new Error(`berth ${args.join(' ')} did not print ${pattern} within ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`)), timeoutMs);
        listeners.add(check);
        check();
        void exited.then(() => {
          if (listeners.has(check)) finish(pattern.test(stdout) ? undefined : new Error(`berth ${args.join(' ')} exited before printing ${pattern}: ${stdout}${stderr}`));
        });
      });
    return { pid: child.pid, exited, stdout: () => stdout, waitFor, interrupt: () => child.kill('SIGINT') };
  };
  const run = (...args: string[]): Promise<CliRun> => start(...args).exited;
  const eventually: BerthCli['eventually'] = async (args, accept, options = {}) => {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await run(...args);
      if (accept(answer)) return answer;
      if (Date.now() > deadline || /^Error: /.test(answer.stderr)) {
        const context = options.context ? `\n${options.context()}` : '';
        throw new Error(`berth ${args.join(' ')} never gave the expected answer within ${timeoutMs} ms; last:\n${answer.stdout}${answer.stderr}${context}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  return { run, start, eventually };
}
