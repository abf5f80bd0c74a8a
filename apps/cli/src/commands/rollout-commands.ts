import type { Command } from 'commander';
import type { CommandContext, ContextFactory } from '../context';
import { BerthCliError, CliFailure, UsageError } from '../errors';
import { ROLLOUT_FIELDS, getGroup, getRollout, listRollouts, resolveRolloutId, type RolloutView } from '../group-queries';
import { addUpdateStrategyOptions, rolloutOptionsOf, rolloutTimeoutMs, type RollingUpdateFlags } from '../rollout-flags';
import { shortJobId } from '../table';
import { TtyRolloutProgress } from './rollout-progress';
import { durationLine, formatRolloutDetails, formatRolloutsTable, noHostsWarning, RolloutLinePrinter, rolloutStatusLabel } from './group-format';

interface RolloutChange {
  readonly sequence: number;
  readonly rolloutId: string;
  readonly changed: boolean;
  readonly rollout: RolloutView;
}

const FAILED = new Set(['FAILED', 'REVERTED']);

export function registerRolloutCommands(program: Command, context: ContextFactory): void {
  const rollingUpdateCommand = program
    .command('rolling-update')
    .summary('roll a job out to a deployment group')
    .description(
      'Deploy JOB to every host of GROUP in batches (hosts in natural name order), undeploying the job the group ran before. ' +
        'Blocks and prints each host as it gets there, until the rollout succeeds (exit 0) or fails (exit 1); --async returns at once. ' +
        'Options not given come from the job\'s rolloutOptions, then the group\'s defaults. Durations are seconds, or take s, m, h or ms.',
    )
    .argument('<job>', 'job id, name:version, name or id prefix')
    .argument('<group>', 'deployment group')
    .option('-T, --rollout-timeout <minutes>', 'stop waiting after this long (the rollout carries on)', '60')
    .option('--async', 'start the rollout and return without waiting')
    .option('--migrate', 'adopt copies of the job deployed by hand on the group\'s hosts')
    .option('--token <token>', "the new job's token")
    .option('--old-job-token <token>', "the token of the job(s) being replaced (default: --token; \"\" for none)")
    .option('--override-freeze <reason>', 'start even inside a deploy freeze of the group (admin; the reason is recorded)');
  addUpdateStrategyOptions(rollingUpdateCommand)
    .action(async (job: string, group: string, flags: RollingUpdateFlags, cmd: Command) => {
      await rollingUpdate(context(cmd), job, group, flags);
    });

  program
    .command('rollouts')
    .summary('list rollouts')
    .description("Rollouts oldest first, or only GROUP's, with their status and progress.")
    .argument('[group]', 'deployment group')
    .option('-f, --full', 'full job ids')
    .action(async (group: string | undefined, options: { full?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const rollouts = await listRollouts(ctx.gateway(), group);
      if (ctx.json) ctx.printJson(rollouts);
      else ctx.print(formatRolloutsTable(rollouts, options.full === true));
    });

  program
    .command('rollout')
    .summary('show a rollout with its hosts')
    .description('A rollout and each of its hosts: step, batch, canary, failure.')
    .argument('<rollout>', 'rollout id or a unique prefix')
    .action(async (ref: string, _options: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const rollout = await getRollout(ctx.gateway(), await resolveRolloutId(ctx.gateway(), ref));
      if (ctx.json) ctx.printJson(rollout);
      else ctx.print(formatRolloutDetails(rollout));
    });

  const operator = (name: 'promote' | 'pause' | 'resume' | 'retry', summary: string) =>
    program
      .command(name)
      .summary(summary)
      .description(`${summary[0]?.toUpperCase()}${summary.slice(1)}.`)
      .argument('<rollout>', 'rollout id or a unique prefix')
      .action(async (ref: string, _options: unknown, cmd: Command) => {
        const ctx = context(cmd);
        const id = await resolveRolloutId(ctx.gateway(), ref);
        const data = await ctx.gateway().request<Record<string, RolloutChange>>(
          `mutation Operate($rollout: String!) { ${name}(rollout: $rollout) { sequence rolloutId changed rollout { ${ROLLOUT_FIELDS} } } }`,
          { rollout: id },
        );
        printChange(ctx, data[name]);
      });
  operator('promote', 'promote a canary rollout whose canaries are healthy');
  operator('pause', 'pause a rollout: no new batch starts until resumed');
  operator('resume', 'resume a paused rollout');
  operator('retry', 'retry a failed rollout on the hosts that failed');

  program
    .command('fail')
    .summary('fail a rollout now')
    .description('Fail a rollout where it stands (with autoRevert it rolls back; a canary rollout leaves the old job on the other hosts).')
    .argument('<rollout>', 'rollout id or a unique prefix')
    .option('-m, --message <text>', 'why (recorded as the rollout error)')
    .action(async (ref: string, options: { message?: string }, cmd: Command) => {
      const ctx = context(cmd);
      const id = await resolveRolloutId(ctx.gateway(), ref);
      const data = await ctx.gateway().request<{ fail: RolloutChange }>(
        `mutation Fail($rollout: String!, $error: String) { fail(rollout: $rollout, error: $error) { sequence rolloutId changed rollout { ${ROLLOUT_FIELDS} } } }`,
        { rollout: id, error: options.message ?? null },
      );
      printChange(ctx, data.fail);
    });

  program
    .command('set-host-health')
    .summary("give a host's verdict in a rollout with --health-check manual")
    .description(
      'Record that HOST is healthy or unhealthy in ROLLOUT, as an outside checker would. Only for rollouts with --health-check manual, ' +
        'which wait for these verdicts; unhealthy fails the host at once.',
    )
    .argument('<rollout>', 'rollout id or a unique prefix')
    .argument('<host>', 'host name')
    .argument('<verdict>', 'healthy or unhealthy')
    .option('-m, --message <text>', 'why (recorded with an unhealthy verdict)')
    .action(async (ref: string, host: string, verdict: string, options: { message?: string }, cmd: Command) => {
      if (verdict !== 'healthy' && verdict !== 'unhealthy') throw new UsageError(`verdict "${verdict}": expected healthy or unhealthy`);
      const ctx = context(cmd);
      const id = await resolveRolloutId(ctx.gateway(), ref);
      const data = await ctx.gateway().request<{ setHostHealth: RolloutChange }>(
        `mutation SetHostHealth($rollout: String!, $host: String!, $healthy: Boolean!, $message: String) { setHostHealth(rollout: $rollout, host: $host, healthy: $healthy, message: $message) { sequence rolloutId changed rollout { ${ROLLOUT_FIELDS} } } }`,
        { rollout: id, host, healthy: verdict === 'healthy', message: options.message ?? null },
      );
      printChange(ctx, data.setHostHealth);
    });
}

function printChange(ctx: CommandContext, change: RolloutChange | undefined): void {
  if (!change) throw new Error('the gateway answered without a result');
  if (ctx.json) ctx.printJson({ rolloutId: change.rolloutId, changed: change.changed, status: change.rollout.status, paused: change.rollout.paused, sequence: change.sequence });
  else ctx.print(`Rollout ${change.rolloutId}: ${rolloutStatusLabel(change.rollout)}${change.changed ? '' : ' (no change)'}`);
}

/** Helios's "Rolling update started: group -> job (parallelism=1, timeout=300)". */
export function startedLine(rollout: RolloutView, async: boolean): string {
  const options = rollout.options ?? {};
  return `Rolling update${async ? ' (async)' : ''} started: ${rollout.group} -> ${shortJobId(rollout.jobId)} (parallelism=${String(options['parallelism'] ?? 1)}, timeout=${String(options['timeout'] ?? 300)})`;
}

async function rollingUpdate(ctx: CommandContext, job: string, group: string, flags: RollingUpdateFlags): Promise<void> {
  const options = rolloutOptionsOf(flags);
  const waitMs = rolloutTimeoutMs(flags);
  const startedAt = ctx.io.now();
  const { rollingUpdate: started } = await ctx.gateway().request<{ rollingUpdate: RolloutChange }>(
    `mutation RollingUpdate($group: String!, $job: String!, $options: RolloutOptions, $overrideFreeze: String) {
      rollingUpdate(group: $group, job: $job, options: $options, overrideFreeze: $overrideFreeze) { sequence rolloutId changed rollout { ${ROLLOUT_FIELDS} } }
    }`,
    { group, job, options, ...(flags.overrideFreeze === undefined ? {} : { overrideFreeze: flags.overrideFreeze }) },
  );
  // a group that matches no host: allowed (hosts that match later get the job, as in Helios), but never silently
  if (started.rollout.progress.total === 0) ctx.warn(noHostsWarning(await getGroup(ctx.gateway(), group), started.rollout.jobId));
  if (flags.async) {
    if (ctx.json) ctx.printJson({ rolloutId: started.rolloutId, group, jobId: started.rollout.jobId, status: started.rollout.status, sequence: started.sequence });
    else ctx.print(`${startedLine(started.rollout, true)}\nRollout: ${started.rolloutId}`);
    return;
  }
  if (!ctx.json) ctx.print(`${startedLine(started.rollout, false)}\n`);
  const outcome = await followRollout(ctx, started.rolloutId, waitMs, startedAt);
  const duration = ctx.io.now() - startedAt;
  if (outcome === 'timeout') throw new CliFailure(ctx.json ? '' : 'Timed out! (rolling-update still in progress)', 'stdout');
  if (outcome === 'interrupted') throw new CliFailure(`Interrupted: the rolling update carries on (berth rollout ${started.rolloutId})`);
  const rollout = outcome;
  const failed = FAILED.has(rollout.status);
  if (ctx.json) {
    ctx.printJson({
      rolloutId: rollout.rolloutId,
      group: rollout.group,
      jobId: rollout.jobId,
      status: rollout.status,
      ...(rollout.error ? { error: rollout.error } : {}),
      hosts: (rollout.hosts ?? []).map((h) => ({
        host: h.host,
        state: h.state,
        batch: h.batch ?? null,
        ...(h.failure ? { failure: h.failure } : {}),
        ...(h.failureBeforeRevert ? { failureBeforeRevert: h.failureBeforeRevert } : {}),
      })),
      duration: duration / 1000,
    });
  } else ctx.print(`\n${endLine(rollout)}\n${durationLine(duration)}`);
  if (failed) throw new BerthCliError('ROLLOUT_FAILED', `rolling update of ${rollout.group} to ${rollout.jobId} ${rollout.status}: ${rollout.error ?? 'no reason given'}`, { rolloutId: rollout.rolloutId });
}

/** `Done.`, `Failed: <why>`, or `Reverted to <stable job>: <why>` (a revert is not a success, nor a bare failure). */
export function endLine(rollout: Pick<RolloutView, 'status' | 'error' | 'targetJobId'>): string {
  if (rollout.status === 'REVERTED') return `Reverted to ${rollout.targetJobId}: ${rollout.error ?? 'no reason given'}`;
  return FAILED.has(rollout.status) ? `Failed: ${rollout.error ?? rollout.status}` : 'Done.';
}

/** Prints progress lines from the rolloutProgress subscription until the rollout finishes, the wait times out or Ctrl-C. */
async function followRollout(ctx: CommandContext, rolloutId: string, waitMs: number, startedAt: number): Promise<RolloutView | 'timeout' | 'interrupted'> {
  const columns = ctx.io.terminalColumns;
  const printer =
    ctx.json ? undefined
    : columns !== undefined ? new TtyRolloutProgress((text) => ctx.io.stdout(text), columns, () => ctx.io.now(), startedAt)
    : new RolloutLinePrinter((line) => ctx.print(line));
  let resolveFinished: (rollout: RolloutView) => void = () => undefined;
  const finished = new Promise<RolloutView>((resolve) => (resolveFinished = resolve));
  const feed = ctx.gateway().subscribe<{ rolloutProgress: { rollout: RolloutView } }>(
    `subscription Progress($id: String!) { rolloutProgress(rolloutId: $id) { event sequence rollout { ${ROLLOUT_FIELDS} } } }`,
    { id: rolloutId },
    ({ rolloutProgress }) => {
      printer?.update(rolloutProgress.rollout);
      if (rolloutProgress.rollout.finished) resolveFinished(rolloutProgress.rollout);
    },
  );
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), waitMs)));
  try {
    const closed = feed.done.then((): never => {
      throw new BerthCliError('UNAVAILABLE', 'the gateway ended the rollout progress stream');
    });
    closed.catch(() => undefined); // observed by the race; closing the feed later must not reject unhandled
    return await Promise.race([finished, timedOut, ctx.io.interrupted().then(() => 'interrupted' as const), closed]);
  } finally {
    clearTimeout(timer);
    if (printer instanceof TtyRolloutProgress) printer.stop();
    await feed.close();
  }
}
