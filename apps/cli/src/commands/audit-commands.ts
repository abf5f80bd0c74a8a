import type { Command } from 'commander';
import type { CommandContext, ContextFactory } from '../context';
import { UsageError } from '../errors';
import { EVENT_FIELDS, type EventView } from '../queries';
import { formatTable, formatTimestamp } from '../table';

interface EventsOptions {
  readonly aggregate?: string;
  readonly id?: string;
  readonly actor?: string;
  readonly type?: string;
  readonly since?: string;
  readonly until?: string;
  readonly limit?: string;
  readonly follow?: boolean;
  readonly data?: boolean;
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `2024-05-01T12:00:00Z` as is, or a duration back from now: `30s`, `15m`, `2h`, `7d`. */
export function parseTimeBound(text: string, now: number, flag: string): string {
  const relative = /^(\d+)([smhd])$/.exec(text);
  if (relative) return new Date(now - Number(relative[1]) * (UNITS[relative[2] ?? 's'] ?? 1_000)).toISOString();
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new UsageError(`${flag} "${text}": expected an ISO-8601 time or a duration such as 15m, 2h, 7d`);
  return new Date(at).toISOString();
}

export function formatEventsTable(events: readonly EventView[], withData: boolean): string {
  const rows = events.map((e) => eventCells(e, withData));
  return formatTable(['SEQ', 'TIME', 'AGGREGATE', 'ID', 'TYPE', 'ACTOR', ...(withData ? ['DATA'] : [])], rows);
}

const FOLLOW_WIDTHS = [8, 23, 16, 48, 24, 16];

/** One event on one line with fixed column widths, for `--follow` where rows come one by one. */
export function formatEventLine(cells: readonly string[]): string {
  return cells.map((c, i) => (i < FOLLOW_WIDTHS.length ? c.padEnd(FOLLOW_WIDTHS[i] ?? 0) : c)).join('    ').trimEnd();
}

function eventCells(e: EventView, withData: boolean): string[] {
  return [String(e.sequence), formatTimestamp(e.time), e.aggregate, e.aggregateId, e.type, e.actor, ...(withData ? [JSON.stringify(e.data)] : [])];
}

function matches(e: EventView, o: EventsOptions): boolean {
  return (o.id === undefined || e.aggregateId === o.id) && (o.actor === undefined || e.actor === o.actor);
}

export function registerAuditCommands(program: Command, context: ContextFactory): void {
  program
    .command('events')
    .summary('the audit log: who changed what, when')
    .description('Events from the event stream, oldest first, filtered; --follow then prints new ones live until Ctrl-C.')
    .option('--aggregate <kind>', 'job, host, deployment, deployment-group, rollout, …')
    .option('--id <id>', 'aggregate id (e.g. a full job id, a host name)')
    .option('--actor <actor>', 'who caused them')
    .option('--type <type>', 'event type, e.g. JobCreated')
    .option('--since <time>', 'ISO-8601 time or a duration back from now (15m, 2h, 7d)')
    .option('--until <time>', 'ISO-8601 time or a duration back from now')
    .option('-n, --limit <count>', 'at most this many (the latest)')
    .option('--data', 'show each event\'s data')
    .option('--follow', 'keep printing new events')
    .action(async (options: EventsOptions, cmd: Command) => {
      const ctx = context(cmd);
      const limit = options.limit === undefined ? undefined : Number(options.limit);
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError(`--limit "${options.limit}": expected a positive whole number`);
      const { events, sequence } = await queryEvents(ctx, options);
      const shown = limit === undefined ? events : events.slice(-limit);
      if (options.follow) {
        const withData = options.data === true;
        const printer = (e: EventView) => ctx.print(ctx.json ? JSON.stringify(e) : formatEventLine(eventCells(e, withData)));
        if (!ctx.json) ctx.print(formatEventLine(['SEQ', 'TIME', 'AGGREGATE', 'ID', 'TYPE', 'ACTOR', ...(withData ? ['DATA'] : [])]));
        shown.forEach(printer);
        await follow(ctx, options, sequence + 1, printer);
        return;
      }
      if (ctx.json) ctx.printJson(shown);
      else ctx.print(formatEventsTable(shown, options.data === true));
    });
}

async function queryEvents(ctx: CommandContext, o: EventsOptions): Promise<{ events: EventView[]; sequence: number }> {
  const now = ctx.io.now();
  const bounds = {
    aggregate: o.aggregate,
    id: o.id,
    actor: o.actor,
    type: o.type,
    fromTime: o.since ? parseTimeBound(o.since, now, '--since') : undefined,
    toTime: o.until ? parseTimeBound(o.until, now, '--until') : undefined,
  };
  const variables = Object.fromEntries(Object.entries(bounds).filter(([, v]) => v !== undefined));
  const events: EventView[] = [];
  let after: string | null | undefined;
  let sequence = 0;
  do {
    const answer = await ctx.gateway().request<{ events: { items: EventView[]; nextCursor?: string | null; sequence: number } }>(
      `query Events($aggregate: String, $id: String, $actor: String, $type: String, $fromTime: String, $toTime: String, $after: String) {
        events(aggregate: $aggregate, id: $id, actor: $actor, type: $type, fromTime: $fromTime, toTime: $toTime, after: $after, first: 1000) {
          items { ${EVENT_FIELDS} } nextCursor sequence
        }
      }`,
      { ...variables, ...(after ? { after } : {}) },
    );
    events.push(...answer.events.items);
    sequence = answer.events.sequence;
    after = answer.events.nextCursor;
  } while (after);
  return { events, sequence };
}

async function follow(ctx: CommandContext, o: EventsOptions, fromSequence: number, print: (e: EventView) => void): Promise<void> {
  const until = o.until ? Date.parse(parseTimeBound(o.until, ctx.io.now(), '--until')) : undefined;
  const feed = ctx.gateway().subscribe<{ events: EventView }>(
    `subscription Feed($filter: EventFeedFilter, $fromSequence: Int) { events(filter: $filter, fromSequence: $fromSequence) { ${EVENT_FIELDS} } }`,
    { filter: { ...(o.aggregate ? { aggregate: o.aggregate } : {}), ...(o.type ? { type: o.type } : {}) }, fromSequence },
    ({ events: e }) => {
      if (matches(e, o) && (until === undefined || Date.parse(e.time) <= until)) print(e);
    },
  );
  try {
    await Promise.race([ctx.io.interrupted(), feed.done]);
  } finally {
    await feed.close();
  }
}
