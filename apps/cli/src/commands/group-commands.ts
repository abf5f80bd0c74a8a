import type { Command } from 'commander';
import type { CommandContext, ContextFactory } from '../context';
import { GROUP_STATUS_FIELDS, getGroup, getGroupStatus, listGroups, type GroupStatusView } from '../group-queries';
import { addUpdateStrategyOptions, rolloutOptionsOf, type RolloutOptions, type UpdateStrategyFlags } from '../rollout-flags';
import { creatingGroupLine, formatGroupDetails, formatGroupStatus, formatGroupsTable, GroupWatchPrinter } from './group-format';

interface GroupChange {
  readonly sequence: number;
  readonly name: string;
  readonly status: string;
  readonly result: Record<string, unknown>;
}

const CHANGE_FIELDS = 'sequence name status result';

async function groupMutation(ctx: CommandContext, mutation: string, name: string, selectors?: readonly string[], defaults?: RolloutOptions): Promise<GroupChange> {
  const withSelectors = selectors !== undefined;
  const withDefaults = defaults !== undefined;
  const data = await ctx.gateway().request<Record<string, GroupChange>>(
    `mutation Group($name: String!${withSelectors ? ', $selectors: [String!]!' : ''}${withDefaults ? ', $defaults: RolloutOptions' : ''}) { ${mutation}(name: $name${withSelectors ? ', selectors: $selectors' : ''}${withDefaults ? ', defaults: $defaults' : ''}) { ${CHANGE_FIELDS} } }`,
    { name, ...(withSelectors ? { selectors } : {}), ...(withDefaults ? { defaults } : {}) },
  );
  const change = data[mutation];
  if (!change) throw new Error(`the gateway's answer to ${mutation} has no result`);
  return change;
}

/** The deployments remove-deployment-group left on the hosts, from the scheduler's answer. */
function leftBehindOf(change: GroupChange): { host: string; jobId: string }[] {
  const rows: unknown = change.result['leftBehind'];
  if (!Array.isArray(rows)) return [];
  return rows.flatMap((row: unknown) => {
    const { host, jobId } = (row ?? {}) as Record<string, unknown>;
    return typeof host === 'string' && typeof jobId === 'string' ? [{ host, jobId }] : [];
  });
}

