import type { Command } from 'commander';
import type { CommandContext, ContextFactory } from '../context';
import { BerthCliError, CliFailure, UsageError } from '../errors';
import type { GatewayApi } from '../gateway-client';
import { getJob, jobOnHost, listHosts, listJobs, listJobsAsOf, type ChangeView, type DeploymentView, type JobView } from '../queries';
import { parseTimeBound } from './audit-commands';
import { formatTable, formatTimestamp, shortContainerId, shortJobId } from '../table';
import { registerWatchCommand } from './watch-command';

type Mutation = 'deploy' | 'undeploy' | 'start' | 'stop';

interface HostOutcome {
  readonly host: string;
  readonly change?: ChangeView;
  readonly error?: { code: string; message: string };
}

export function registerDeploymentCommands(program: Command, context: ContextFactory): void {
  program
    .command('deploy')
    .summary('deploy a job to hosts')
    .description('Deploy a job to hosts (goal START, or STOP with --no-start). Hosts may be given by unique prefix.')
    .argument('<job>', 'job id, name:version, name or id prefix')
    .argument('<hosts...>', 'hosts')
    .option('--no-start', 'deploy with goal STOP: create nothing until started')
    .option('--token <token>', "the job's token")
    .action(async (ref: string, hosts: string[], options: { start: boolean; token?: string }, cmd: Command) => {
      const goal = options.start ? 'START' : 'STOP';
      await onHosts(context(cmd), 'deploy', ref, hosts, { goal, ...(options.token ? { token: options.token } : {}) }, (id) => `Deploying ${id}|${goal} on`);
    });

  program
    .command('undeploy')
    .summary('undeploy a job from hosts')
    .description('Undeploy a job from the given hosts, or from every host with -a (asks first unless --yes).')
    .argument('<job>', 'job id, name:version, name or id prefix')
    .argument('[hosts...]', 'hosts')
    .option('-a, --all', 'every host the job is deployed on')
    .option('--yes', 'do not ask (with -a)')
    .option('--token <token>', "the job's token")
    .option('--group <name>', 'the deployment group the deployments belong to, also a removed one (remove-deployment-group leaves them behind)')
    .option('--override-group', "undeploy a deployment group's deployments without naming the group (admin)")
    .action(async (ref: string, hosts: string[], options: { all?: boolean; yes?: boolean; token?: string; group?: string; overrideGroup?: boolean }, cmd: Command) => {
      if (hosts.length === 0 && !options.all) throw new UsageError('Please either specify a list of hosts or use the -a/--all flag.');
      const ctx = context(cmd);
      let targets = hosts;
      if (options.all) {
        const job = await getJob(ctx.gateway(), ref);
        targets = [...new Set([...hosts, ...job.deployments.map((d) => d.host)])];
        const question = `This will undeploy ${job.id} from ${targets.join(', ') || 'no hosts'}\nDo you want to continue? [y/N] `;
        if (!options.yes && targets.length > 0 && !(await ctx.io.confirm(question))) throw new CliFailure('Aborted.');
      }
      const extra = {
        ...(options.token ? { token: options.token } : {}),
        ...(options.group === undefined ? {} : { deploymentGroupName: options.group }),
        ...(options.overrideGroup === true ? { overrideGroup: true } : {}),
      };
      await onHosts(ctx, 'undeploy', ref, targets, extra, (id) => `Undeploying ${id} from`);
    });

  program
    .command('start')
    .summary('start a deployed job')
    .description('Set the goal of a deployed job to START on hosts.')
    .argument('<job>', 'job id, name:version, name or id prefix')
    .argument('<hosts...>', 'hosts')
    .option('--token <token>', "the job's token")
    .action(async (ref: string, hosts: string[], options: { token?: string }, cmd: Command) => {
      await onHosts(context(cmd), 'start', ref, hosts, options.token ? { token: options.token } : {}, (id) => `Starting ${id} on`);
    });

  program
    .command('stop')
    .summary('stop a deployed job')
    .description('Set the goal of a deployed job to STOP on hosts: the container stops, the deployment and its ports stay.')
    .argument('<job>', 'job id, name:version, name or id prefix')
    .argument('<hosts...>', 'hosts')
    .option('--token <token>', "the job's token")
    .action(async (ref: string, hosts: string[], options: { token?: string }, cmd: Command) => {
      await onHosts(context(cmd), 'stop', ref, hosts, options.token ? { token: options.token } : {}, (id) => `Stopping ${id} on`);
    });

  program
    .command('status')
    .summary('show where jobs run and how')
    .description(
      'Deployments and task states, by job and/or host. With --as-of, as they stood then: replayed from the event history up to the first event decided after that time (GraphQL deploymentsAsOf).',
    )
    .option('-j, --job <pattern>', 'jobs matching this pattern')
    .option('--host <pattern>', 'hosts whose name contains this')
    .option('-f, --full', 'full job and container ids')
    .option('--as-of <time>', 'as things stood at an ISO-8601 time or a duration back from now (15m, 2h, 7d)')
    .action(async (options: { job?: string; host?: string; full?: boolean; asOf?: string }, cmd: Command) => {
      const ctx = context(cmd);
      const filter = options.job ? { pattern: options.job } : {};
      const jobs = options.asOf === undefined ? await listJobs(ctx.gateway(), filter) : await listJobsAsOf(ctx.gateway(), parseTimeBound(options.asOf, ctx.io.now(), '--as-of'), filter);
      if (options.job && jobs.length === 0) throw new CliFailure(ctx.json ? '' : `job id matcher "${options.job}" matched no jobs`, 'stdout');
      const hostPattern = options.host;
      const selected = jobs.map((job) => ({ job, deployments: job.deployments.filter((d) => hostPattern === undefined || d.host.includes(hostPattern)) }));
      const count = selected.reduce((n, s) => n + s.deployments.length, 0);
      if (ctx.json) ctx.printJson(statusJson(selected.filter((s) => hostPattern === undefined || s.deployments.length > 0)));
      if (hostPattern !== undefined && count === 0) {
        throw new CliFailure(ctx.json ? '' : `There are no jobs deployed to hosts with the host pattern '${hostPattern}'`, 'stdout');
      }
      if (!ctx.json) ctx.print(formatStatusTable(selected, options.full === true));
    });

  program
    .command('history')
    .summary("a job's task states over time")
    .description('Every task state change of a job on every host, oldest first.')
    .argument('<job>', 'job id, name:version, name or id prefix')
    .option('-f, --full', 'full container ids')
    .action(async (ref: string, options: { full?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const { jobHistory } = await ctx.gateway().request<{ jobHistory: { jobId: string; entries: HistoryEntry[] } }>(
        `query History($id: String!) { jobHistory(id: $id) { jobId entries { host time state throttled containerId exitCode } } }`,
        { id: ref },
      );
      if (ctx.json) ctx.printJson(jobHistory);
      else ctx.print(formatHistoryTable(jobHistory.entries, options.full === true));
    });

  registerWatchCommand(program, context);
}

export interface HistoryEntry {
  readonly host: string;
  readonly time: string;
  readonly state: string;
  readonly throttled: string;
  readonly containerId?: string | null;
  readonly exitCode?: number | null;
}

export function formatHistoryTable(entries: readonly HistoryEntry[], full: boolean): string {
  const rows = entries.map((e) => [e.host, formatTimestamp(e.time), e.state, e.throttled, shortContainerId(e.containerId, 12, full)]);
  return formatTable(['HOST', 'TIMESTAMP', 'STATE', 'THROTTLED', 'CONTAINERID'], rows);
}

/** `RUNNING`, or `FAILED (IMAGE_MISSING)` when throttled. */
export function stateLabel(deployment: Pick<DeploymentView, 'state' | 'status'>): string {
  const throttled = deployment.status?.throttled;
  return throttled && throttled !== 'NO' ? `${deployment.state} (${throttled})` : deployment.state;
}

/** `name=internal:external` for each port the deployment got on its host. */
export function formatDeploymentPorts(job: Record<string, unknown>, ports: Readonly<Record<string, number>>): string {
  const mappings = (job['ports'] ?? {}) as Record<string, { internalPort?: number }>;
  return Object.keys(ports)
    .sort()
    .map((name) => `${name}=${mappings[name]?.internalPort ?? '?'}:${ports[name]}`)
    .join(' ');
}

export function formatStatusTable(selected: readonly { job: JobView; deployments: readonly DeploymentView[] }[], full: boolean): string {
  const rows = selected.flatMap(({ job, deployments }) =>
    deployments.map((d) => [
      shortJobId(job.id, full),
      d.host,
      d.goal,
      stateLabel(d),
      d.status?.containerId ? shortContainerId(d.status.containerId, 7, full) : '',
      formatDeploymentPorts(job.job, d.ports),
    ]),
  );
  return formatTable(['JOB ID', 'HOST', 'GOAL', 'STATE', 'CONTAINER ID', 'PORTS'], rows);
}

/** Helios's `status --json`: job id → {job, deployments by host, taskStatuses by host}. */
export function statusJson(selected: readonly { job: JobView; deployments: readonly DeploymentView[] }[]): Record<string, unknown> {
  return Object.fromEntries(
    selected.map(({ job, deployments }) => [
      job.id,
      {
        id: job.id,
        job: job.job,
        deployments: Object.fromEntries(deployments.map((d) => [d.host, { jobId: d.jobId, goal: d.goal, deployedAt: d.deployedAt, deploymentGroupName: d.deploymentGroupName ?? null }])),
        taskStatuses: Object.fromEntries(deployments.map((d) => [d.host, { ...(d.status ?? {}), goal: d.goal, state: d.state, ports: d.ports }])),
      },
    ]),
  );
}

/** Host arguments resolved as Helios does: an exact name, else a unique prefix; anything else is left to the server. */
export async function resolveHosts(gateway: GatewayApi, wanted: readonly string[]): Promise<string[]> {
  if (wanted.length === 0) return [];
  const known = (await listHosts(gateway, {})).map((h) => h.host);
  return wanted.map((name) => {
    if (known.includes(name)) return name;
    const candidates = known.filter((h) => h.startsWith(name));
    return candidates.length === 1 ? (candidates[0] ?? name) : name;
  });
}

async function onHosts(
  ctx: CommandContext,
  mutation: Mutation,
  ref: string,
  hostArgs: readonly string[],
  extra: { token?: string; goal?: string; deploymentGroupName?: string; overrideGroup?: boolean },
  headline: (jobId: string) => string,
): Promise<void> {
  const gateway = ctx.gateway();
  const job = await getJob(gateway, ref);
  const hosts = await resolveHosts(gateway, hostArgs);
  if (!ctx.json) ctx.print(`${headline(job.id)} [${hosts.join(', ')}]`);
  const outcomes: HostOutcome[] = [];
  for (const host of hosts) {
    try {
      const change = await jobOnHost(gateway, mutation, { job: job.id, host, ...extra });
      outcomes.push({ host, change });
      if (!ctx.json) ctx.print(`${host}: done`);
    } catch (err) {
      if (!(err instanceof BerthCliError)) throw err;
      outcomes.push({ host, error: { code: err.code, message: err.message } });
      if (!ctx.json) ctx.print(`${host}: failed: ${err.code}: ${err.message}`);
    }
  }
  if (ctx.json) {
    ctx.printJson({
      jobId: job.id,
      ...(extra.goal ? { goal: extra.goal } : {}),
      hosts: Object.fromEntries(
        outcomes.map((o) => [o.host, o.error ? { status: 'FAILED', error: o.error } : { status: o.change?.status ?? 'OK', ports: o.change?.ports ?? {}, sequence: o.change?.sequence }]),
      ),
    });
  }
  if (outcomes.some((o) => o.error)) throw new CliFailure('');
}
