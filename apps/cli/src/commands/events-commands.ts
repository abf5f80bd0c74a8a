import type { Command } from 'commander';
import { createReadStream, createWriteStream, existsSync, readFileSync, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ContextFactory } from '../context';
import { BerthCliError } from '../errors';
import { natsOptions } from './nats-options';

interface NatsOptions {
  readonly nats?: string;
  readonly natsCreds?: string;
  readonly natsTlsCa?: string;
  readonly natsTlsCert?: string;
  readonly natsTlsKey?: string;
}
interface ExportOptions extends NatsOptions {
  readonly fromSequence?: string;
  readonly output?: string;
  readonly force?: boolean;
}
interface ImportOptions extends NatsOptions {
  readonly replicas?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

// loaded when an events command runs: the other commands never pay for the NATS client
const eventStore = () => import('@berth/event-store');

/**
 * The inbox prefix the credentials' party must use (deny by default: replies reach it only
 * there): the `_INBOX….>` subscription its JWT allows, e.g. the scheduler's or an integration's.
 */
function inboxPrefixOf(creds: string, decode: (jwt: string) => { nats: Record<string, unknown> }): string | undefined {
  const jwt = /-----BEGIN NATS USER JWT-----\s*([^\s-][^\s]*)\s*-+END NATS USER JWT/.exec(creds)?.[1];
  if (jwt === undefined) return undefined;
  const sub = decode(jwt).nats['sub'] as { allow?: unknown } | undefined;
  const allow = Array.isArray(sub?.allow) ? (sub.allow as unknown[]) : [];
  const inbox = allow.find((s): s is string => typeof s === 'string' && s.startsWith('_INBOX') && s.endsWith('.>'));
  return inbox?.slice(0, -2);
}

async function connectNats(options: NatsOptions, env: Env, name: string) {
  const { decodeJwtClaims, natsConnectOptions } = await import('@berth/service');
  const { connect } = await import('@nats-io/transport-node');
  const connection = {
    nats: options.nats ?? env['BERTH_NATS'] ?? 'nats://127.0.0.1:4222',
    natsCreds: options.natsCreds ?? env['BERTH_NATS_CREDS'] ?? '',
    natsTlsCa: options.natsTlsCa ?? env['BERTH_NATS_TLS_CA'] ?? '',
    natsTlsCert: options.natsTlsCert ?? env['BERTH_NATS_TLS_CERT'] ?? '',
    natsTlsKey: options.natsTlsKey ?? env['BERTH_NATS_TLS_KEY'] ?? '',
  };
  let connectOptions;
  try {
    connectOptions = natsConnectOptions(connection, { name, timeout: 5_000, maxReconnectAttempts: 10, reconnectTimeWait: 500 });
    const inboxPrefix = connection.natsCreds === '' ? undefined : inboxPrefixOf(readFileSync(connection.natsCreds, 'utf8'), decodeJwtClaims);
    if (inboxPrefix !== undefined) connectOptions.inboxPrefix = inboxPrefix;
  } catch (err) {
    throw new BerthCliError('INVALID_CONFIG', (err as Error).message);
  }
  try {
    return await connect(connectOptions);
  } catch (err) {
    throw new BerthCliError('UNAVAILABLE', `cannot reach nats-server at ${connection.nats}: ${(err as Error).message}`);
  }
}

/** The library's BackupError (and a replicas refusal) as the CLI's error with the same code. */
function asCliError(err: unknown): unknown {
  if (err instanceof Error && 'code' in err && typeof (err as { code: unknown }).code === 'string' && ['BackupError', 'ReplicasUnavailableError'].includes(err.name)) {
    return new BerthCliError((err as { code: string }).code, err.message);
  }
  return err;
}

/** "exported 12,000 of ~50,000 (24 %)", at most once a second; nothing for short runs */
function progressPrinter(verb: string, stderr: (text: string) => void, now: () => number) {
  const started = now();
  let lastAt = started;
  return ({ done, total }: { done: number; total: number }) => {
    const at = now();
    if (at - lastAt < 1_000 || done >= total) return;
    lastAt = at;
    const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
    stderr(`${verb} ${done.toLocaleString('en')} of ${total.toLocaleString('en')} stream sequences (${pct} %)\n`);
  };
}

function parseSequence(raw: string | undefined): number {
  if (raw === undefined) return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new BerthCliError('INVALID_ARGUMENT', `--from-sequence must be a positive integer (a stream sequence), not "${raw}"`);
  return n;
}

function writeLine(out: WriteStream, line: string): Promise<void> | void {
  if (out.write(`${line}\n`)) return;
  return new Promise((resolve) => out.once('drain', () => resolve()));
}

async function readLines(file: string | undefined, readStdin: () => Promise<string>): Promise<string[]> {
  if (file === undefined || file === '-') return (await readStdin()).split('\n');
  if (!existsSync(file)) throw new BerthCliError('INVALID_ARGUMENT', `no such file: ${file}`);
  const lines: string[] = [];
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) lines.push(line);
  return lines;
}

