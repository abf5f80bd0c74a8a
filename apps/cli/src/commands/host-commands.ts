import { Option, type Command } from 'commander';
import { collect, type ContextFactory } from '../context';
import { CliFailure } from '../errors';
import { CHANGE_FIELDS, listHosts, type ChangeView, type HostView } from '../queries';
import { formatDuration, formatPairs, formatTable } from '../table';

interface HostsOptions {
  readonly selector?: string[];
  readonly status?: string;
  readonly full?: boolean;
  readonly quiet?: boolean;
}

export function registerHostCommands(program: Command, context: ContextFactory): void {
  program
    .command('hosts')
    .summary('list hosts')
    .description('Registered hosts whose name contains PATTERN and that match every selector.')
    .argument('[pattern]', 'host name pattern')
    .option('-s, --selector <expr>', 'label selector: k=v, k!=v, "k in (a,b)", "k notin (a,b)" (repeatable; all must match)', collect)
    .addOption(new Option('--status <status>', 'only hosts with this status').choices(['UP', 'DOWN']))
    .option('-f, --full', 'also agent id, registration time and environment')
    .option('-q, --quiet', 'print only host names')
    .action(async (pattern: string | undefined, options: HostsOptions, cmd: Command) => {
      const ctx = context(cmd);
      const hosts = await listHosts(ctx.gateway(), {
        ...(pattern ? { pattern } : {}),
        ...(options.selector ? { selectors: options.selector } : {}),
        ...(options.status ? { status: options.status } : {}),
      });
      if (ctx.json) ctx.printJson(Object.fromEntries(hosts.map((h) => [h.host, h])));
      if (hosts.length === 0 && pattern) throw new CliFailure(ctx.json ? '' : `host pattern ${pattern} matched no hosts`, 'stdout');
      if (ctx.json) return;
      if (options.quiet) {
        for (const h of hosts) ctx.print(h.host);
        return;
      }
      ctx.print(formatHostsTable(hosts, ctx.io.now(), options.full === true));
    });

  program
    .command('register')
    .summary('register a host')
    .description("Register a host by name with its agent's id (agents register themselves; this is for pre-registering).")
    .argument('<host>', 'host name')
    .argument('<id>', 'agent id')
    .action(async (host: string, id: string, _options: unknown, cmd: Command) => {
      const ctx = context(cmd);
      if (!ctx.json) ctx.print(`Registering host ${host} with id ${id}`);
      const { registerHost } = await ctx.gateway().request<{ registerHost: ChangeView }>(
        `mutation Register($host: String!, $agentId: String!) { registerHost(host: $host, agentId: $agentId) { ${CHANGE_FIELDS} } }`,
        { host, agentId: id },
      );
      if (ctx.json) ctx.printJson({ host, agentId: id, status: registerHost.status ?? 'OK', sequence: registerHost.sequence });
      else ctx.print(`${host}: ${registerHost.status ?? 'OK'}`);
    });

  program
    .command('deregister')
    .summary('deregister a host')
    .description("Deregister a host: its deployments, port reservations and history go with it. Asks first unless --yes.")
    .argument('<host>', 'host name')
    .option('--yes', 'do not ask')
    .action(async (host: string, options: { yes?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      if (!options.yes && !(await ctx.io.confirm(`This will deregister the host ${host}\nDo you want to continue? [y/N] `))) throw new CliFailure('Aborted.');
      if (!ctx.json) ctx.print(`Deregistering host ${host}`);
      const { deregisterHost } = await ctx.gateway().request<{ deregisterHost: ChangeView }>(
        `mutation Deregister($host: String!) { deregisterHost(host: $host) { ${CHANGE_FIELDS} } }`,
        { host },
      );
      if (ctx.json) ctx.printJson({ host, status: deregisterHost.status ?? 'OK', sequence: deregisterHost.sequence });
      else ctx.print(`${host}: ${deregisterHost.status ?? 'OK'}`);
    });
}

function gigabytes(bytes: unknown): string {
  return typeof bytes === 'number' ? `${(bytes / 1024 ** 3).toFixed(1)} gb` : '';
}

/** `Up 3 minutes` / `Down 2 hours`, measured from registration or from when it went down. */
export function hostStatusLabel(host: Pick<HostView, 'status' | 'registeredAt' | 'downSince'>, now: number): string {
  const since = host.status === 'UP' ? host.registeredAt : host.downSince;
  const label = host.status === 'UP' ? 'Up' : host.status === 'DOWN' ? 'Down' : host.status;
  const at = since ? Date.parse(since) : Number.NaN;
  return Number.isNaN(at) ? label : `${label} ${formatDuration(now - at)}`;
}

export function formatHostsTable(hosts: readonly HostView[], now: number, full: boolean): string {
  const headers = ['HOST', 'STATUS', 'DEPLOYED', 'RUNNING', 'CPUS', 'MEM', 'LOAD AVG', 'MEM USAGE', 'OS', 'VERSION', 'DOCKER', 'LABELS', ...(full ? ['AGENT ID', 'REGISTERED'] : [])];
  const rows = hosts.map((h) => [
    h.host,
    hostStatusLabel(h, now),
    String(h.deployments.length),
    String(h.deployments.filter((d) => d.state === 'RUNNING').length),
    h.info['cpus'] !== undefined ? String(h.info['cpus']) : '',
    gigabytes(h.info['memoryBytes']),
    // Helios: the 1-minute load average and the share of memory in use, two decimals; blank while the agent has sent none
    h.stats ? (h.stats.loadAvg[0] ?? 0).toFixed(2) : '',
    h.stats ? h.stats.memoryUsage.toFixed(2) : '',
    String(h.info['osType'] ?? ''),
    String(h.info['agentVersion'] ?? ''),
    String(h.info['dockerVersion'] ?? ''),
    formatPairs(h.labels, ', '),
    ...(full ? [h.agentId, h.registeredAt] : []),
  ]);
  return formatTable(headers, rows);
}
