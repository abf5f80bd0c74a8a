import { ErrorCode, type DomainError } from '../errors';
import { jobReferenceCandidates, matchJobs, resolveJob } from './job-reference';

const h = (digit: string): string => digit.repeat(40);
const ids = [
  `foo:1:${h('a')}`,
  `foo:10:${h('b')}`,
  `foo:2:${h('c')}`,
  `foo:2:${h('d')}`,
  `barfoo:1:${h('e')}`,
  `web:1:${h('f')}`,
  `web-admin:1:${h('1')}`,
];

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected a DomainError');
}

describe('job reference: resolveJob', () => {
  it('resolves an exact full id, even when it is a prefix/substring of nothing else', () => {
    expect(resolveJob(`foo:1:${h('a')}`, ids)).toBe(`foo:1:${h('a')}`);
  });

  it('resolves name:version to its only job, although foo:10 and barfoo:1 contain "foo:1" (Helios would say ambiguous)', () => {
    expect(resolveJob('foo:1', ids)).toBe(`foo:1:${h('a')}`);
    expect(jobReferenceCandidates('foo:1', ids).tier).toBe('name-version');
  });

  it('name:version with several hashes is ambiguous, listing the candidates', () => {
    const error = errorOf(() => resolveJob('foo:2', ids));
    expect(error.code).toBe(ErrorCode.AMBIGUOUS_JOB_REFERENCE);
    expect(error.message).toBe(`Ambiguous job reference: foo:2 matches 2 jobs: foo:2:${h('c')}, foo:2:${h('d')}; name one by its full id (name:version:hash) or an id prefix only it has`);
    expect(error.details).toEqual({ reference: 'foo:2', tier: 'name-version', candidates: [`foo:2:${h('c')}`, `foo:2:${h('d')}`] });
  });

  it('a name alone resolves when it has one version, and is ambiguous with several', () => {
    expect(resolveJob('web', ids)).toBe(`web:1:${h('f')}`);
    expect(jobReferenceCandidates('web', ids).tier).toBe('name');
    const error = errorOf(() => resolveJob('foo', ids));
    expect(error.code).toBe(ErrorCode.AMBIGUOUS_JOB_REFERENCE);
    expect(error.details['candidates']).toEqual([`foo:10:${h('b')}`, `foo:1:${h('a')}`, `foo:2:${h('c')}`, `foo:2:${h('d')}`]);
    expect(error.message).toContain(`matches 4 jobs: foo:10:${h('b')}, foo:1:${h('a')}, foo:2:${h('c')}, foo:2:${h('d')};`);
  });

  it('an ambiguity names at most 10 candidates and counts the rest (all are in the details)', () => {
    const many = Array.from({ length: 12 }, (_, i) => `many:${i + 1}:${h(String(i % 10))}`);
    const error = errorOf(() => resolveJob('many', many));
    expect(error.message).toMatch(/^Ambiguous job reference: many matches 12 jobs: (many:\d+:[0-9a-f]+, ){9}many:\d+:[0-9a-f]+, and 2 more; name one by its full id/);
    expect(error.details['candidates']).toHaveLength(12);
  });

  it('falls back to an id prefix, then to a substring (Helios rule)', () => {
    expect(resolveJob('web-ad', ids)).toBe(`web-admin:1:${h('1')}`);
    expect(jobReferenceCandidates('web-ad', ids).tier).toBe('prefix');
    expect(resolveJob(`foo:1:${h('a').slice(0, 7)}`, ids)).toBe(`foo:1:${h('a')}`);
    expect(resolveJob('rfoo', ids)).toBe(`barfoo:1:${h('e')}`);
    expect(jobReferenceCandidates('rfoo', ids).tier).toBe('substring');
    expect(resolveJob(h('f').slice(0, 12), ids)).toBe(`web:1:${h('f')}`);
  });

  it('an ambiguous prefix or substring is ambiguous', () => {
    expect(errorOf(() => resolveJob('we', ids)).code).toBe(ErrorCode.AMBIGUOUS_JOB_REFERENCE);
    expect(errorOf(() => resolveJob(':1:', ids)).code).toBe(ErrorCode.AMBIGUOUS_JOB_REFERENCE);
  });

  it('JOB_NOT_FOUND ("Unknown job: X") when nothing matches, or for an empty reference', () => {
    const error = errorOf(() => resolveJob('nope', ids));
    expect(error.code).toBe(ErrorCode.JOB_NOT_FOUND);
    expect(error.message).toBe('Unknown job: nope');
    expect(errorOf(() => resolveJob('', ids)).code).toBe(ErrorCode.JOB_NOT_FOUND);
    expect(errorOf(() => resolveJob('web', [])).code).toBe(ErrorCode.JOB_NOT_FOUND);
  });
});

describe('job reference: matchJobs (listing)', () => {
  it('lists every id containing the pattern, sorted, as Helios `jobs PATTERN` does', () => {
    expect(matchJobs('foo:1', ids)).toEqual([`barfoo:1:${h('e')}`, `foo:10:${h('b')}`, `foo:1:${h('a')}`]);
    expect(matchJobs('web', ids)).toEqual([`web-admin:1:${h('1')}`, `web:1:${h('f')}`]);
    expect(matchJobs('zzz', ids)).toEqual([]);
  });

  it('an empty pattern lists every job once', () => {
    expect(matchJobs('', [...ids, ...ids])).toEqual([...ids].sort());
  });
});
