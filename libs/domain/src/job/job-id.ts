import { canonicalJson } from '../canonical-json';
import { DomainError, ErrorCode, type Problem } from '../errors';
import { sha1Hex } from '../sha1';
import type { Job, JobSpec } from './job';

/**
 * Job ids are Helios's `name:version:hash`. The hash makes an id name the
 * exact job: any change to the spec gives a new id, so "the same job" can
 * never silently mean different containers.
 *
 * Hash scheme (Helios's, with our canonical JSON):
 *   hash = sha1hex(name + ":" + version + ":" + sha1hex(canonicalJson(spec)))
 * where `spec` is the *normalised* job (defaults filled in, see job.ts)
 * without `id`, `created` and `creatingUser`, and canonicalJson sorts keys
 * recursively with no whitespace. Key order and omitted-vs-default fields
 * therefore never change the id. The digits differ from Helios's own (its
 * Jackson JSON spells nulls and defaults differently), so ids are stable
 * within Berth, not byte-compatible with a Helios master.
 */
export interface JobId {
  readonly name: string;
  readonly version: string;
  /** Absent when the client leaves it to the server. */
  readonly hash?: string;
}

/** `name:version[:hash]` → parts; undefined when a part is empty or there are too many. */
export function parseJobId(text: string): JobId | undefined {
  const parts = text.split(':');
  const [name, version, hash] = parts;
  if (parts.length > 3 || !name || !version || hash === '') return undefined;
  return hash === undefined ? { name, version } : { name, version, hash };
}

export function formatJobId(id: JobId): string {
  return id.hash === undefined ? `${id.name}:${id.version}` : `${id.name}:${id.version}:${id.hash}`;
}

/** The hashed part of a job. */
export function jobSpecOf(job: JobSpec & Partial<Pick<Job, 'id' | 'created' | 'creatingUser'>>): JobSpec {
  const { id: _id, created: _created, creatingUser: _creatingUser, ...spec } = job;
  return spec;
}

export function computeJobHash(name: string, version: string, spec: JobSpec): string {
  return sha1Hex(`${name}:${version}:${sha1Hex(canonicalJson(jobSpecOf(spec)))}`);
}

function requireJobId(job: Job): JobId {
  const id = parseJobId(job.id);
  if (id === undefined) {
    throw new DomainError(ErrorCode.INVALID_JOB_DEFINITION, `Invalid job id: ${job.id}`, {
      problems: [{ path: 'id', message: `Invalid job id: ${job.id}` }],
    });
  }
  return id;
}

/** The full id this job should have: its name and version plus the hash of its spec. */
export function computeJobId(job: Job): string {
  const { name, version } = requireJobId(job);
  return formatJobId({ name, version, hash: computeJobHash(name, version, job) });
}

/** The job with its id completed (or corrected) to `name:version:hash`: what the server does when the hash is missing. */
export function withComputedJobId(job: Job): Job {
  return { ...job, id: computeJobId(job) };
}

/** A problem if the job's id carries a hash that is not the hash of its spec. */
export function jobIdHashProblems(job: Job): Problem[] {
  const supplied = requireJobId(job).hash;
  const expected = parseJobId(computeJobId(job))?.hash;
  if (supplied === undefined || supplied === expected) return [];
  return [{ path: 'id', message: `Id hash mismatch: ${supplied} != ${expected}` }];
}

/** Throws INVALID_JOB_DEFINITION ("Id hash mismatch: a != b") if the supplied hash is wrong. */
export function assertJobIdHash(job: Job): void {
  const problems = jobIdHashProblems(job);
  const [first] = problems;
  if (first !== undefined) throw new DomainError(ErrorCode.INVALID_JOB_DEFINITION, first.message, { problems });
}

const NAME_VERSION = /^[0-9a-zA-Z\-_.]+$/;

function namePartProblems(name: string, version: string, idText: string): string[] {
  const messages: string[] = [];
  if (name === '') messages.push('Job name was not specified.');
  else if (!NAME_VERSION.test(name)) messages.push(`Job name may only contain [0-9a-zA-Z-_.] in job name [${name}].`);
  if (version === '') messages.push(`Job version was not specified in job id [${idText}].`);
  else if (!NAME_VERSION.test(version)) {
    messages.push(`Job version may only contain [0-9a-zA-Z-_.] in job version [${version}].`);
  }
  return messages;
}

/**
 * Helios's id rules, as problems at path `id`: name and version present and
 * in `[0-9a-zA-Z-_.]`, the hash without ':' and, when supplied (and
 * `checkHash`), equal to the hash of `spec`. Returns the full id to store
 * when the rules hold.
 */
export function checkJobIdentity(
  idText: string | undefined,
  spec: JobSpec,
  checkHash: boolean,
): { readonly problems: Problem[]; readonly id?: string } {
  if (idText === undefined) return { problems: [{ path: 'id', message: 'Job id was not specified.' }] };
  const [name = '', version = '', ...rest] = idText.split(':');
  const supplied = rest.length === 0 ? '' : rest.join(':');
  const messages = namePartProblems(name, version, idText);
  const hash = computeJobHash(name, version, spec);
  if (supplied.includes(':')) messages.push(`Job hash contains colon in job id [${idText}].`);
  else if (checkHash && supplied !== '' && supplied !== hash) messages.push(`Id hash mismatch: ${supplied} != ${hash}`);
  if (messages.length > 0) return { problems: messages.map((message) => ({ path: 'id', message })) };
  return { problems: [], id: formatJobId({ name, version, hash }) };
}
