import { DomainError, ErrorCode } from '../errors';
import { parseJobId } from '../job/job-id';

/**
 * How a user names a job. Helios's CLI sends the user's string as `?q=` and
 * takes every job whose full id *contains* it, so `foo:1` is ambiguous as
 * soon as `foo:10` exists. Berth resolves in tiers, most specific first, and
 * stops at the first tier that matches anything:
 *
 *   1. the exact full id `name:version:hash`
 *   2. `name:version` (every hash of that version)
 *   3. `name` alone (every version)
 *   4. a prefix of the full id
 *   5. a substring of the full id (Helios's rule)
 *
 * A tier with several matches is ambiguous; it never falls through to a
 * looser tier, which could only match more.
 */
export type JobReferenceTier = 'exact' | 'name-version' | 'name' | 'prefix' | 'substring';

type Tier = readonly [JobReferenceTier, (id: string) => boolean];

function tiersFor(ref: string): Tier[] {
  const parsed = parseJobId(ref);
  const nameOnly = !ref.includes(':') && ref !== '';
  return [
    ['exact', (id) => id === ref],
    [
      'name-version',
      (id) => {
        const candidate = parseJobId(id);
        return parsed !== undefined && parsed.hash === undefined && candidate?.name === parsed.name && candidate.version === parsed.version;
      },
    ],
    ['name', (id) => nameOnly && parseJobId(id)?.name === ref],
    ['prefix', (id) => id.startsWith(ref)],
    ['substring', (id) => id.includes(ref)],
  ];
}

/** Listing (`berth jobs PATTERN`): every id containing `pattern`, sorted; an empty pattern lists all. */
export function matchJobs(pattern: string, ids: Iterable<string>): string[] {
  return [...new Set(ids)].filter((id) => id.includes(pattern)).sort();
}

/** The ids the first matching tier selects, and which tier that was; none when nothing matches. */
export function jobReferenceCandidates(
  ref: string,
  ids: Iterable<string>,
): { readonly tier?: JobReferenceTier; readonly ids: readonly string[] } {
  const known = [...new Set(ids)].sort();
  if (ref === '') return { ids: [] };
  for (const [tier, matches] of tiersFor(ref)) {
    const found = known.filter(matches);
    if (found.length > 0) return { tier, ids: found };
  }
  return { ids: [] };
}

/**
 * The one job `ref` names. JOB_NOT_FOUND ("Unknown job: X") when none does,
 * AMBIGUOUS_JOB_REFERENCE ("Ambiguous job reference: X", then the candidates
 * and how to name one) when several do — Helios's CLI messages, plus what to do.
 */
export function resolveJob(ref: string, ids: Iterable<string>): string {
  const { tier, ids: found } = jobReferenceCandidates(ref, ids);
  const [first] = found;
  if (first === undefined) {
    throw new DomainError(ErrorCode.JOB_NOT_FOUND, `Unknown job: ${ref}`, { reference: ref });
  }
  if (found.length > 1) {
    throw new DomainError(ErrorCode.AMBIGUOUS_JOB_REFERENCE, ambiguousMessage(ref, found), {
      reference: ref,
      tier,
      candidates: found,
    });
  }
  return first;
}

/** The most candidates an ambiguity message lists (all of them are in the error's details). */
const LISTED_CANDIDATES = 10;

/**
 * "Ambiguous job reference: X matches N jobs: a, b; name one by its full id
 * (name:version:hash) or an id prefix only it has". Creating `name:version`
 * twice with different contents (Helios's own walk-through does) makes this
 * the answer to every later step, so it says which jobs and how to pick one.
 */
function ambiguousMessage(ref: string, candidates: readonly string[]): string {
  const listed = candidates.slice(0, LISTED_CANDIDATES).join(', ');
  const more = candidates.length > LISTED_CANDIDATES ? `, and ${candidates.length - LISTED_CANDIDATES} more` : '';
  return `Ambiguous job reference: ${ref} matches ${candidates.length} jobs: ${listed}${more}; name one by its full id (name:version:hash) or an id prefix only it has`;
}
