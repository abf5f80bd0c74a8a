import type { Problem } from '../errors';
import { DomainError, ErrorCode } from '../errors';
import type { Job } from './job';
import { checkJobIdentity, jobSpecOf } from './job-id';
import { readJob, type JobDraft } from './job-reader';
import { jobRuleProblems, type JobRuleOptions } from './job-rules';

export interface JobValidationOptions extends JobRuleOptions {
  /**
   * Whether a hash supplied in the id must match the job (Helios's master:
   * yes; its CLI: no). A missing hash is always computed; with `false` a wrong
   * one is replaced.
   */
  readonly checkHash?: boolean;
}

export type JobValidationResult =
  | { readonly ok: true; readonly job: Job; readonly ignored: readonly string[] }
  | { readonly ok: false; readonly problems: readonly Problem[]; readonly ignored: readonly string[] };

/**
 * Raw JSON from a user → a normalised `Job` with its full id, or every
 * problem found (types, Helios's rules, identity), never just the first.
 *
 * Unknown properties are ignored, as Helios ignores them, so that job files
 * written for Helios or by newer clients keep working; their paths are
 * returned in `ignored` so that a client can warn about a likely typo
 * (`healtCheck`) without the server refusing the job. They are not part of
 * the job, so they do not change its id.
 */
export function validateJob(input: unknown, options: JobValidationOptions): JobValidationResult {
  const reading = readJob(input);
  const { id: idText, ...rest } = reading.draft;
  const draft: JobDraft = rest;
  const problems = [...reading.problems, ...jobRuleProblems(draft, options)];
  const image = draft.image ?? '';
  // a missing or ill-typed id was reported by the reader
  const identity =
    idText === undefined ? { problems: [] } : checkJobIdentity(idText, jobSpecOf({ ...draft, image }), options.checkHash ?? true);
  problems.push(...identity.problems);
  if (problems.length > 0 || identity.id === undefined) {
    return { ok: false, problems, ignored: reading.ignored };
  }
  return { ok: true, job: { ...draft, image, id: identity.id }, ignored: reading.ignored };
}

/** The DomainError a transport returns for these problems: INVALID_JOB_DEFINITION with `details.problems`. */
export function invalidJobDefinition(problems: readonly Problem[]): DomainError {
  const summary = problems.map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`)).join('; ');
  return new DomainError(ErrorCode.INVALID_JOB_DEFINITION, `Invalid job definition: ${summary}`, { problems });
}

/** `validateJob` that throws INVALID_JOB_DEFINITION (listing every problem) instead of returning them. */
export function parseJob(input: unknown, options: JobValidationOptions): Job {
  const result = validateJob(input, options);
  if (!result.ok) throw invalidJobDefinition(result.problems);
  return result.job;
}
