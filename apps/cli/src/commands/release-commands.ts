import { basename, dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext, ContextFactory } from '../context';
import { BerthCliError, CliFailure, UsageError } from '../errors';
import { formatPipelineProblems, formatReleaseDetails, formatReleasePlan, formatReleasesTable, ReleaseLinePrinter, type PipelineProblem, type ReleasePlanView, type ReleaseView } from './release-format';

export const RELEASE_FIELDS =
  'releaseId service jobId group status finished stage stages awaitingTrigger autoRollback badGroups error rollbackReason createdAt updatedAt deployedAt certifyAt abandonAt ' +
  'steps { key kind name stage status rolloutId startedAt timeout error ignored message triggerNextStepManually } rollback { group toJobId status rolloutId error }';

interface ReleaseChange {
  readonly release: ReleaseView;
  readonly changed: boolean;
  readonly sequence: number;
}

export const PLAN_FIELDS =
  'planId status error createdAt updatedAt levels deployQueue services { service jobId group quorum maxUnavailable dependsOn status releaseId releaseStatus error } ' +
  'current { service hosts { host online version } } staging { service jobId hosts }';

/** Outcomes a waiting mark-for-deployment ends on. */
const FINAL = new Set(['complete', 'abandoned', 'failed', 'rolled_back']);
const GOOD = new Set(['complete']);

/** The file's text: `-` is stdin. */
async function readSource(ctx: CommandContext, file: string): Promise<string> {
  if (file === '-') return ctx.io.readStdin();
  const text = ctx.io.readFile(file);
  if (text === undefined) throw new UsageError(`cannot read ${file}`);
  return text;
}

/** PaaSTA's soa-configs layout: `<service>/deploy.yaml` names the service. */
export function serviceOfFile(file: string): string {
  return basename(dirname(resolve(file)));
}

async function resolveReleaseId(ctx: CommandContext, ref: string): Promise<string> {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref)) return ref;
  const { releases } = await ctx.gateway().request<{ releases: { items: { releaseId: string }[] } }>('query Releases { releases { items { releaseId } } }');
  const matches = releases.items.filter((r) => r.releaseId.startsWith(ref));
  if (matches.length === 1 && matches[0]) return matches[0].releaseId;
  throw new BerthCliError(matches.length === 0 ? 'RELEASE_NOT_FOUND' : 'AMBIGUOUS_RELEASE_REFERENCE', `release "${ref}" matches ${matches.length} releases`, { ref });
}

async function getRelease(ctx: CommandContext, id: string): Promise<ReleaseView> {
  const data = await ctx.gateway().request<{ release: { release: ReleaseView } }>(`query Release($id: String!) { release(id: $id) { release { ${RELEASE_FIELDS} } } }`, { id });
  return data.release.release;
}

function printRelease(ctx: CommandContext, release: ReleaseView, changed?: boolean): void {
  if (ctx.json) ctx.printJson(changed === undefined ? release : { ...release, changed });
  else ctx.print(`${formatReleaseDetails(release)}${changed === false ? '\n(no change)' : ''}`);
}

/** What `berth validate` finds in a pipeline file: the schema, then the cluster (none: valid). */
async function validatePipeline(ctx: CommandContext, service: string, source: string): Promise<PipelineProblem[]> {
  const data = await ctx.gateway().request<{ validatePipeline: { valid: boolean; problems: PipelineProblem[] } }>(
    'query ValidatePipeline($service: String!, $source: String!) { validatePipeline(service: $service, source: $source) { valid problems { path line message } } }',
    { service, source },
  );
  return data.validatePipeline.valid ? [] : data.validatePipeline.problems;
}

function problemCount(problems: readonly PipelineProblem[]): string {
  return problems.length === 1 ? '1 problem' : `${problems.length} problems`;
}

