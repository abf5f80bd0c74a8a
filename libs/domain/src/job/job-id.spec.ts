import fc from 'fast-check';
import { canonicalJson } from '../canonical-json';
import { ErrorCode } from '../errors';
import { sha1Hex } from '../sha1';
import { JOB_FIELDS, type Job } from './job';
import {
  assertJobIdHash,
  computeJobHash,
  computeJobId,
  formatJobId,
  jobIdHashProblems,
  parseJobId,
  withComputedJobId,
} from './job-id';
import { validateJob } from './job-validator';

const NOW = Date.parse('2024-01-01T00:00:00Z');

function idOf(input: unknown): string {
  const result = validateJob(input, { now: NOW, checkCapabilities: false });
  if (!result.ok) throw new Error(`invalid: ${JSON.stringify(result.problems)}`);
  return result.job.id;
}

describe('parseJobId / formatJobId', () => {
  it('parses name:version and name:version:hash', () => {
    expect(parseJobId('svc:1.0')).toEqual({ name: 'svc', version: '1.0' });
    expect(parseJobId('svc:1.0:abc')).toEqual({ name: 'svc', version: '1.0', hash: 'abc' });
  });
  it.each(['', 'svc', ':1', 'svc:', 'svc:1:', 'a:b:c:d'])('rejects %j', (text) => {
    expect(parseJobId(text)).toBeUndefined();
  });
  it('formats what it parses', () => {
    for (const text of ['svc:1', 'svc:1:abc']) expect(formatJobId(parseJobId(text) ?? { name: '', version: '' })).toBe(text);
  });
});

describe('job id hash', () => {
  it('is sha1hex("name:version:" + sha1hex(canonical JSON of the normalised spec))', () => {
    // the normalised spec of {id: "svc:1", image: "busybox:1", env: {B: "2", A: "1"}}, written out by hand
    const spec =
      '{"addCapabilities":[],"command":[],"dropCapabilities":[],"env":{"A":"1","B":"2"},"image":"busybox:1",' +
      '"labels":{},"metadata":{},"ports":{},"ramdisks":{},"registration":{},"registrationDomain":"",' +
      '"securityOpt":[],"token":"","volumes":{}}';
    const expected = `svc:1:${sha1Hex(`svc:1:${sha1Hex(spec)}`)}`;
    expect(idOf({ id: 'svc:1', image: 'busybox:1', env: { B: '2', A: '1' } })).toBe(expected);
  });

  it('is pinned for a simple job, so a change of scheme is noticed', () => {
    // computed once with node's crypto over the canonical spec written out in the test above (env {})
    expect(idOf({ id: 'svc:1', image: 'busybox:1' })).toBe('svc:1:320bec517545a7ecdc86f83f6f0bf610e11ff9b3');
  });

  it('covers name and version through the prefix', () => {
    const spec = { id: 'svc:1', image: 'busybox:1' };
    expect(idOf(spec).split(':')[2]).not.toBe(idOf({ ...spec, id: 'svc:2' }).split(':')[2]);
    expect(idOf(spec).split(':')[2]).not.toBe(idOf({ ...spec, id: 'svd:1' }).split(':')[2]);
  });

  it('ignores id, created and creatingUser, which the server stamps', () => {
    const job = { id: 'svc:1', image: 'busybox:1' };
    expect(idOf({ ...job, created: 1, creatingUser: 'ana' })).toBe(idOf(job));
  });

  it('does not distinguish an omitted field from its Helios default', () => {
    const explicit = { command: [], env: {}, ports: {}, registration: {}, registrationDomain: '', volumes: {}, token: '' };
    expect(idOf({ id: 'svc:1', image: 'busybox:1', ...explicit })).toBe(idOf({ id: 'svc:1', image: 'busybox:1' }));
    expect(idOf({ id: 'svc:1', image: 'b', ports: { p: { internalPort: 1, protocol: 'tcp' } } })).toBe(
      idOf({ id: 'svc:1', image: 'b', ports: { p: { internalPort: 1 } } }),
    );
  });
});

describe('id helpers on a normalised job', () => {
  const result = validateJob({ id: 'svc:1', image: 'busybox:1', env: { A: '1' } }, { now: NOW });
  const job: Job = result.ok ? result.job : ({} as Job);

  it('computeJobId / withComputedJobId fill in the hash of a job without one', () => {
    expect(result.ok).toBe(true);
    const unhashed = { ...job, id: 'svc:1' };
    expect(computeJobId(unhashed)).toBe(job.id);
    expect(withComputedJobId(unhashed)).toEqual(job);
    expect(computeJobHash('svc', '1', job)).toBe(job.id.split(':')[2]);
  });

  it('accepts a matching or missing hash', () => {
    expect(jobIdHashProblems(job)).toEqual([]);
    expect(jobIdHashProblems({ ...job, id: 'svc:1' })).toEqual([]);
    expect(() => assertJobIdHash(job)).not.toThrow();
  });

  it('reports a hash that does not match the spec as INVALID_JOB_DEFINITION "Id hash mismatch: a != b"', () => {
    const changed = { ...job, env: { A: '2' } };
    const expected = computeJobHash('svc', '1', changed);
    const message = `Id hash mismatch: ${job.id.split(':')[2]} != ${expected}`;
    expect(jobIdHashProblems(changed)).toEqual([{ path: 'id', message }]);
    expect(() => assertJobIdHash(changed)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_JOB_DEFINITION, message }));
  });

  it('refuses an id it cannot parse', () => {
    expect(() => computeJobId({ ...job, id: 'svc' })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_JOB_DEFINITION }));
  });
});

