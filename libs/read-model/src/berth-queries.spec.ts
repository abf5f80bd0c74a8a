import { deploymentDecider, deploymentGroupDecider, hostDecider, jobDecider, jobIdOf, type Job } from '@berth/domain';
import { InMemoryEventStore, decideAndAppend, type AggregateView } from '@berth/event-store';
import { Aggregate, createBerthProjection } from './berth-projection';
import { BerthQueries } from './berth-queries';
import { DeploymentGroupQueries } from './deployment-group-queries';

const time = '2026-01-01T00:00:00.000Z';
let n = 0;
const meta = { actor: 'test', correlationId: 'c', causationId: 'k', time };

async function given(store: InMemoryEventStore, aggregate: string, id: string, decider: typeof jobDecider | typeof hostDecider | typeof deploymentDecider | typeof deploymentGroupDecider, command: object) {
  await decideAndAppend({
    store,
    aggregate,
    aggregateId: id,
    decider: decider as typeof jobDecider,
    command: (_: AggregateView<unknown>) => ({ time, ...command }) as never,
    meta,
    newId: () => `e${++n}`,
  });
}

describe('BerthQueries', () => {
  const store = new InMemoryEventStore();
  const projection = createBerthProjection();
  const queries = new BerthQueries(projection);
  let web: Job;

  beforeAll(async () => {
    const job = { id: 'web:1', image: 'busybox' };
    await given(store, Aggregate.JOB, jobIdOf({ type: 'CreateJob', job, time }), jobDecider, { type: 'CreateJob', job });
    for (const [host, role] of [['host10', 'web'], ['host2', 'web'], ['db1', 'db']] as const) {
      await given(store, Aggregate.HOST, host, hostDecider, { type: 'RegisterHost', host, agentId: `a-${host}`, labels: { role }, info: {} });
    }
    const sub = projection.follow(store);
    await sub.caughtUp;
    await sub.stop();
    web = queries.job('web').job;
    await given(store, Aggregate.DEPLOYMENT, 'host2', deploymentDecider, {
      type: 'Deploy', host: 'host2', hostRegistered: true, job: web, goal: 'START', portRange: { from: 20000, to: 20010 },
    });
    const again = projection.follow(store);
    await again.caughtUp;
    await again.stop();
  });

  it('resolves job references like Helios and lists deployments with UNKNOWN state until reported', () => {
    const row = queries.job('web:1');
    expect(row).toMatchObject({ id: web.id, name: 'web', version: '1' });
    expect(row.deployments).toEqual([expect.objectContaining({ host: 'host2', goal: 'START', state: 'UNKNOWN' })]);
    expect(() => queries.job('nope')).toThrow(expect.objectContaining({ code: 'JOB_NOT_FOUND' }));
  });

  it('filters jobs by pattern and by being deployed', () => {
    expect(queries.jobs({ pattern: 'web' }).map((j) => j.id)).toEqual([web.id]);
    expect(queries.jobs({ pattern: 'zzz' })).toEqual([]);
    expect(queries.jobs({ deployed: true }).map((j) => j.id)).toEqual([web.id]);
  });

  it('lists hosts in natural order, by selector and status', () => {
    expect(queries.hosts({ selectors: ['role=web'] }).map((h) => h.host)).toEqual(['host2', 'host10']);
    expect(queries.hosts({ selectors: ['role notin (web)'] }).map((h) => h.host)).toEqual(['db1']);
    expect(queries.hosts({ status: 'DOWN' })).toEqual([]);
    expect(() => queries.hosts({ selectors: ['role=='] })).toThrow(expect.objectContaining({ code: 'INVALID_HOST_SELECTOR' }));
  });

  it('shows a host with its deployments, and HOST_NOT_FOUND for an unknown one', () => {
    expect(queries.host('host2').deployments.map((d) => d.jobId)).toEqual([web.id]);
    expect(() => queries.host('ghost')).toThrow(expect.objectContaining({ code: 'HOST_NOT_FOUND' }));
  });

  it('counts the hosts matching a group now, and those of them UP (a group matching none rolls out to nothing)', async () => {
    const groups = new DeploymentGroupQueries(projection);
    await given(store, Aggregate.DEPLOYMENT_GROUP, 'web-group', deploymentGroupDecider, { type: 'CreateDeploymentGroup', name: 'web-group', selectors: ['role=web'] });
    await given(store, Aggregate.DEPLOYMENT_GROUP, 'cache-group', deploymentGroupDecider, { type: 'CreateDeploymentGroup', name: 'cache-group', selectors: ['role=cache'] });
    await given(store, Aggregate.HOST, 'host10', hostDecider, { type: 'MarkHostDown', host: 'host10' });
    const sub = projection.follow(store);
    await sub.caughtUp;
    await sub.stop();
    expect(groups.hostCounts('web-group')).toEqual({ matching: 2, up: 1 });
    expect(groups.hostCounts('cache-group')).toEqual({ matching: 0, up: 0 });
    expect(groups.hostCounts('no-such-group')).toBeUndefined();
  });
});