function registerPipelineCommands(program: Command, context: ContextFactory): void {
  const pipeline = program.command('pipeline').summary("set or show a service's deploy pipeline (deploy.yaml)");
  pipeline
    .command('set')
    .summary('set the pipeline of SERVICE from a YAML or JSON file')
    .description(
      'Store the pipeline of SERVICE (a job name). The file is checked first as `berth validate` checks it (the schema, then the cluster): ' +
        'with any problem it is refused, each problem with its line, and nothing is stored; --force stores it anyway (the problems are printed as warnings).',
    )
    .argument('<service>', 'the service (job name)')
    .requiredOption('-f, --file <file>', 'deploy.yaml (YAML or JSON; - for stdin)')
    .option('--force', 'store it even when `berth validate` finds problems in it')
    .action(async (service: string, options: { file: string; force?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const source = await readSource(ctx, options.file);
      const problems = await validatePipeline(ctx, service, source);
      if (problems.length > 0 && !options.force) {
        if (ctx.json) ctx.printJson({ service, set: false, valid: false, problems });
        throw new CliFailure(
          ctx.json ? '' : `${formatPipelineProblems(options.file, problems)}
Pipeline of ${service} not set: ${problemCount(problems)} (as \`berth validate\` finds); fix them, or set it anyway with --force`,
        );
      }
      if (problems.length > 0) ctx.warn(`${formatPipelineProblems(options.file, problems)}
warning: setting the pipeline of ${service} with ${problemCount(problems)} (--force)`);
      const data = await ctx.gateway().request<{ setPipeline: { changed: boolean; sequence: number; pipeline: { service: string; revision: number } } }>(
        'mutation SetPipeline($service: String!, $source: String!) { setPipeline(service: $service, source: $source) { changed sequence pipeline { service revision } } }',
        { service, source },
      );
      const { changed, pipeline: row } = data.setPipeline;
      if (ctx.json) ctx.printJson({ service: row.service, revision: row.revision, changed, sequence: data.setPipeline.sequence, ...(problems.length > 0 ? { problems } : {}) });
      else ctx.print(changed ? `Pipeline of ${service} set (revision ${row.revision})` : `Pipeline of ${service} not modified (revision ${row.revision})`);
    });
  pipeline
    .command('show')
    .summary('show the pipeline of SERVICE')
    .description('The pipeline file as it was set (--json: the stages as the scheduler reads them).')
    .argument('<service>', 'the service (job name)')
    .action(async (service: string, _options: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const data = await ctx.gateway().request<{ pipeline: { pipeline: { service: string; revision: number; updatedAt: string; source?: string; pipeline: unknown } } }>(
        'query Pipeline($service: String!) { pipeline(service: $service) { pipeline { service revision updatedAt source pipeline } } }',
        { service },
      );
      const row = data.pipeline.pipeline;
      if (ctx.json) ctx.printJson(row);
      else ctx.print(`# ${row.service}, revision ${row.revision}, set ${row.updatedAt}\n${(row.source ?? JSON.stringify(row.pipeline, null, 2)).trimEnd()}`);
    });

  program
    .command('validate')
    .summary('check a pipeline file against the schema and the cluster')
    .description(
      'Check deploy.yaml: the schema (fields, types, duplicate steps), then the cluster: steps naming no deployment group, groups matching no host, ' +
        "and groups running the service that no step covers. Each problem with its line. Exit 1 when there is any. The service defaults to the file's folder name (<service>/deploy.yaml).",
    )
    .requiredOption('-f, --file <file>', 'deploy.yaml (YAML or JSON; - for stdin)')
    .option('-s, --service <service>', 'the service (job name)')
    .action(async (options: { file: string; service?: string }, cmd: Command) => {
      const ctx = context(cmd);
      const source = await readSource(ctx, options.file);
      const service = options.service ?? serviceOfFile(options.file);
      const problems = await validatePipeline(ctx, service, source);
      const valid = problems.length === 0;
      if (ctx.json) ctx.printJson({ file: options.file, service, valid, problems });
      else ctx.print(valid ? `${options.file}: valid pipeline for ${service}` : formatPipelineProblems(options.file, problems));
      if (!valid) throw new CliFailure('', 'stderr');
    });
}

interface MarkFlags {
  readonly group?: string;
  readonly waitForDeployment?: boolean;
  readonly timeout?: string;
  readonly autoRollback?: boolean;
  readonly autoCertifyDelay?: string;
  readonly autoAbandonDelay?: string;
  readonly force?: boolean;
  readonly overrideFreeze?: string;
}

function seconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} ${value}: expected a number of seconds`);
  return n;
}

async function markForDeployment(ctx: CommandContext, service: string, job: string, flags: MarkFlags): Promise<void> {
  const variables = {
    service,
    job,
    group: flags.group ?? null,
    autoRollback: flags.autoRollback ?? null,
    timeout: seconds('--timeout', flags.timeout) ?? null,
    autoCertifyDelay: seconds('--auto-certify-delay', flags.autoCertifyDelay) ?? null,
    autoAbandonDelay: seconds('--auto-abandon-delay', flags.autoAbandonDelay) ?? null,
    force: flags.force ?? null,
    overrideFreeze: flags.overrideFreeze ?? null,
  };
  const data = await ctx.gateway().request<{ markForDeployment: ReleaseChange }>(
    `mutation MarkForDeployment($service: String!, $job: String!, $group: String, $autoRollback: Boolean, $timeout: Float, $autoCertifyDelay: Float, $autoAbandonDelay: Float, $force: Boolean, $overrideFreeze: String) {
      markForDeployment(service: $service, job: $job, group: $group, autoRollback: $autoRollback, timeout: $timeout, autoCertifyDelay: $autoCertifyDelay, autoAbandonDelay: $autoAbandonDelay, force: $force, overrideFreeze: $overrideFreeze) {
        changed sequence release { ${RELEASE_FIELDS} } } }`,
    variables,
  );
  const started = data.markForDeployment.release;
  if (!flags.waitForDeployment) {
    if (ctx.json) ctx.printJson(started);
    else ctx.print(`Release ${started.releaseId} of ${service}: ${started.jobId} ${started.status}`);
    return;
  }
  if (!ctx.json) ctx.print(`Release ${started.releaseId} of ${service} -> ${started.jobId}`);
  const outcome = await followRelease(ctx, started.releaseId);
  if (outcome === 'interrupted') throw new CliFailure(`Interrupted: the release carries on (berth release show ${started.releaseId})`);
  if (ctx.json) ctx.printJson(outcome);
  else ctx.print(`\n${GOOD.has(outcome.status) ? 'Done.' : `Release ${outcome.status}: ${outcome.error ?? outcome.rollbackReason ?? ''}`}`);
  if (!GOOD.has(outcome.status)) throw new BerthCliError('RELEASE_FAILED', `release ${outcome.releaseId} of ${service} ${outcome.status}`, { releaseId: outcome.releaseId });
}

/** Follows releaseProgress, printing each change of a step or of the release, until it ends or Ctrl-C. */
async function followRelease(ctx: CommandContext, releaseId: string): Promise<ReleaseView | 'interrupted'> {
  const printer = ctx.json ? undefined : new ReleaseLinePrinter((line) => ctx.print(line));
  let resolveFinished: (release: ReleaseView) => void = () => undefined;
  const finished = new Promise<ReleaseView>((resolve) => (resolveFinished = resolve));
  const feed = ctx.gateway().subscribe<{ releaseProgress: { release: ReleaseView } }>(
    `subscription ReleaseProgress($id: String!) { releaseProgress(releaseId: $id) { event sequence release { ${RELEASE_FIELDS} } } }`,
    { id: releaseId },
    ({ releaseProgress }) => {
      printer?.update(releaseProgress.release);
      if (FINAL.has(releaseProgress.release.status)) resolveFinished(releaseProgress.release);
    },
  );
  try {
    const closed = feed.done.then((): never => {
      throw new BerthCliError('UNAVAILABLE', 'the gateway ended the release progress stream');
    });
    closed.catch(() => undefined);
    return await Promise.race([finished, ctx.io.interrupted().then(() => 'interrupted' as const), closed]);
  } finally {
    await feed.close();
  }
}

function registerReleaseCommands(program: Command, context: ContextFactory): void {
  program
    .command('mark-for-deployment')
    .summary("start a release of SERVICE's pipeline for JOB")
    .description(
      "Run the pipeline of SERVICE for JOB (a job of the service: 2, svc:2, a full id or a prefix): gates, then each deployment group's rolling update in order. " +
        '--group moves one group only. --wait-for-deployment follows the release live and exits 0 when it is complete, 1 otherwise. Durations in seconds.',
    )
    .argument('<service>', 'the service (job name)')
    .argument('<job>', 'job of the service')
    .option('-g, --group <group>', 'move this one deployment group only')
    .option('--wait-for-deployment', 'follow the release until it ends')
    .option('--timeout <seconds>', 'how long each group step may take')
    .option('--auto-rollback', 'roll every group back when a step fails')
    .option('--auto-certify-delay <seconds>', 'from deployed to complete (default 600 with auto-rollback, else 0)')
    .option('--auto-abandon-delay <seconds>', 'from rolled_back to abandoned (default 600)')
    .option('--force', 'deploy even where this job was rolled back before')
    .option('--override-freeze <reason>', 'start even inside a deploy freeze (the reason is recorded)')
    .action(async (service: string, job: string, flags: MarkFlags, cmd: Command) => {
      await markForDeployment(context(cmd), service, job, flags);
    });

  program
    .command('releases')
    .summary('list releases')
    .description('Releases newest first, or only those of SERVICE.')
    .argument('[service]', 'the service (job name)')
    .action(async (service: string | undefined, _options: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const data = await ctx.gateway().request<{ releases: { items: ReleaseView[] } }>(`query Releases($service: String) { releases(service: $service) { items { ${RELEASE_FIELDS} } } }`, {
        service: service ?? null,
      });
      if (ctx.json) ctx.printJson(data.releases.items);
      else ctx.print(formatReleasesTable(data.releases.items));
    });

  const release = program.command('release').summary('show a release, or advance, roll back, abandon, complete or snooze it, or report a gate; release plans');
  release
    .command('show')
    .summary('a release with its steps')
    .argument('<release>', 'release id or a unique prefix')
    .action(async (ref: string, _options: unknown, cmd: Command) => {
      const ctx = context(cmd);
      printRelease(ctx, await getRelease(ctx, await resolveReleaseId(ctx, ref)));
    });

  const operate = async (cmd: Command, ref: string, mutation: string, extra: { declare: string; pass: string; values: Record<string, unknown> } = { declare: '', pass: '', values: {} }) => {
    const ctx = context(cmd);
    const id = await resolveReleaseId(ctx, ref);
    const data = await ctx.gateway().request<Record<string, ReleaseChange>>(
      `mutation Operate($release: String!${extra.declare}) { ${mutation}(release: $release${extra.pass}) { changed sequence release { ${RELEASE_FIELDS} } } }`,
      { release: id, ...extra.values },
    );
    const change = data[mutation];
    if (!change) throw new Error('the gateway answered without a result');
    printRelease(ctx, change.release, change.changed);
  };
  const simple = (name: string, mutation: string, summary: string) =>
    release
      .command(name)
      .summary(summary)
      .argument('<release>', 'release id or a unique prefix')
      .action(async (ref: string, _options: unknown, cmd: Command) => operate(cmd, ref, mutation));
  simple('advance', 'advanceRelease', 'the manual trigger: start the next stage');
  simple('complete', 'completeRelease', 'certify a deployed release');
  simple('abandon', 'abandonRelease', 'stop driving the release (groups stay as they are)');
  release
    .command('rollback')
    .summary('roll every group the release touched back to its previous job')
    .argument('<release>', 'release id or a unique prefix')
    .option('-m, --message <reason>', 'why')
    .action(async (ref: string, options: { message?: string }, cmd: Command) =>
      operate(cmd, ref, 'rollbackRelease', { declare: ', $reason: String', pass: ', reason: $reason', values: { reason: options.message ?? null } }),
    );
  release
    .command('snooze')
    .summary('push the automatic complete (or abandon) back')
    .argument('<release>', 'release id or a unique prefix')
    .option('--seconds <seconds>', 'how long (default: the delay again)')
    .action(async (ref: string, options: { seconds?: string }, cmd: Command) =>
      operate(cmd, ref, 'snoozeRelease', { declare: ', $seconds: Float', pass: ', seconds: $seconds', values: { seconds: seconds('--seconds', options.seconds) ?? null } }),
    );
  release
    .command('gate')
    .summary("report a gate's verdict for SERVICE's release in flight")
    .argument('<service>', 'the service (job name)')
    .argument('<gate>', 'the gate name')
    .argument('<verdict>', 'pass or fail')
    .option('-m, --message <text>', 'details (the failure reason)')
    .action(async (service: string, gate: string, verdict: string, options: { message?: string }, cmd: Command) => {
      if (verdict !== 'pass' && verdict !== 'fail') throw new UsageError(`verdict "${verdict}": expected pass or fail`);
      const ctx = context(cmd);
      const data = await ctx.gateway().request<{ reportGate: ReleaseChange }>(
        `mutation ReportGate($service: String!, $gate: String!, $passed: Boolean!, $message: String) { reportGate(service: $service, gate: $gate, passed: $passed, message: $message) { changed sequence release { ${RELEASE_FIELDS} } } }`,
        { service, gate, passed: verdict === 'pass', message: options.message ?? null },
      );
      printRelease(ctx, data.reportGate.release);
    });
  registerPlanCommands(release, context);
}

function registerPlanCommands(release: Command, context: ContextFactory): void {
  release
    .command('plan')
    .summary('start a multi-service release from release.yaml')
    .description(
      'Release several services in dependency order (independent ones in parallel): each service is a one-group release whose rollout stages the image first ' +
        'and switches once its quorum of hosts has it. A dependency cycle is refused, named. Prints the plan (see release status).',
    )
    .requiredOption('-f, --file <file>', 'release.yaml (YAML or JSON; - for stdin)')
    .action(async (options: { file: string }, cmd: Command) => {
      const ctx = context(cmd);
      const source = await readSource(ctx, options.file);
      const data = await ctx.gateway().request<{ startReleasePlan: { plan: ReleasePlanView } }>(
        `mutation StartReleasePlan($source: String!) { startReleasePlan(source: $source) { sequence plan { ${PLAN_FIELDS} } } }`,
        { source },
      );
      if (ctx.json) ctx.printJson(data.startReleasePlan.plan);
      else ctx.print(formatReleasePlan(data.startReleasePlan.plan));
    });
  release
    .command('status')
    .summary("a release plan's current, staging and deploy-queue views")
    .argument('<plan>', 'release plan id')
    .action(async (id: string, _options: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const data = await ctx.gateway().request<{ releasePlan: { plan: ReleasePlanView } }>(`query ReleasePlan($id: String!) { releasePlan(id: $id) { plan { ${PLAN_FIELDS} } } }`, { id });
      if (ctx.json) ctx.printJson(data.releasePlan.plan);
      else ctx.print(formatReleasePlan(data.releasePlan.plan));
    });
}

/** PaaSTA's pipelines and releases: pipeline set/show, validate, mark-for-deployment, releases, release …. */
export function registerPipelineAndReleaseCommands(program: Command, context: ContextFactory): void {
  registerPipelineCommands(program, context);
  registerReleaseCommands(program, context);
}
