import { CommanderError } from 'commander';

/** Exit codes: 0 success, 1 a Berth error or "no matches", 2 a usage error. */
export const ExitCode = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

/** An error the gateway (or the CLI on its behalf) answered with a Berth error code. */
export class BerthCliError extends Error {
  override readonly name = 'BerthCliError';

  constructor(
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/**
 * A Helios-style failure that is not a Berth error code: "job pattern X
 * matched no jobs", a declined prompt. Printed as is; exit code 1.
 */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';

  /** Helios prints its "matched no …" messages on stdout */
  constructor(
    message: string,
    readonly stream: 'stdout' | 'stderr' = 'stderr',
  ) {
    super(message);
  }
}

/** Wrong use of the command line that commander cannot see (e.g. neither hosts nor -a). Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const COMMANDER_SUCCESS = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version', 'commander.executeSubCommandAsync']);

export interface ErrorOutcome {
  readonly exitCode: number;
  /** what to print on stderr; empty when commander already printed it */
  readonly message: string;
  readonly stream: 'stdout' | 'stderr';
}

/** Anything a command threw → its exit code and the line for stderr. */
export function describeFailure(err: unknown): ErrorOutcome {
  if (err instanceof CommanderError) {
    // commander has printed its own message (or the help) already
    return { exitCode: COMMANDER_SUCCESS.has(err.code) ? ExitCode.OK : ExitCode.USAGE, message: '', stream: 'stderr' };
  }
  if (err instanceof BerthCliError) return { exitCode: ExitCode.FAILURE, message: `Error: ${err.code}: ${err.message}`, stream: 'stderr' };
  if (err instanceof CliFailure) return { exitCode: ExitCode.FAILURE, message: err.message, stream: err.stream };
  if (err instanceof UsageError) return { exitCode: ExitCode.USAGE, message: `error: ${err.message}`, stream: 'stderr' };
  const message = err instanceof Error ? err.message : String(err);
  return { exitCode: ExitCode.FAILURE, message: `Error: INTERNAL: ${message}`, stream: 'stderr' };
}
