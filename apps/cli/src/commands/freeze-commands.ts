import { describeFreezeWindow, type FreezeWindow } from '@berth/domain';
import type { Command } from 'commander';
import { collect, type ContextFactory } from '../context';
import { UsageError } from '../errors';
import { formatTable } from '../table';

interface FreezeView {
  readonly name: string;
  readonly services?: readonly string[] | null;
  readonly groups?: readonly string[] | null;
  readonly window: FreezeWindow;
  readonly reason: string;
  readonly active: boolean;
  readonly until?: string | null;
}

interface FreezeFlags {
  readonly from?: string;
  readonly to?: string;
  readonly weekly?: string;
  readonly timeZone?: string;
  readonly service?: string[];
  readonly group?: string[];
  readonly message: string;
}

const FREEZE_FIELDS = 'name services groups window reason setAt active until';

/** The window the flags describe: a range of instants, or weekly hours with --weekly and --time-zone. */
export function windowOf(flags: FreezeFlags): Record<string, unknown> {
  if (flags.from === undefined || flags.to === undefined) throw new UsageError('--from and --to are required');
  if (flags.weekly === undefined) {
    if (flags.timeZone !== undefined) throw new UsageError('--time-zone goes with --weekly (a range is two instants)');
    return { kind: 'range', from: flags.from, to: flags.to };
  }
  if (flags.timeZone === undefined) throw new UsageError('--weekly needs an explicit --time-zone (e.g. Europe/Paris or UTC)');
  return { kind: 'weekly', days: flags.weekly.split(',').map((d) => d.trim()), from: flags.from, to: flags.to, timeZone: flags.timeZone };
}

/** Deploy freezes: freeze set / rm, freezes. */
export function registerFreezeCommands(program: Command, context: ContextFactory): void {
  const freeze = program.command('freeze').summary('set or remove a deploy freeze');
  freeze
    .command('set')
    .summary('set (or replace) a deploy freeze')
    .description(
      'While a freeze is in force, no release starts for its services/groups (DEPLOY_FROZEN, unless mark-for-deployment --override-freeze) and releases in progress wait at their next step. ' +
        'A range: --from/--to ISO instants. Weekly: --weekly sat,sun --from HH:MM --to HH:MM --time-zone Europe/Paris.',
    )
    .argument('<name>', 'the freeze name')
    .option('--from <time>', 'start: an ISO instant, or HH:MM with --weekly')
    .option('--to <time>', 'end: an ISO instant, or HH:MM (24:00 allowed) with --weekly')
    .option('--weekly <days>', 'days of the week, comma-separated (sun … sat)')
    .option('--time-zone <zone>', 'IANA time zone of a weekly window')
    .option('--service <service>', 'a service it applies to (repeatable; default all)', collect)
    .option('--group <group>', 'a deployment group it applies to (repeatable; default all)', collect)
    .requiredOption('-m, --message <reason>', 'why (shown to whoever is refused)')
    .action(async (name: string, flags: FreezeFlags, cmd: Command) => {
      const ctx = context(cmd);
      const data = await ctx.gateway().request<{ setFreeze: FreezeView }>(
        `mutation SetFreeze($name: String!, $services: [String!], $groups: [String!], $window: JSON!, $reason: String!) { setFreeze(name: $name, services: $services, groups: $groups, window: $window, reason: $reason) { ${FREEZE_FIELDS} } }`,
        { name, services: flags.service ?? null, groups: flags.group ?? null, window: windowOf(flags), reason: flags.message },
      );
      const row = data.setFreeze;
      if (ctx.json) ctx.printJson(row);
      else ctx.print(`Freeze ${row.name} set: ${describeFreezeWindow(row.window)}${row.active ? ` (in force until ${row.until ?? '?'})` : ''}`);
    });
  freeze
    .command('rm')
    .summary('remove a deploy freeze')
    .argument('<name>', 'the freeze name')
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const ctx = context(cmd);
      await ctx.gateway().request('mutation RemoveFreeze($name: String!) { removeFreeze(name: $name) }', { name });
      if (ctx.json) ctx.printJson({ name, removed: true });
      else ctx.print(`Freeze ${name} removed`);
    });
  program
    .command('freezes')
    .summary('list deploy freezes')
    .description('Every freeze: what it covers, its window, whether it is in force now and until when.')
    .action(async (_options: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const data = await ctx.gateway().request<{ freezes: { items: FreezeView[] } }>(`query Freezes { freezes { items { ${FREEZE_FIELDS} } } }`);
      if (ctx.json) ctx.printJson(data.freezes.items);
      else
        ctx.print(
          formatTable(
            ['NAME', 'SERVICES', 'GROUPS', 'WINDOW', 'IN FORCE', 'REASON'],
            data.freezes.items.map((f) => [f.name, f.services?.join(',') ?? 'all', f.groups?.join(',') ?? 'all', describeFreezeWindow(f.window), f.active ? `until ${f.until ?? '?'}` : 'no', f.reason]),
          ),
        );
    });
}
