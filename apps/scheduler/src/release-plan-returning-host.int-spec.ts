import { PipelineCommand, SchedulerCommand } from '@berth/contracts';
import type { ReleasePlanDetail, RolloutDetail } from '@berth/read-model';
import type { SchedulerClient } from '@berth/scheduler-client';
import { type FakeAgents, eventually } from '@berth/testing';
import { SchedulerTestEnv } from './testing/scheduler-test-env';

jest.setTimeout(60_000);

let env: SchedulerTestEnv;
let client: SchedulerClient;
let agents: FakeAgents;

const HOSTS = ['ret-host1', 'ret-host2', 'ret-host3', 'ret-host4', 'ret-host5', 'ret-host6'];
/** Down since before the service was first deployed: it has never run it. */
const DOWN = 'ret-host6';
/** Its deploy of the new version never turns RUNNING until the test says so: the rollout waits there. */
const HELD = 'ret-host2';
let v1 = '';
let v2 = '';

beforeAll(async () => {
  env = await SchedulerTestEnv.start({ actor: 'returning-host-test', schedulerArgs: ['--host-down-after', '1'] });
  ({ client, agents } = env);
  for (const host of HOSTS) await agents.register(host, { dc: 'ret' });
  agents.silence(DOWN);
  await waitUntil(async () => !(await isUp(DOWN)));
  v1 = await env.createJob({ id: 'svc:1', image: 'local/svc:1' });
  v2 = await env.createJob({ id: 'svc:2', image: 'local/svc:2' });
  await client.call(SchedulerCommand.CREATE_DEPLOYMENT_GROUP, { name: 'dc.svc', selectors: ['dc=ret'] });
  await env.rollingUpdate('dc.svc', v1, { parallelism: 6 });
  await waitUntil(async () => (await env.groupStatus('dc.svc')).status === 'DONE');
});

afterAll(async () => {
  await env?.stop();
});

const waitUntil = (condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> => eventually(condition, { timeoutMs });
const isUp = async (host: string) => (await client.call<{ status: string }>(SchedulerCommand.HOST_STATUS, { host })).status === 'UP';
const planStatus = async (id: string) => (await client.call<{ plan: ReleasePlanDetail }>(PipelineCommand.INSPECT_RELEASE_PLAN, { id })).plan;
const currentOf = async (planId: string, host: string) => (await planStatus(planId)).current[0]?.hosts.find((h) => h.host === host);
const rollout = async (id: string) => (await client.call<{ rollout: RolloutDetail }>(SchedulerCommand.INSPECT_ROLLOUT, { id })).rollout;
const row = (detail: RolloutDetail, host: string) => detail.hosts.find((h) => h.host === host);

describe('a host back during a release plan rollout (seed 004: "the Current node is checked to find which version is the most popular")', () => {
  it('is started at once on the version most online hosts run, then on the target when the rollout reaches it', async () => {
    expect((await env.groupStatus('dc.svc')).hosts.map((h) => h.host)).not.toContain(DOWN);
    agents.setOutcome(HELD, 'silent', v2);

    const { planId } = await client.call<{ planId: string }>(PipelineCommand.START_RELEASE_PLAN, { source: 'services:\n- service: svc\n  job: 2\n  group: dc.svc\n' });
    let rolloutId = '';
    await waitUntil(async () => {
      const group = await env.groupStatus('dc.svc');
      rolloutId = group.jobId === v2 ? (group.rolloutId ?? '') : '';
      return rolloutId !== '' && row(await rollout(rolloutId), HELD)?.step === 'DEPLOYING';
    });
    // host1 and host2 are on svc:2, hosts 3 to 5 still on svc:1, host6 down with nothing
    const before = await rollout(rolloutId);
    expect(before.hosts.map((h) => [h.host, h.step])).toEqual([
      ['ret-host1', 'HEALTHY'],
      ['ret-host2', 'DEPLOYING'],
      ['ret-host3', 'PENDING'],
      ['ret-host4', 'PENDING'],
      ['ret-host5', 'PENDING'],
      [DOWN, 'SKIPPED'],
    ]);
    expect(await currentOf(planId, DOWN)).toEqual({ host: DOWN, online: false });

    agents.resume(DOWN);
    await waitUntil(async () => (await currentOf(planId, DOWN))?.version === v1);
    expect(await currentOf(planId, DOWN)).toEqual({ host: DOWN, online: true, version: v1 });
    const back = await rollout(rolloutId);
    // started out of turn: the rollout is still waiting on host2, and host6's turn is yet to come
    expect(row(back, HELD)?.step).toBe('DEPLOYING');
    expect(row(back, DOWN)).toMatchObject({ step: 'PENDING', up: true, interimJobId: v1 });

    await agents.report(HELD, v2, 'RUNNING');
    await waitUntil(async () => (await planStatus(planId)).status === 'complete');
    const done = await planStatus(planId);
    expect(done.current[0]?.hosts).toEqual(HOSTS.map((host) => ({ host, online: true, version: v2 })));
    const after = await rollout(rolloutId);
    expect(after.status).toBe('SUCCEEDED');
    expect(row(after, DOWN)).toMatchObject({ step: 'HEALTHY', targetRunning: true });
    expect(row(after, DOWN)?.interimJobId).toBeUndefined();
  });

  it('a host back when most online hosts run the new version is switched to it at once, before its turn', async () => {
    const v3 = await env.createJob({ id: 'svc:3', image: 'local/svc:3' });
    const away = 'ret-host5';
    const held = 'ret-host4';
    agents.silence(away);
    await waitUntil(async () => !(await isUp(away)));
    agents.setOutcome(held, 'silent', v3);

    const { planId } = await client.call<{ planId: string }>(PipelineCommand.START_RELEASE_PLAN, { source: 'services:\n- service: svc\n  job: 3\n  group: dc.svc\n' });
    let rolloutId = '';
    await waitUntil(async () => {
      const group = await env.groupStatus('dc.svc');
      rolloutId = group.jobId === v3 ? (group.rolloutId ?? '') : '';
      return rolloutId !== '' && row(await rollout(rolloutId), held)?.step === 'DEPLOYING';
    });
    expect(await currentOf(planId, away)).toEqual({ host: away, online: false, version: v2 });

    // hosts 1 to 4 are on svc:3, host6 on svc:2: host5 comes back serving svc:2 and goes to svc:3 at once
    agents.resume(away);
    await waitUntil(async () => (await currentOf(planId, away))?.version === v3);
    const back = await rollout(rolloutId);
    expect(row(back, held)?.step).toBe('DEPLOYING');
    expect(row(back, away)).toMatchObject({ step: 'PENDING', interimJobId: v3 });

    await agents.report(held, v3, 'RUNNING');
    await waitUntil(async () => (await planStatus(planId)).status === 'complete');
    expect((await planStatus(planId)).current[0]?.hosts).toEqual(HOSTS.map((host) => ({ host, online: true, version: v3 })));
    expect(row(await rollout(rolloutId), away)).toMatchObject({ step: 'HEALTHY', targetRunning: true });
  });
});