export function registerGroupCommands(program: Command, context: ContextFactory): void {
  const create = program
    .command('create-deployment-group')
    .summary('create a deployment group')
    .description(
      'Create a deployment group of the hosts matching every SELECTOR (k=v, k!=v, "k in (a,b)", "k notin (a,b)"). ' +
        'The same name and selectors again is NOT_MODIFIED; other selectors are DEPLOYMENT_GROUP_ALREADY_EXISTS (see update-deployment-group). ' +
        "The update-strategy options become the group's defaults for every rolling update (a rolling update's own options and the job's rolloutOptions win).",
    )
    .argument('<name>', 'group name')
    .argument('<selectors...>', 'host selectors');
  addUpdateStrategyOptions(create).action(async (name: string, selectors: string[], flags: UpdateStrategyFlags, cmd: Command) => {
    const ctx = context(cmd);
    const defaults = rolloutOptionsOf(flags);
    const given = Object.keys(defaults).length > 0 ? defaults : undefined;
    if (!ctx.json) ctx.print(creatingGroupLine(name, selectors));
    const change = await groupMutation(ctx, 'createDeploymentGroup', name, selectors, given);
    if (ctx.json) ctx.printJson({ name, status: change.status, sequence: change.sequence });
    else ctx.print(JSON.stringify({ status: change.status }));
  });

  program
    .command('update-deployment-group')
    .summary("change a group's selectors in place")
    .description("Replace a group's host selectors (Helios needs remove + create): the job moves off hosts that stop matching and onto hosts that now match.")
    .argument('<name>', 'group name')
    .argument('<selectors...>', 'host selectors')
    .action(async (name: string, selectors: string[], _options: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const change = await groupMutation(ctx, 'updateDeploymentGroup', name, selectors);
      if (ctx.json) ctx.printJson({ name, status: change.status, sequence: change.sequence });
      else ctx.print(JSON.stringify({ status: change.status }));
    });

  program
    .command('remove-deployment-group')
    .summary('remove a deployment group')
    .description(
      'Remove a deployment group; its rollout stops, its deployments stay on the hosts and are listed. ' +
        'Undeploy them with `berth undeploy JOB HOST --group NAME`.',
    )
    .argument('<name>', 'group name')
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const change = await groupMutation(ctx, 'removeDeploymentGroup', name);
      const leftBehind = leftBehindOf(change);
      if (ctx.json) {
        ctx.printJson({ name, status: change.status, leftBehind, sequence: change.sequence });
        return;
      }
      ctx.print(`Deployment-group ${name} removed`);
      if (leftBehind.length === 0) return;
      ctx.print(`Left behind on the hosts (undeploy with: berth undeploy JOB HOST --group ${name}):`);
      for (const { host, jobId } of leftBehind) ctx.print(`  ${host}: ${jobId}`);
    });

  program
    .command('list-deployment-groups')
    .summary('list deployment groups')
    .description('Deployment group names, sorted (as Helios prints them); --long: a table with how many hosts each matches now (HOSTS, and UP of them), its status and job.')
    .option('-l, --long', 'NAME HOSTS UP STATUS JOB ID table (--json: the groups with hostCounts)')
    .option('-f, --full', 'full job ids (with --long)')
    .action(async (options: { long?: boolean; full?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const groups = await listGroups(ctx.gateway());
      if (options.long) {
        if (ctx.json) ctx.printJson(groups);
        else ctx.print(formatGroupsTable(groups, options.full === true));
        return;
      }
      const names = groups.map((g) => g.name);
      if (ctx.json) ctx.printJson(names);
      else if (names.length > 0) ctx.print(names.join('\n'));
    });

  program
    .command('inspect-deployment-group')
    .summary('show a deployment group')
    .description('Name, host selectors (Labels) and job of a group; everything with --json.')
    .argument('<name>', 'group name')
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const group = await getGroup(ctx.gateway(), name);
      if (ctx.json) ctx.printJson(group);
      else ctx.print(formatGroupDetails(group));
    });

  program
    .command('deployment-group-status')
    .summary("a deployment group's status and hosts")
    .description('Status (IDLE, ROLLING_OUT, DONE, FAILED) and, for each matching UP host, whether it runs the group\'s job and in which state.')
    .argument('<name>', 'group name')
    .option('-f, --full', 'full job ids')
    .action(async (name: string, options: { full?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const status = await getGroupStatus(ctx.gateway(), name);
      if (ctx.json) ctx.printJson(status);
      else ctx.print(formatGroupStatus(status, options.full === true));
    });

  program
    .command('stop-deployment-group')
    .summary("stop a group's rolling update")
    .description('Stop the rolling update where it stands: the group becomes FAILED ("Stopped by user"); containers are untouched.')
    .argument('<name>', 'group name')
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const change = await groupMutation(ctx, 'stopDeploymentGroup', name);
      if (ctx.json) ctx.printJson({ name, status: change.status, sequence: change.sequence });
      else ctx.print(change.status === 'NOT_MODIFIED' ? `Deployment-group ${name} was already stopped` : `Deployment-group ${name} stopped`);
    });

  program
    .command('watch-deployment-group')
    .summary("follow a deployment group's status live")
    .description("Print a line whenever the group's status or one of its hosts changes, until Ctrl-C (the gateway's groupStatus subscription).")
    .argument('<name>', 'group name')
    .option('-f, --full', 'full job ids')
    .action(async (name: string, options: { full?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      await getGroup(ctx.gateway(), name);
      await watchGroup(ctx, name, options.full === true);
    });
}

async function watchGroup(ctx: CommandContext, name: string, full: boolean): Promise<void> {
  const printer = new GroupWatchPrinter((line) => ctx.print(line), full);
  const feed = ctx.gateway().subscribe<{ groupStatus: { exists: boolean; status: GroupStatusView | null; sequence: number } }>(
    `subscription GroupStatus($name: String!) { groupStatus(name: $name) { exists sequence status { ${GROUP_STATUS_FIELDS} } } }`,
    { name },
    ({ groupStatus }) => {
      if (ctx.json) ctx.print(JSON.stringify({ time: new Date(ctx.io.now()).toISOString(), ...groupStatus }));
      else printer.update(groupStatus.status, name, ctx.io.now());
    },
  );
  try {
    await Promise.race([ctx.io.interrupted(), feed.done]);
  } finally {
    await feed.close();
  }
}
