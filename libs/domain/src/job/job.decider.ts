import type { Decider, DomainCommand, DomainEvent } from '../decider';
import { DomainError, ErrorCode } from '../errors';
import type { Job } from './job';
import { invalidJobDefinition, validateJob } from './job-validator';

/**
 * The job aggregate: one per job id (`name:version:hash`). Creating computes
 * the id from the job, so the caller validates first (or uses `jobIdOf`) to
 * know which aggregate's history to load.
 */
export interface CreateJob extends DomainCommand<'CreateJob'> {
  /** Raw job JSON from the user; validated here. */
  readonly job: unknown;
  /** Recorded as `creatingUser`, like Helios's `?user=`. */
  readonly user?: string;
  /** The scheduler's `--whitelisted-capability` list; default empty (no added capability allowed). */
  readonly whitelistedCapabilities?: readonly string[];
  /** See JobRuleOptions: Helios only checks this in its CLI. */
  readonly rejectGracePeriodWithStaticPorts?: boolean;
}

export interface RemoveJob extends DomainCommand<'RemoveJob'> {
  /** Full id `name:version:hash`. */
  readonly jobId: string;
  /** Must equal the job's token; absent counts as "" (Helios's default for `?token=`). */
  readonly token?: string;
}

export type JobCommand = CreateJob | RemoveJob;

export interface JobCreated extends DomainEvent<'JobCreated'> {
  /** Normalised, with its full id, `created` (epoch ms of the command time) and `creatingUser`. */
  readonly job: Job;
}

export interface JobRemoved extends DomainEvent<'JobRemoved'> {
  readonly jobId: string;
}

export type JobEvent = JobCreated | JobRemoved;

export type JobState =
  | { readonly status: 'absent' }
  | { readonly status: 'created'; readonly job: Job }
  | { readonly status: 'removed'; readonly jobId: string };

function instant(time: string): number {
  const millis = Date.parse(time);
  // a bad time is the caller's bug, not the user's job definition
  if (Number.isNaN(millis)) throw new TypeError(`Command time is not an ISO-8601 instant: ${time}`);
  return millis;
}

/** The job a CreateJob would record: validated, with its full id, creation time and creating user. */
function jobToCreate(command: CreateJob): Job {
  const now = instant(command.time);
  const result = validateJob(command.job, {
    now,
    whitelistedCapabilities: command.whitelistedCapabilities ?? [],
    rejectGracePeriodWithStaticPorts: command.rejectGracePeriodWithStaticPorts ?? false,
  });
  if (!result.ok) throw invalidJobDefinition(result.problems);
  // the server, not the client, says who created the job and when
  const { creatingUser: _supplied, ...job } = result.job;
  return { ...job, created: now, ...(command.user === undefined ? {} : { creatingUser: command.user }) };
}

function createJob(command: CreateJob, state: JobState): JobEvent[] {
  const job = jobToCreate(command);
  if (state.status === 'created') {
    if (state.job.id === job.id) {
      throw new DomainError(ErrorCode.JOB_ALREADY_EXISTS, `Job already exists: ${job.id}`, { jobId: job.id });
    }
    throw new Error(`Job aggregate ${state.job.id} was given a command for job ${job.id}`);
  }
  return [{ type: 'JobCreated', job }];
}

function removeJob(command: RemoveJob, state: JobState): JobEvent[] {
  if (state.status !== 'created' || state.job.id !== command.jobId) {
    throw new DomainError(ErrorCode.JOB_NOT_FOUND, `Job not found: ${command.jobId}`, { jobId: command.jobId });
  }
  // Helios compares exactly, so a token sent for a job without one is refused too
  if ((command.token ?? '') !== state.job.token) {
    throw new DomainError(ErrorCode.FORBIDDEN, `Token does not match for job ${command.jobId}`, { jobId: command.jobId });
  }
  return [{ type: 'JobRemoved', jobId: command.jobId }];
}

function evolve(state: JobState, event: JobEvent): JobState {
  switch (event.type) {
    case 'JobCreated':
      return { status: 'created', job: event.job };
    case 'JobRemoved':
      return { status: 'removed', jobId: event.jobId };
  }
}

/** Helios's job lifecycle. Removing a job that is still deployed (STILL_IN_USE) needs deployments: a later step. */
export const jobDecider: Decider<JobCommand, JobEvent, JobState> = {
  initialState: { status: 'absent' },
  decide(command, state) {
    switch (command.type) {
      case 'CreateJob':
        return createJob(command, state);
      case 'RemoveJob':
        return removeJob(command, state);
    }
  },
  evolve,
};

/** The aggregate a CreateJob targets: the full id of its job. Throws INVALID_JOB_DEFINITION like `decide`. */
export function jobIdOf(command: CreateJob): string {
  return jobToCreate(command).id;
}
