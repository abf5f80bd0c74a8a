import { BERTH_VERSION, type SchedulerPresence } from '@berth/contracts';
import type { Command } from 'commander';
import type { ContextFactory } from '../context';
import { BerthCliError } from '../errors';
import { formatTable, formatTimestamp } from '../table';

export function registerVersionCommand(program: Command, context: ContextFactory): void {
  program
    .command('version')
    .summary('client and gateway versions')
    .description('Prints "Client Version: x", "Gateway Version: y" and the gateway URL (Helios prints the client and master versions).')
    .action(async (_options: unknown, cmd: Command) => {
      const ctx = context(cmd);
      let gateway: string;
      try {
        gateway = (await ctx.gateway().request<{ version: string }>('query Version { version }')).version;
      } catch (err) {
        if (!(err instanceof BerthCliError)) throw err;
        // the client's version is still worth printing; the error follows on stderr
        if (!ctx.json) ctx.print(`Client Version: ${BERTH_VERSION}`);
        throw err;
      }
      if (ctx.json) ctx.printJson({ client: BERTH_VERSION, gateway, gatewayUrl: ctx.gateway().url });
      else ctx.print(`Client Version: ${BERTH_VERSION}\nGateway Version: ${gateway}\nGateway: ${ctx.gateway().url}`);
    });

  program
    .command('masters')
    .summary('list the schedulers')
    .description(
      "Helios's masters: the scheduler processes answering now, the leader first. Prints one id per line (hostname:pid:random); " +
        '-f adds role, start time, event sequence, health URL and version.',
    )
    .option('-f, --full', 'a table with every field')
    .action(async (options: { full?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const { schedulers } = await ctx.gateway().request<{ schedulers: SchedulerPresence[] }>('query Masters { schedulers { id role hostname pid startedAt sequence health version } }');
      if (ctx.json) ctx.printJson(schedulers);
      else if (schedulers.length === 0) throw new BerthCliError('UNAVAILABLE', 'no scheduler answered (is one running and connected to NATS?)');
      else if (options.full) ctx.print(formatTable(['ID', 'ROLE', 'STARTED', 'SEQUENCE', 'HEALTH', 'VERSION'], schedulers.map((s) => [s.id, s.role.toUpperCase(), formatTimestamp(s.startedAt), String(s.sequence), s.health, s.version])));
      else ctx.print(schedulers.map((s) => s.id).join('\n'));
    });
}
