import { PipelineCommand, SchedulerCommand, type StoredEvent } from '@berth/contracts';
import { eventually } from '@berth/testing';
import { SchedulerTestEnv } from './testing/scheduler-test-env';

/*
 * Racing commands against a real nats-server and a real scheduler: each pair
 * is sent at the same moment, many rounds in a row. Every rule that spans
 * aggregates holds every time, a refused command leaves no event behind, and
 * the scheduler keeps serving afterwards (no history it cannot read).
 */
jest.setTimeout(240_000);

let env: SchedulerTestEnv;

beforeAll(async () => {
  env = await SchedulerTestEnv.start({ actor: 'race-test' });
});

afterAll(async () => {
  await env?.stop();
});

type Outcome<T> = { ok: true; value: T } | { ok: false; code: string };

async function outcome<T>(call: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call };
  } catch (err) {
    return { ok: false, code: String((err as { code?: unknown }).code ?? (err as Error).message) };
  }
}

/** Every event stored after stream sequence `after`, in stream order. */
async function eventsAfter(after: number): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of env.store.readAll(after + 1)) out.push(e);
  return out;
}

async function streamEnd(): Promise<number> {
  let last = 0;
  for await (const e of env.store.readAll()) last = Math.max(last, e.sequence);
  return last;
}

const data = (e: StoredEvent) => e.data as Record<string, unknown>;

it('remove-job racing deploy: exactly one wins, a removed job is never deployed, the loser writes nothing', async () => {
  const host = 'race-host-1';
  await env.agents.register(host, { race: 'yes' });
  const rounds = 25;
  for (let round = 0; round < rounds; round++) {
    const jobId = await env.createJob({ id: `race-${round}:1`, image: 'local/busybox:1' });
    const before = await streamEnd();
    const [removed, deployed] = await Promise.all([
      outcome(env.client.call(SchedulerCommand.REMOVE_JOB, { job: jobId })),
      outcome(env.client.call(SchedulerCommand.DEPLOY, { job: jobId, host })),
    ]);
    const events = (await eventsAfter(before)).filter((e) => data(e)['jobId'] === jobId);
    const types = events.map((e) => e.type).filter((t) => t === 'JobRemoved' || t === 'JobDeployed');
    const detail = `round ${round}: remove ${JSON.stringify(removed)}, deploy ${JSON.stringify(deployed)}, events ${types.join(',')}`;
    expect([removed.ok, deployed.ok].filter(Boolean)).toHaveLength(1);
    expect({ detail, types }).toEqual({ detail, types: removed.ok ? ['JobRemoved'] : ['JobDeployed'] });
    if (deployed.ok) await env.client.call(SchedulerCommand.UNDEPLOY, { job: jobId, host });
  }
  // the scheduler still serves writes and reads
  const after = await env.createJob({ id: 'race-after:1', image: 'local/busybox:1' });
  await expect(env.client.call(SchedulerCommand.DEPLOY, { job: after, host })).resolves.toMatchObject({ status: 'DEPLOYED' });
});

it('50 concurrent rolling-updates on one group: every refused one writes nothing, and the hosts end on one job', async () => {
  const hosts = ['race-g1-1', 'race-g1-2', 'race-g1-3', 'race-g1-4', 'race-g1-5'];
  await env.fleet('race-g1', hosts);
  const jobs: string[] = [];
  for (let i = 0; i < 10; i++) jobs.push(await env.createJob({ id: `race-ru:${i}`, image: 'local/busybox:1' }));
  const before = await streamEnd();
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => outcome(env.client.call<{ rolloutId: string }>(SchedulerCommand.ROLLING_UPDATE, { group: 'race-g1', job: jobs[i % jobs.length], options: { parallelism: 5 } }))),
  );
  const accepted = new Set(results.flatMap((r) => (r.ok ? [r.value.rolloutId] : [])));
  const started = (await eventsAfter(before)).filter((e) => e.type === 'RolloutStarted').map((e) => e.aggregateId);
  expect(accepted.size).toBeGreaterThan(0);
  // a rollout exists exactly for each accepted request: the refused ones wrote none
  expect(new Set(started)).toEqual(accepted);
  expect(started).toHaveLength(accepted.size);
  // whatever order they landed in, the group ends DONE on one job, each host running that job only
  await eventually(async () => (await env.groupStatus('race-g1')).status === 'DONE', { timeoutMs: 60_000 });
  const status = await env.groupStatus('race-g1');
  const listed = await env.client.call<{ hosts: { host: string; deployments: { jobId: string }[] }[] }>(SchedulerCommand.LIST_HOSTS, {});
  for (const host of hosts) {
    const deployed = (listed.hosts.find((h) => h.host === host)?.deployments ?? []).map((d) => d.jobId).filter((id) => jobs.includes(id));
    expect({ host, deployed }).toEqual({ host, deployed: [status.jobId] });
  }
});

it('rolling-update racing remove-deployment-group: a rollout is written only for an accepted request', async () => {
  const job = await env.createJob({ id: 'race-rm:1', image: 'local/busybox:1' });
  for (let round = 0; round < 20; round++) {
    const group = `race-rm-${round}`;
    await env.fleet(group, [`${group}-h`]);
    const before = await streamEnd();
    const [update, removal] = await Promise.all([
      outcome(env.client.call<{ rolloutId: string }>(SchedulerCommand.ROLLING_UPDATE, { group, job })),
      outcome(env.client.call(SchedulerCommand.REMOVE_DEPLOYMENT_GROUP, { name: group })),
    ]);
    expect(removal.ok).toBe(true);
    const events = await eventsAfter(before);
    const started = events.filter((e) => e.type === 'RolloutStarted').map((e) => e.aggregateId);
    const detail = `round ${round}: update ${JSON.stringify(update)}, events ${events.map((e) => e.type).join(',')}`;
    expect({ detail, started }).toEqual({ detail, started: update.ok ? [update.value.rolloutId] : [] });
    const removedAt = events.findIndex((e) => e.type === 'DeploymentGroupRemoved');
    // nothing of this group starts after its removal
    expect(events.slice(removedAt + 1).filter((e) => e.type === 'RolloutStarted' || e.type === 'DeploymentGroupRolloutStarted')).toEqual([]);
  }
});

it('two mark-for-deployments of one service at once: one release starts, the other is RELEASE_IN_PROGRESS and writes nothing', async () => {
  await env.fleet('race-rel', ['race-rel-h']);
  for (let round = 0; round < 15; round++) {
    const service = `race-svc-${round}`;
    await env.createJob({ id: `${service}:1`, image: 'local/busybox:1' });
    const before = await streamEnd();
    const results = await Promise.all([0, 1].map(() => outcome(env.client.call<{ releaseId: string }>(PipelineCommand.MARK_FOR_DEPLOYMENT, { service, job: '1', group: 'race-rel' }))));
    const started = (await eventsAfter(before)).filter((e) => e.type === 'ReleaseStarted' && data(e)['service'] === service);
    const detail = `round ${round}: ${JSON.stringify(results)}`;
    expect({ detail, ok: results.filter((r) => r.ok).length }).toEqual({ detail, ok: 1 });
    expect({ detail, codes: results.flatMap((r) => (r.ok ? [] : [r.code])) }).toEqual({ detail, codes: ['RELEASE_IN_PROGRESS'] });
    expect(started.map((e) => e.aggregateId)).toEqual(results.flatMap((r) => (r.ok ? [r.value.releaseId] : [])));
    await env.client.call(PipelineCommand.ABANDON_RELEASE, { release: started[0]?.aggregateId });
  }
});
