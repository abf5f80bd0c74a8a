import type { Command } from 'commander';
import type { CommandContext, ContextFactory } from '../context';
import { UsageError } from '../errors';
import type { LiveFeed } from '../gateway-client';
import { DEPLOYMENT_FIELDS, getJob, type DeploymentView } from '../queries';
import { formatTimestamp, shortJobId } from '../table';

interface WatchOptions {
  readonly exact?: boolean;
  readonly interval: string;
  readonly poll?: boolean;
  readonly full?: boolean;
}

interface TaskLine {
  readonly host: string;
  readonly state: string;
  readonly throttled: string;
  readonly containerId?: string | null;
}

/** Prints a task's line when its state, throttling or container changes. */
export class TaskPrinter {
  private readonly last = new Map<string, string>();
  private headerShown = false;

  constructor(
    private readonly ctx: Pick<CommandContext, 'print' | 'json'>,
    private readonly jobId: string,
    private readonly hostWidth: number,
    private readonly full: boolean,
  ) {}

  update(line: TaskLine, now: number): void {
    const key = `${line.state}|${line.throttled}|${line.containerId ?? ''}`;
    if (this.last.get(line.host) === key) return;
    this.last.set(line.host, key);
    if (this.ctx.json) {
      this.ctx.print(JSON.stringify({ time: new Date(now).toISOString(), jobId: this.jobId, ...line }));
      return;
    }
    const id = shortJobId(this.jobId, this.full);
    if (!this.headerShown) {
      this.headerShown = true;
      this.ctx.print(this.row(['TIME', 'JOB ID'.padEnd(id.length), 'HOST', 'STATE', 'THROTTLED?']));
    }
    this.ctx.print(this.row([formatTimestamp(now), id, line.host, line.state, line.throttled]));
  }

  private row([time, id, host, state, throttled]: string[]): string {
    return `${(time ?? '').padEnd(23)}    ${id}    ${(host ?? '').padEnd(this.hostWidth)}    ${(state ?? '').padEnd(14)}    ${throttled}`.trimEnd();
  }
}

function lineOf(host: string, deployment: DeploymentView | null | undefined): TaskLine {
  if (!deployment) return { host, state: 'UNKNOWN', throttled: 'NO' };
  return { host, state: deployment.state, throttled: deployment.status?.throttled ?? 'NO', containerId: deployment.status?.containerId ?? null };
}

export function registerWatchCommand(program: Command, context: ContextFactory): void {
  program
    .command('watch')
    .summary("follow a job's task states live")
    .description(
      'Print a line whenever the job changes state on a host, until Ctrl-C. Live from the gateway\'s taskStatus ' +
        'subscription; with --poll, by asking every --interval seconds (which also picks up hosts deployed later).',
    )
    .argument('<job>', 'job id, name:version, name or id prefix')
    .argument('[hosts...]', 'host name prefixes (exact names with --exact); default: every host the job is deployed on')
    .option('--exact', 'hosts are exact names; hosts without the job show UNKNOWN')
    .option('--interval <seconds>', 'polling interval for --poll', '1')
    .option('--poll', 'poll instead of subscribing')
    .option('-f, --full', 'full job id')
    .action(async (ref: string, hosts: string[], options: WatchOptions, cmd: Command) => {
      const interval = Number(options.interval);
      if (!(interval > 0)) throw new UsageError(`--interval "${options.interval}": expected a positive number of seconds`);
      const ctx = context(cmd);
      const job = await getJob(ctx.gateway(), ref);
      const deployed = job.deployments.map((d) => d.host);
      const watched = options.exact ? hosts : deployed.filter((h) => hosts.length === 0 || hosts.some((p) => h.startsWith(p)));
      const printer = new TaskPrinter(ctx, job.id, Math.max(4, ...watched.map((h) => h.length), ...deployed.map((h) => h.length)), options.full === true);
      if (options.poll || watched.length === 0) await poll(ctx, job.id, options.exact ? hosts : undefined, hosts, interval, printer);
      else await subscribe(ctx, job.id, watched, printer);
    });
}

async function subscribe(ctx: CommandContext, jobId: string, hosts: readonly string[], printer: TaskPrinter): Promise<void> {
  const feeds: LiveFeed[] = hosts.map((host) =>
    ctx.gateway().subscribe<{ taskStatus: { host: string; deployment: DeploymentView | null } }>(
      `subscription Task($job: String!, $host: String!) { taskStatus(job: $job, host: $host) { host jobId sequence deployment { ${DEPLOYMENT_FIELDS} } } }`,
      { job: jobId, host },
      ({ taskStatus }) => printer.update(lineOf(taskStatus.host, taskStatus.deployment), ctx.io.now()),
    ),
  );
  try {
    await Promise.race([ctx.io.interrupted(), Promise.all(feeds.map((f) => f.done))]);
  } finally {
    await Promise.all(feeds.map((f) => f.close()));
  }
}

async function poll(ctx: CommandContext, jobId: string, exact: readonly string[] | undefined, prefixes: readonly string[], seconds: number, printer: TaskPrinter): Promise<void> {
  let stop = false;
  void ctx.io.interrupted().then(() => (stop = true));
  while (!stop) {
    const job = await getJob(ctx.gateway(), jobId);
    const byHost = new Map(job.deployments.map((d) => [d.host, d]));
    const hosts = exact ?? [...byHost.keys()].filter((h) => prefixes.length === 0 || prefixes.some((p) => h.startsWith(p)));
    for (const host of [...hosts].sort()) printer.update(lineOf(host, byHost.get(host)), ctx.io.now());
    await Promise.race([new Promise((r) => setTimeout(r, seconds * 1000)), ctx.io.interrupted()]);
  }
}
