import fc from 'fast-check';
import { matchJobs, type DeploymentState, type Job } from '@berth/domain';
import { Aggregate, BerthView, createBerthProjection, deploymentRow, type BerthProjection } from './berth-projection';
import { BerthQueries, splitJobId, type JobFilter, type JobRow } from './berth-queries';

const time = '2026-01-01T00:00:00.000Z';

/** Folds one event into `projection` straight away, as the store would deliver it next. */
function emit(projection: BerthProjection, aggregate: string, aggregateId: string, type: string, data: object): void {
  const sequence = projection.sequence + 1;
  const version = projection.viewOf(aggregate, aggregateId).version + 1;
  projection.apply({ id: `e${sequence}`, type, schemaVersion: 1, aggregate, aggregateId, time, actor: 'test', correlationId: 'c', causationId: 'c', data, sequence, version });
}

const jobOf = (id: string): Job => ({ id, image: 'busybox' }) as Job;
const createJob = (p: BerthProjection, id: string) => emit(p, Aggregate.JOB, id, 'JobCreated', { job: jobOf(id) });
const removeJob = (p: BerthProjection, id: string) => emit(p, Aggregate.JOB, id, 'JobRemoved', { jobId: id });
const deploy = (p: BerthProjection, id: string, host: string) =>
  emit(p, Aggregate.DEPLOYMENT, host, 'JobDeployed', { host, jobId: id, goal: 'START', ports: {}, protocols: {}, token: '', time });
const undeploy = (p: BerthProjection, id: string, host: string) => emit(p, Aggregate.DEPLOYMENT, host, 'JobUndeployed', { host, jobId: id, time });
const clearHost = (p: BerthProjection, host: string) => emit(p, Aggregate.DEPLOYMENT, host, 'HostDeploymentsCleared', { host, jobIds: [], time });
const reportRunning = (p: BerthProjection, id: string, host: string) =>
  emit(p, Aggregate.DEPLOYMENT, host, 'TaskStatusChanged', {
    host,
    jobId: id,
    status: { jobId: id, goal: 'START', state: 'RUNNING', throttled: 'NO', ports: {}, time },
  });

/** The straightforward answer: every created job's full row, sorted, then filtered (what `jobs` did before the index). */
function referenceJobs(projection: BerthProjection, filter: JobFilter): JobRow[] {
  const jobs = new BerthView(projection).jobs();
  const ids = (filter.pattern ? matchJobs(filter.pattern, jobs.keys()) : [...jobs.keys()]).sort();
  const deploymentsOf = (id: string) =>
    [...projection.all(Aggregate.DEPLOYMENT)].flatMap(([host, view]) => {
      const d = (view.state as DeploymentState).deployments[id];
      return d ? [deploymentRow(host, d)] : [];
    });
  return ids
    .map((id): JobRow => ({ id, ...splitJobId(id), job: jobs.get(id) as Job, deployments: deploymentsOf(id) }))
    .filter((row) => (filter.name === undefined || row.name === filter.name) && (filter.version === undefined || row.version === filter.version))
    .filter((row) => !filter.deployed || row.deployments.length > 0);
}

/** One page the way the gateway asks for it: ids after the cursor's, then rows for those alone. */
function pageOf(queries: BerthQueries, filter: JobFilter, first: number, after: string | undefined): JobRow[] {
  const ids = queries.jobIds(filter).filter((id) => after === undefined || id > after);
  return queries.jobRows(ids.slice(0, first));
}

// few names, versions and hosts, so that events often hit jobs and hosts that earlier ones touched
const NAMES = ['web', 'db', 'web-2'];
const VERSIONS = ['1', '10'];
const HASHES = ['0a', 'ff'];
const HOSTS = ['h2', 'h10', '3'];
const jobId = fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...VERSIONS), fc.constantFrom(...HASHES)).map((parts) => parts.join(':'));
const host = fc.constantFrom(...HOSTS);
/** mostly absent, so that most queries still see several jobs */
const sometimes = <T>(value: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: value, weight: 1 });
const filter: fc.Arbitrary<JobFilter> = fc
  .record({
    pattern: sometimes(fc.constantFrom('', 'web', '1', '0a', ':10:', 'db:1:ff', 'zz')),
    name: sometimes(fc.constantFrom(...NAMES, 'zz')),
    version: sometimes(fc.constantFrom(...VERSIONS, '2')),
    deployed: sometimes(fc.boolean()),
  })
  .map((f) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as JobFilter);
const query = fc.record({ kind: fc.constant('query' as const), filter, first: fc.integer({ min: 1, max: 12 }), after: fc.option(jobId, { nil: undefined }) });
const operation = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('create' as const), id: jobId }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('remove' as const), id: jobId }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('deploy' as const), id: jobId, host }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constantFrom('undeploy' as const, 'report' as const), id: jobId, host }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('clear' as const), host }), weight: 1 },
  { arbitrary: query, weight: 3 },
);
type Operation = typeof operation extends fc.Arbitrary<infer O> ? O : never;

