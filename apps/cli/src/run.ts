import type { CliIo } from './context';
import { describeFailure } from './errors';
import { buildProgram } from './program';

/** Parses and runs one command line; returns the exit code (0, 1 Berth error / no match, 2 usage). */
export async function run(io: CliIo, argv: readonly string[]): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    const { exitCode, message, stream } = describeFailure(err);
    if (message) io[stream](`${message}\n`);
    return exitCode;
  }
}
