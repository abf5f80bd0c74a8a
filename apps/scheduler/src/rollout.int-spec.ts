import { SchedulerCommand } from '@berth/contracts';
import type { JetStreamEventStore } from '@berth/event-store';
import type { RolloutDetail, RolloutSummary } from '@berth/read-model';
import type { SchedulerClient } from '@berth/scheduler-client';
import { type FakeAgents, eventually } from '@berth/testing';
import { randomUUID } from 'node:crypto';
import { SchedulerTestEnv } from './testing/scheduler-test-env';

let env: SchedulerTestEnv;
let store: JetStreamEventStore;
let client: SchedulerClient;
let agents: FakeAgents;
let v1: string;
let v2: string;

beforeAll(async () => {
  env = await SchedulerTestEnv.start({ actor: 'rollout-test' });
  ({ store, client, agents } = env);
  v1 = await env.createJob({ id: 'svc:1', image: 'local/busybox:1' });
  v2 = await env.createJob({ id: 'svc:2', image: 'local/busybox:2' });
});

afterAll(async () => {
  await env?.stop();
});

const waitUntil = (condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> => eventually(condition, { timeoutMs });

const groupStatus = (name: string) => env.groupStatus(name);
const rollout = async (id: string) => (await client.call<{ rollout: RolloutDetail }>(SchedulerCommand.INSPECT_ROLLOUT, { id })).rollout;
const waitForGroup = (name: string, status: string, timeoutMs?: number) => waitUntil(async () => (await groupStatus(name)).status === status, timeoutMs);

const fleet = (group: string, hosts: readonly string[]) => env.fleet(group, hosts);
const rollingUpdate = (group: string, job: string, options: object = {}) => env.rollingUpdate(group, job, options);

/** The group's job on every host, RUNNING. */
async function expectAllOn(group: string, jobId: string, hosts: readonly string[]): Promise<void> {
  const status = await groupStatus(group);
  expect(status.hosts).toEqual(hosts.map((host) => ({ host, upToDate: true, job: jobId, state: 'RUNNING' })));
}

async function jobsOn(host: string): Promise<string[]> {
  const status = await client.call<{ deployments: { jobId: string }[] }>(SchedulerCommand.HOST_STATUS, { host });
  return status.deployments.map((d) => d.jobId).sort();
}

const eventCount = (): Promise<number> => env.eventCount();

describe('rolling updates through the NATS API', () => {
  const web = ['web-host10', 'web-host2', 'web-host1', 'web-host11', 'web-host3'];
  const webSorted = ['web-host1', 'web-host2', 'web-host3', 'web-host10', 'web-host11'];

  it('rolls a 5-host group in batches of 2, in natural host order, and undeploys the old job', async () => {
    await fleet('web', web);
    await rollingUpdate('web', v1, { parallelism: 2 });
    await waitForGroup('web', 'DONE');
    await expectAllOn('web', v1, webSorted);

    const id = await rollingUpdate('web', 'svc:2', { parallelism: 2 });
    await waitForGroup('web', 'DONE');
    await expectAllOn('web', v2, webSorted);
    for (const host of webSorted) expect(await jobsOn(host)).toEqual([v2]);
    const done = await rollout(id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', batches: 3, progress: { HEALTHY: 5, total: 5 } });
    expect(done.hosts.map((h) => h.host)).toEqual(webSorted);
    const requested = (host: string) => Date.parse(done.hosts.find((h) => h.host === host)?.deployRequestedAt ?? '');
    expect(requested('web-host2')).toBeLessThan(requested('web-host10'));
    expect(requested('web-host1')).toBe(requested('web-host2'));
  });

  it('gives a new matching host the group job, and undeploys a host whose labels stop matching', async () => {
    await agents.register('web-host12', { role: 'web' });
    const latest = async () => (await client.call<{ rollouts: { reason: string; status: string }[] }>(SchedulerCommand.LIST_ROLLOUTS, { group: 'web' })).rollouts.at(-1);
    const automaticDone = async () => {
      const last = await latest();
      return last?.reason === 'HOSTS_CHANGED' && last.status === 'SUCCEEDED' && (await groupStatus('web')).status === 'DONE';
    };
    await waitUntil(automaticDone);
    await expectAllOn('web', v2, [...webSorted, 'web-host12']);

    await agents.register('web-host12', { role: 'batch' });
    await waitUntil(async () => (await jobsOn('web-host12')).length === 0);
    expect((await groupStatus('web')).hosts.map((h) => h.host)).toEqual(webSorted);
  });

  it('fails on a host whose task FAILED, and with autoRevert brings the group back to the previous job', async () => {
    const hosts = ['bad-host1', 'bad-host2', 'bad-host3'];
    await fleet('bad', hosts);
    await rollingUpdate('bad', v1);
    await waitForGroup('bad', 'DONE');
    agents.setOutcome('bad-host2', 'FAILED', v2);

    const id = await rollingUpdate('bad', v2, { autoRevert: true });
    await waitForGroup('bad', 'FAILED');
    const status = await groupStatus('bad');
    expect(status.error).toContain(`bad-host2: job ${v2} FAILED`);
    expect(status.error).toContain(`reverted to ${v1}`);
    expect(status.jobId).toBe(v1);
    await expectAllOn('bad', v1, hosts);
    const reverted = await rollout(id);
    expect(reverted.status).toBe('REVERTED');
    // the third host was never touched: one deploy, of v1
    expect((await store.read('deployment', 'bad-host3')).filter((e) => e.type === 'JobDeployed')).toHaveLength(1);
  });

  it('deploys canaries first and waits for promote', async () => {
    const hosts = ['can-host1', 'can-host2', 'can-host3'];
    await fleet('can', hosts);
    await rollingUpdate('can', v1, { parallelism: 3 });
    await waitForGroup('can', 'DONE');

    const id = await rollingUpdate('can', v2, { canary: 1, parallelism: 2 });
    await waitUntil(async () => (await rollout(id)).status === 'AWAITING_PROMOTION');
    expect((await groupStatus('can')).hosts.map((h) => h.job)).toEqual([v2, v1, v1]);
    const promoted = await client.call<{ rollout: RolloutSummary }>(SchedulerCommand.PROMOTE_ROLLOUT, { rollout: id });
    expect(promoted.rollout.promoted).toBe(true);
    // answers to changes carry the summary, never every host's row (1 MB NATS payloads at ~9k hosts)
    expect(promoted.rollout).not.toHaveProperty('hosts');
    expect(promoted.rollout.progress.total).toBe(3);
    await waitForGroup('can', 'DONE');
    await expectAllOn('can', v2, hosts);
    await expect(client.call(SchedulerCommand.PROMOTE_ROLLOUT, { rollout: id })).rejects.toMatchObject({ code: 'ROLLOUT_STATE_CONFLICT' });
  });

  it('pauses (no new batch, the deploying host is still judged) and resumes', async () => {
    const hosts = ['pause-host1', 'pause-host2'];
    await fleet('pause', hosts);
    const id = await rollingUpdate('pause', v1, { minHealthyTime: 1 });
    await client.call(SchedulerCommand.PAUSE_ROLLOUT, { rollout: id });
    await waitUntil(async () => (await rollout(id)).hosts[0]?.step === 'HEALTHY');
    const paused = await rollout(id);
    expect(paused).toMatchObject({ paused: true, batches: 1 });
    expect(paused.hosts[1]?.step).toBe('PENDING');
    await client.call(SchedulerCommand.RESUME_ROLLOUT, { rollout: id });
    await waitForGroup('pause', 'DONE');
    await expectAllOn('pause', v1, hosts);
  });

  it('fails a host that is not healthy within its timeout, counted from its deploy request event', async () => {
    await fleet('slow', ['slow-host1']);
    agents.setOutcome('slow-host1', 'silent');
    const id = await rollingUpdate('slow', v1, { timeout: 1 });
    await waitForGroup('slow', 'FAILED');
    const failed = await rollout(id);
    expect(failed.hosts[0]?.failure).toMatchObject({ reason: 'timeout', message: 'slow-host1: not healthy within 1 s of its deploy' });
    const events = await store.read('rollout', id);
    const at = (type: string) => Date.parse(events.find((e) => e.type === type)?.time ?? '');
    expect(at('HostsFailed') - at('BatchStarted')).toBeGreaterThanOrEqual(1_000);
    expect(at('HostsFailed') - at('BatchStarted')).toBeLessThan(3_000);

    // retry: the group follows the rollout again and reaches DONE once the host is healthy
    await client.call(SchedulerCommand.RETRY_ROLLOUT, { rollout: id });
    await waitForGroup('slow', 'ROLLING_OUT');
    await agents.report('slow-host1', v1, 'RUNNING');
    await waitForGroup('slow', 'DONE');
  });

  it('answers group and rollout errors and writes nothing', async () => {
    await expect(client.call(SchedulerCommand.CREATE_DEPLOYMENT_GROUP, { name: 'web', selectors: ['role = web'] })).resolves.toMatchObject({ status: 'NOT_MODIFIED' });
    const cases: [string, string, object][] = [
      ['DEPLOYMENT_GROUP_ALREADY_EXISTS', SchedulerCommand.CREATE_DEPLOYMENT_GROUP, { name: 'web', selectors: ['role=db'] }],
      ['INVALID_HOST_SELECTOR', SchedulerCommand.CREATE_DEPLOYMENT_GROUP, { name: 'x', selectors: ['role=='] }],
      ['DEPLOYMENT_GROUP_NOT_FOUND', SchedulerCommand.ROLLING_UPDATE, { group: 'nope', job: v1 }],
      ['DEPLOYMENT_GROUP_NOT_FOUND', SchedulerCommand.DEPLOYMENT_GROUP_STATUS, { name: 'nope' }],
      ['INVALID_ROLLOUT_OPTIONS', SchedulerCommand.ROLLING_UPDATE, { group: 'web', job: v1, options: { parallelism: 0 } }],
      ['INVALID_REQUEST', SchedulerCommand.ROLLING_UPDATE, { group: 'web', job: v1, options: { bogus: 1 } }],
      ['INVALID_REQUEST', SchedulerCommand.ROLLING_UPDATE, { group: 'web', job: v1, options: { maxUnavailable: 'many' } }],
      ['ROLLOUT_NOT_FOUND', SchedulerCommand.PROMOTE_ROLLOUT, { rollout: randomUUID() }],
      ['JOB_NOT_FOUND', SchedulerCommand.ROLLING_UPDATE, { group: 'web', job: 'nope:1' }],
    ];
    for (const [code, command, body] of cases) {
      const before = await eventCount();
      expect(await client.request(command, body)).toMatchObject({ ok: false, error: { code } });
      expect(await eventCount()).toBe(before);
    }
    const groups = await client.call<{ groups: { name: string }[] }>(SchedulerCommand.LIST_DEPLOYMENT_GROUPS, {});
    expect(groups.groups.map((g) => g.name)).toEqual(['bad', 'can', 'pause', 'slow', 'web']);
  });

  it('continues a rollout after a scheduler restart, deploying no host twice', async () => {
    const hosts = ['re-host1', 're-host2', 're-host3'];
    await fleet('re', hosts);
    const id = await rollingUpdate('re', v1, { minHealthyTime: 1 });
    await waitUntil(async () => (await rollout(id)).hosts[0]?.targetRunning === true);
    await env.stopScheduler(env.scheduler);
    await env.startScheduler();
    await waitForGroup('re', 'DONE');
    await expectAllOn('re', v1, hosts);
    for (const host of hosts) {
      const deployed = (await store.read('deployment', host)).filter((e) => e.type === 'JobDeployed');
      expect(deployed).toHaveLength(1);
    }
  });
});