function run(projection: BerthProjection, op: Operation): void {
  switch (op.kind) {
    case 'create':
      return createJob(projection, op.id);
    case 'remove':
      return removeJob(projection, op.id);
    case 'deploy':
      return deploy(projection, op.id, op.host);
    case 'undeploy':
      return undeploy(projection, op.id, op.host);
    case 'report':
      return reportRunning(projection, op.id, op.host);
    case 'clear':
      return clearHost(projection, op.host);
    case 'query':
      return;
  }
}

describe('jobs pages over the job list index', () => {
  it('give the same ids, rows, pages and counts as filtering and sorting every row, whatever happened before', () => {
    fc.assert(
      fc.property(fc.array(operation, { minLength: 5, maxLength: 60, size: 'max' }), query, (ops, last) => {
        const projection = createBerthProjection();
        const queries = new BerthQueries(projection);
        // queries between the events build the index early, so later events must keep it right
        for (const op of [...ops, last]) {
          run(projection, op);
          if (op.kind !== 'query') continue;
          const expected = referenceJobs(projection, op.filter);
          expect(queries.jobIds(op.filter)).toEqual(expected.map((row) => row.id));
          expect(pageOf(queries, op.filter, op.first, op.after)).toEqual(
            expected.filter((row) => op.after === undefined || row.id > op.after).slice(0, op.first),
          );
          expect(queries.jobs(op.filter)).toEqual(expected);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('shows a new job on its page right after its event, and drops a removed one at once', () => {
    const projection = createBerthProjection();
    const queries = new BerthQueries(projection);
    for (const id of ['a:1:00', 'b:1:00', 'd:1:00', 'e:1:00']) createJob(projection, id);
    const secondPage = () => pageOf(queries, {}, 2, 'b:1:00').map((row) => row.id);
    expect(secondPage()).toEqual(['d:1:00', 'e:1:00']);

    createJob(projection, 'c:1:00');
    expect(secondPage()).toEqual(['c:1:00', 'd:1:00']);
    expect(queries.jobIds()).toHaveLength(5);

    removeJob(projection, 'd:1:00');
    expect(secondPage()).toEqual(['c:1:00', 'e:1:00']);
    expect(() => queries.job('d:1:00')).toThrow(expect.objectContaining({ code: 'JOB_NOT_FOUND' }));
  });

  it('keeps the sorted ids between reads instead of sorting every job again', () => {
    const projection = createBerthProjection();
    const queries = new BerthQueries(projection);
    createJob(projection, 'b:1:00');
    const ids = queries.jobIds();
    deploy(projection, 'b:1:00', 'h1');
    reportRunning(projection, 'b:1:00', 'h1');
    createJob(projection, 'a:1:00');
    expect(queries.jobIds()).toBe(ids);
    expect(ids).toEqual(['a:1:00', 'b:1:00']);
  });

  it('follows deployments: the deployed filter and each row list the hosts as they are now, in host order', () => {
    const projection = createBerthProjection();
    const queries = new BerthQueries(projection);
    createJob(projection, 'web:1:00');
    createJob(projection, 'db:1:00');
    expect(queries.jobIds({ deployed: true })).toEqual([]);

    deploy(projection, 'db:1:00', 'h1');
    deploy(projection, 'web:1:00', 'h2');
    deploy(projection, 'web:1:00', 'h1');
    expect(queries.jobIds({ deployed: true })).toEqual(['db:1:00', 'web:1:00']);
    // h1 had a deployment first, so it is listed first, as the projection lists hosts
    expect(queries.job('web:1:00').deployments.map((d) => d.host)).toEqual(['h1', 'h2']);

    undeploy(projection, 'web:1:00', 'h2');
    clearHost(projection, 'h1');
    expect(queries.jobIds({ deployed: true })).toEqual([]);
    expect(queries.job('web').deployments).toEqual([]);
  });

  it('is rebuilt when the projection is restored from a snapshot under it', () => {
    const projection = createBerthProjection();
    const queries = new BerthQueries(projection);
    createJob(projection, 'old:1:00');
    expect(queries.jobIds()).toEqual(['old:1:00']);

    const other = createBerthProjection();
    for (const id of ['new:1:00', 'new:2:00']) createJob(other, id);
    deploy(other, 'new:2:00', 'h1');
    projection.restore(other.toSnapshot());
    expect(queries.jobIds()).toEqual(['new:1:00', 'new:2:00']);
    expect(queries.jobIds({ deployed: true })).toEqual(['new:2:00']);
  });
});

describe('splitJobId', () => {
  it('takes the first two colon-separated parts, empty when missing', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', ':', '1'), { maxLength: 10 }), (chars) => {
        const id = chars.join('');
        const [name = '', version = ''] = id.split(':');
        expect(splitJobId(id)).toEqual({ name, version });
      }),
    );
    expect(splitJobId('web:1:0a1b')).toEqual({ name: 'web', version: '1' });
  });
});
