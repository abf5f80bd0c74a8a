import { validateJob } from '@berth/domain';
import { Option, type Command } from 'commander';
import { collect, type CommandContext, type ContextFactory } from '../context';
import { BerthCliError, CliFailure, UsageError } from '../errors';
import { mergeJob, type CreateFlags, type JobInput } from '../job-flags';
import { CHANGE_FIELDS, getJob, listJobs, type ChangeView, type JobView } from '../queries';
import { formatCommand, formatPairs, formatTable, shortJobId } from '../table';
import { formatJobDetails } from './job-details';

interface CreateOptions extends Omit<CreateFlags, 'id' | 'image' | 'command'> {
  readonly file?: string;
  readonly template?: string;
  readonly quiet?: boolean;
  readonly ignoreUnknownFields?: boolean;
}

export function registerJobCommands(program: Command, context: ContextFactory): void {
  program
    .command('create')
    .summary('create a job')
    .description(
      'Create a job from NAME:VERSION IMAGE [-- COMMAND…], a job file (-f) or an existing job (-t). ' +
        'Command-line values are merged over the file or template (maps key by key, the command line winning). ' +
        'Prints "Creating job: {json}", "Done." and the job id.',
    )
    .argument('[id]', 'job name:version (a :hash is recomputed)')
    .argument('[image]', 'Docker image')
    .argument('[command...]', 'command and arguments, after --')
    .addOption(new Option('-f, --file <file>', 'job file (JSON, the format of inspect --json); "-" reads stdin').conflicts('template'))
    .option('-t, --template <job>', 'start from an existing job (its fields, a new NAME:VERSION)')
    .option('-q, --quiet', 'print only the job id')
    .option('--ignore-unknown-fields', 'accept a job file with fields Berth does not know, ignoring them (as Helios did); by default they are an error')
    .option('--env <KEY=VALUE>', 'environment variable (repeatable)', collect)
    .option('-m, --metadata <KEY=VALUE>', 'metadata (repeatable)', collect)
    .option('-p, --port <name=[ip:]internal[:external][/proto]>', 'port mapping; no external port: dynamic (repeatable)', collect)
    .option('-r, --register <service[/proto][=port]>', 'service registration; proto defaults to http (repeatable)', collect)
    .option('--volume <[source:]containerPath[:ro|rw]>', 'volume (repeatable)', collect)
    .option('--labels <KEY=VALUE>', 'Docker container label (repeatable)', collect)
    .option('--security-opt <opt>', 'Docker security option (repeatable)', collect)
    .option('--add-capability <cap>', 'Linux capability to add (repeatable)', collect)
    .option('--drop-capability <cap>', 'Linux capability to drop (repeatable)', collect)
    .option('--token <token>', 'token that deploy, undeploy, start, stop and remove must then present')
    .option('--hostname <name>', 'container hostname')
    .option('--grace-period <seconds>', 'seconds between deregistration and stop')
    .option('-e, --expires <ISO-8601>', 'time after which the job is undeployed everywhere and removed')
    .option('--network-mode <mode>', 'bridge, host, none or container:<name|id>')
    .option('--registration-domain <domain>', 'domain the job registers in')
    .option('--runtime <runtime>', 'Docker runtime, e.g. nvidia')
    .option('--http-check <port:path>', 'HTTP health check on a named port')
    .option('--tcp-check <port>', 'TCP health check on a named port')
    .option('--exec-check <command>', 'health check command run in the container')
    .action(async (id: string | undefined, image: string | undefined, command: string[], options: CreateOptions, cmd: Command) => {
      await createJob(context(cmd), { ...options, ...(id !== undefined ? { id } : {}), ...(image !== undefined ? { image } : {}), command });
    });

  program
    .command('inspect')
    .summary('show a job')
    .description('Show a job: every field in Helios\'s layout, or the full job file with --json.')
    .argument('<job>', 'job id, name:version, name or id prefix')
    .action(async (ref: string, _options: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const job = await getJob(ctx.gateway(), ref);
      if (ctx.json) ctx.printJson(job.job);
      else ctx.print(formatJobDetails(job.job));
    });

  program
    .command('jobs')
    .summary('list jobs')
    .description('List jobs whose id matches PATTERN (id, name:version, name, prefix or substring).')
    .argument('[pattern]', 'job pattern')
    .option('-q, --quiet', 'print only job ids')
    .option('-y, --deployed', 'only jobs deployed on at least one host')
    .option('-f, --full', 'full job ids')
    .action(async (pattern: string | undefined, options: { quiet?: boolean; deployed?: boolean; full?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const jobs = await listJobs(ctx.gateway(), { ...(pattern ? { pattern } : {}), ...(options.deployed ? { deployed: true } : {}) });
      if (ctx.json) ctx.printJson(Object.fromEntries(jobs.map((j) => [j.id, j.job])));
      if (jobs.length === 0 && pattern) throw new CliFailure(ctx.json ? '' : `job pattern ${pattern} matched no jobs`, 'stdout');
      if (ctx.json) return;
      if (options.quiet) {
        for (const job of jobs) ctx.print(job.id);
        return;
      }
      ctx.print(formatJobsTable(jobs, options.full === true));
    });

  program
    .command('remove')
    .summary('remove a job')
    .description('Remove a job. It must not be deployed anywhere (STILL_IN_USE). Asks first unless --yes.')
    .argument('<job>', 'job id, name:version, name or id prefix')
    .option('--token <token>', "the job's token")
    .option('--yes', 'do not ask')
    .action(async (ref: string, options: { token?: string; yes?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const gateway = ctx.gateway();
      const job = await getJob(gateway, ref);
      if (!options.yes && !(await ctx.io.confirm(`This will remove the job ${job.id}\nDo you want to continue? [y/N] `))) throw new CliFailure('Aborted.');
      const { removeJob } = await gateway.request<{ removeJob: ChangeView }>(
        `mutation Remove($job: String!, $token: String) { removeJob(job: $job, token: $token) { ${CHANGE_FIELDS} } }`,
        { job: job.id, token: options.token ?? null },
      );
      if (ctx.json) ctx.printJson({ status: 'REMOVED', jobId: job.id, sequence: removeJob.sequence });
      else ctx.print(`Removing job ${job.id}: done`);
    });
}

export function formatJobsTable(jobs: readonly JobView[], full: boolean): string {
  const rows = jobs.map((j) => [
    shortJobId(j.id, full),
    j.name,
    j.version,
    String(j.deployments.length),
    formatCommand(Array.isArray(j.job['command']) ? (j.job['command'] as unknown[]).map(String) : []),
    formatPairs((j.job['env'] ?? {}) as Record<string, unknown>),
  ]);
  return formatTable(['JOB ID', 'NAME', 'VERSION', 'HOSTS', 'COMMAND', 'ENVIRONMENT'], rows);
}

/** The job `create` sends: the file or template, the flags over it, the hash dropped (the server computes it). */
export async function buildCreateInput(ctx: CommandContext, options: CreateOptions & Pick<CreateFlags, 'id' | 'image' | 'command'>): Promise<JobInput> {
  let base: JobInput = {};
  if (options.file !== undefined) base = await readJobFile(ctx, options.file);
  else if (options.template !== undefined) {
    const { id: _id, created: _created, creatingUser: _user, ...template } = (await getJob(ctx.gateway(), options.template)).job;
    base = template;
    if (options.id === undefined) throw new UsageError('give NAME:VERSION for the job created from template ' + options.template);
  } else if (options.id === undefined || options.image === undefined) {
    throw new UsageError('give NAME:VERSION and IMAGE, or a job file with -f, or a template job with -t');
  }
  const job = mergeJob(base, options, ctx.io.env);
  const id = job['id'];
  if (typeof id === 'string') job['id'] = id.split(':').slice(0, 2).join(':');
  return job;
}

async function readJobFile(ctx: CommandContext, file: string): Promise<JobInput> {
  const text = file === '-' ? await ctx.io.readStdin() : ctx.io.readFile(file);
  if (text === undefined) throw new UsageError(`cannot read job file ${file}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new BerthCliError('INVALID_JOB_DEFINITION', `job file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BerthCliError('INVALID_JOB_DEFINITION', `job file ${file} must hold a JSON object`);
  return parsed as JobInput;
}

async function createJob(ctx: CommandContext, options: CreateOptions & Pick<CreateFlags, 'id' | 'image' | 'command'>): Promise<void> {
  const input = await buildCreateInput(ctx, options);
  // checked here first, as Helios's CLI does, so that nothing is sent for a job the server would refuse
  const checked = validateJob(input, { now: ctx.io.now(), checkHash: false, checkCapabilities: false, rejectGracePeriodWithStaticPorts: true });
  // a misspelt field (healtCheck) silently ignored would deploy a job without what the user asked for
  if (checked.ignored.length > 0 && options.ignoreUnknownFields !== true) {
    throw new BerthCliError('INVALID_JOB_DEFINITION', `Unknown job field(s): ${checked.ignored.join(', ')} (check the spelling; --ignore-unknown-fields ignores them)`, { unknownFields: checked.ignored });
  }
  if (checked.ignored.length > 0) ctx.warn(`Warning: unknown job field(s) ignored: ${checked.ignored.join(', ')}`);
  if (!checked.ok) {
    const summary = checked.problems.map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`)).join('; ');
    throw new BerthCliError('INVALID_JOB_DEFINITION', `Invalid job definition: ${summary}`, { problems: checked.problems });
  }
  const quiet = options.quiet === true || ctx.json;
  if (!quiet) ctx.print(`Creating job: ${JSON.stringify(checked.job)}`);
  const { createJob: change } = await ctx.gateway().request<{ createJob: ChangeView }>(
    `mutation Create($job: JSON!) { createJob(job: $job) { ${CHANGE_FIELDS} } }`,
    { job: input },
  );
  const jobId = change.jobId ?? String(change.result['jobId'] ?? '');
  if (ctx.json) ctx.printJson({ status: 'OK', id: jobId, sequence: change.sequence });
  else if (options.quiet) ctx.print(jobId);
  else ctx.print(`Done.\n${jobId}`);
}