/**
 * `berth events export` and `berth events import`: subcommands of the audit log's
 * `berth events` (registered before this), which keeps its own options and action.
 */
export function registerEventsCommands(program: Command, context: ContextFactory): void {
  const events = program.commands.find((c) => c.name() === 'events') ?? program.command('events');
  events.addHelpText(
    'after',
    "\nBackup: `berth events export` and `berth events import` copy the history out and restore it into an empty stream with the same sequence numbers, talking to NATS directly (not the gateway). See docs/operations.md.",
  );

  natsOptions(
    events
      .command('export')
      .description('Write the history as JSON lines (a header, one line per stored append, a trailer with the count) to stdout or --output. Progress goes to stderr.')
      .option('--from-sequence <n>', 'first stream sequence to export (default 1, the whole history; a partial export cannot be imported)')
      .option('-o, --output <file>', 'write to this file instead of stdout')
      .option('--force', 'overwrite --output if it exists'),
  ).action(async (options: ExportOptions, cmd: Command) => {
    const ctx = context(cmd);
    const fromSequence = parseSequence(options.fromSequence);
    if (options.output && existsSync(options.output) && !options.force) {
      throw new BerthCliError('INVALID_ARGUMENT', `${options.output} exists; pass --force to overwrite it`);
    }
    const { exportEvents } = await eventStore();
    const nc = await connectNats(options, ctx.io.env, 'berth-events-export');
    const out = options.output ? createWriteStream(options.output, { encoding: 'utf8' }) : undefined;
    try {
      const write = out ? (line: string) => writeLine(out, line) : (line: string) => void ctx.io.stdout(`${line}\n`);
      const result = await exportEvents(nc, { fromSequence, write, onProgress: progressPrinter('exported', ctx.io.stderr, ctx.io.now) });
      if (out) await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      const summary = `exported ${result.trailer.messages} appends (stream sequences ${result.header.fromSequence}..${result.header.toSequence})${options.output ? ` to ${options.output}` : ''}`;
      ctx.warn(ctx.json ? JSON.stringify({ ...result.trailer, fromSequence: result.header.fromSequence, toSequence: result.header.toSequence }) : summary);
    } catch (err) {
      out?.destroy();
      throw asCliError(err);
    } finally {
      await nc.close();
    }
  });

  natsOptions(
    events
      .command('import [file]')
      .description(
        "Restore an export (a file, or stdin when none or '-') into an empty BERTH_EVENTS, creating it if missing: every append at its original sequence. Refuses a stream that holds anything, a partial or truncated export, and a file that is not one (nothing is written then). Stop every scheduler and gateway first; start them afterwards.",
      )
      .option('--replicas <n>', 'replicas of the stream and snapshot bucket if import creates them (env BERTH_NATS_REPLICAS, default 1)'),
  ).action(async (file: string | undefined, options: ImportOptions, cmd: Command) => {
    const ctx = context(cmd);
    const { importEvents, parseExport, parseReplicas } = await eventStore();
    const rawReplicas = options.replicas ?? ctx.io.env['BERTH_NATS_REPLICAS'];
    let replicas: number | undefined;
    try {
      replicas = rawReplicas === undefined ? undefined : parseReplicas(rawReplicas);
    } catch (err) {
      throw new BerthCliError('INVALID_ARGUMENT', `--replicas: ${(err as Error).message}`);
    }
    let parsed;
    try {
      parsed = parseExport(await readLines(file, ctx.io.readStdin));
    } catch (err) {
      throw asCliError(err);
    }
    const nc = await connectNats(options, ctx.io.env, 'berth-events-import');
    try {
      const result = await importEvents(nc, parsed, { replicas, onProgress: progressPrinter('imported', ctx.io.stderr, ctx.io.now) });
      if (ctx.json) ctx.printJson(result);
      else {
        ctx.print(`imported ${result.messages} appends (stream sequences 1..${result.lastSequence}) into BERTH_EVENTS`);
        if (result.snapshotsRemoved > 0) ctx.print(`removed ${result.snapshotsRemoved} snapshot entries of another history (services rebuild from the events)`);
      }
    } catch (err) {
      throw asCliError(err);
    } finally {
      await nc.close();
    }
  });
}