/** Same JSON with every object's keys in another order, chosen by `salt`. */
function reorderKeys(value: unknown, salt: number): unknown {
  if (Array.isArray(value)) return value.map((item: unknown) => reorderKeys(item, salt));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).map(([key, member]): [string, unknown] => [key, reorderKeys(member, salt)]);
  const ranked = entries.map((entry): [string, [string, unknown]] => [sha1Hex(`${salt}:${entry[0]}`), entry]);
  return Object.fromEntries(ranked.sort(([a], [b]) => (a < b ? -1 : 1)).map(([, entry]) => entry));
}

const word = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
const text = fc.string({ maxLength: 12 });
const stringMap = fc.dictionary(text, text, { maxKeys: 4 });

/** A valid value for each job field (capabilities are not checked in these properties). */
const fieldValues = {
  image: fc.tuple(word, fc.option(word, { nil: undefined })).map(([repo, tag]) => (tag ? `${repo}:${tag}` : repo)),
  hostname: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
  command: fc.array(text, { maxLength: 4 }),
  env: stringMap,
  resources: fc.record(
    { memory: fc.integer({ min: 1 }), memorySwap: fc.integer({ min: 1 }), cpuShares: fc.integer({ min: 1 }), cpuset: text },
    { requiredKeys: [] },
  ),
  ports: fc.dictionary(
    word,
    fc.record({ internalPort: fc.integer({ min: 0, max: 65535 }), protocol: fc.constantFrom('tcp', 'udp') }),
    { maxKeys: 3 },
  ),
  registrationDomain: text,
  gracePeriod: fc.nat(),
  volumes: fc.dictionary(word.map((w) => `/${w}`), fc.oneof(fc.constant(''), word, word.map((w) => `/${w}`)), { maxKeys: 3 }),
  expires: fc.integer({ min: NOW, max: NOW + 1e12 }).map((ms) => new Date(ms).toISOString()),
  token: text,
  healthCheck: fc.array(text, { minLength: 1, maxLength: 3 }).map((command) => ({ type: 'exec', command })),
  securityOpt: fc.array(text, { maxLength: 3 }),
  networkMode: fc.oneof(fc.constantFrom('bridge', 'host'), word.map((w) => `container:${w}`)),
  metadata: stringMap,
  addCapabilities: fc.uniqueArray(word, { maxLength: 3 }),
  dropCapabilities: fc.uniqueArray(word, { maxLength: 3 }),
  labels: stringMap,
  secondsToWaitBeforeKill: fc.nat(),
  ramdisks: fc.dictionary(word.map((w) => `/ram/${w}`), text, { maxKeys: 3 }),
  rolloutOptions: fc.record(
    {
      migrate: fc.boolean(),
      parallelism: fc.integer({ min: 1 }),
      timeout: fc.integer({ min: 1 }),
      overlap: fc.boolean(),
      token: text,
      ignoreFailures: fc.boolean(),
    },
    { requiredKeys: [] },
  ),
  runtime: text,
} as const;
type Field = keyof typeof fieldValues;
const fields = Object.keys(fieldValues) as Field[];

const jobInput = fc.record(fieldValues, { requiredKeys: ['image'] }).map((fieldsOf) => ({ id: 'svc:1', ...fieldsOf }));

function specText(input: unknown): string {
  const result = validateJob(input, { now: NOW, checkCapabilities: false });
  if (!result.ok) throw new Error(`invalid: ${JSON.stringify(result.problems)}`);
  const { id: _id, ...spec } = result.job;
  return canonicalJson(spec);
}

describe('job id properties', () => {
  it('does not depend on key order', () => {
    fc.assert(
      fc.property(jobInput, fc.integer(), (input, salt) => {
        expect(idOf(reorderKeys(input, salt))).toBe(idOf(input));
      }),
    );
  });

  it('changes when any field changes (and only then)', () => {
    const mutation = fc.constantFrom(...fields).chain((field) =>
      fc.tuple(fc.constant(field), fieldValues[field] as fc.Arbitrary<unknown>),
    );
    fc.assert(
      fc.property(jobInput, mutation, (input, [field, value]) => {
        const changed = { ...input, [field]: value };
        const sameSpec = specText(changed) === specText(input);
        expect(idOf(changed) === idOf(input)).toBe(sameSpec);
      }),
      { numRuns: 300 },
    );
  });

  it.each(fields)('changes when %s changes', (field) => {
    // the first two sampled values of the field whose normalised forms differ
    const inputs = fc
      .sample(fieldValues[field] as fc.Arbitrary<unknown>, { numRuns: 30, seed: 42 })
      .map((value) => ({ id: 'svc:1', image: 'busybox:1', [field]: value }));
    const first = inputs[0];
    const other = inputs.find((input) => specText(input) !== specText(first));
    expect(other).toBeDefined();
    expect(idOf(other)).not.toBe(idOf(first));
  });

  it('these properties cover every hashed field of a job', () => {
    const hashed = JOB_FIELDS.filter((field) => !['id', 'created', 'creatingUser'].includes(field));
    expect([...fields, 'registration'].sort()).toEqual([...hashed].sort());
  });

  it('changes when registration changes', () => {
    const base = { id: 'svc:1', image: 'busybox:1', ports: { http: { internalPort: 80 }, admin: { internalPort: 81 } } };
    const ids = [
      {},
      { 'web/http': { ports: { http: {} } } },
      { 'web/tcp': { ports: { http: {} } } },
      { 'api/http': { ports: { http: {} } } },
      { 'web/http': { ports: { admin: {} } } },
      { 'web/http': { ports: { http: { tags: ['a'] } } } },
    ].map((registration) => idOf({ ...base, registration }));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
