import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ContextFactory } from '../context';
import { BerthCliError } from '../errors';

/** The repository's package.json version: the CLI runs from source. */
export function clientVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../../../package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function registerVersionCommand(program: Command, context: ContextFactory): void {
  program
    .command('version')
    .summary('client version, and whether the gateway answers')
    .description('Prints "Client Version: x" and "Gateway Version: y". The gateway does not report a version yet; it prints whether it answers.')
    .action(async (_options: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const client = clientVersion();
      let gateway: string;
      try {
        await ctx.gateway().request<{ __typename: string }>('query Ping { __typename }');
        gateway = 'unknown (reachable)';
      } catch (err) {
        if (!(err instanceof BerthCliError)) throw err;
        // the client's version is still worth printing; the error follows on stderr
        if (!ctx.json) ctx.print(`Client Version: ${client}`);
        throw err;
      }
      if (ctx.json) ctx.printJson({ client, gateway: null, gatewayUrl: ctx.gateway().url });
      else ctx.print(`Client Version: ${client}\nGateway Version: ${gateway}\nGateway: ${ctx.gateway().url}`);
    });
}
