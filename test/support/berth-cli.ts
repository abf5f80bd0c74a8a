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

export interface BerthCli {
  run(...args: string[]): Promise<CliRun>;
  /**
   * Re-runs a read until `accept` holds (reads are eventually consistent),
   * bounded by `timeoutMs`; an `Error:` answer fails at once, it is not a lag.
   */
  eventually(args: readonly string[], accept: (run: CliRun) => boolean, options?: { readonly timeoutMs?: number; readonly context?: () => string }): Promise<CliRun>;
}

/** A CLI bound to one gateway; `env()` is read at each run (HOME, BERTH_GATEWAY, a token once the gateway asks for one). */
export function berthCli(env: () => Record<string, string>): BerthCli {
  const run = (...args: string[]): Promise<CliRun> => {
    const child = spawn(BERTH_BIN, args, { env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    return new Promise((done) => child.once('close', (code) => done({ code, stdout, stderr })));
  };
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
  return { run, eventually };
}
