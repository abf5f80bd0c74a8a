import { PipelineCommand, SchedulerCommand } from '@berth/contracts';
import type { ReleaseDetail, ReleasePlanDetail } from '@berth/read-model';
import type { SchedulerClient } from '@berth/scheduler-client';
import { type FakeAgents, eventually } from '@berth/testing';
import { SchedulerTestEnv } from './testing/scheduler-test-env';

jest.setTimeout(60_000);

let env: SchedulerTestEnv;
let client: SchedulerClient;
let agents: FakeAgents;

const HOSTS = Array.from({ length: 12 }, (_, i) => `dc-host${i + 1}`);
const DOWN = 'dc-host7';
const SERVICES = ['alpha', 'beta', 'gamma'];

beforeAll(async () => {
  env = await SchedulerTestEnv.start({ actor: 'release-plan-test', schedulerArgs: ['--host-down-after', '1'] });
  ({ client, agents } = env);
  for (const host of HOSTS) await agents.register(host, { dc: 'one' });
  for (const service of SERVICES) {
    for (const version of ['1', '2']) await client.call(SchedulerCommand.CREATE_JOB, { job: { id: `${service}:${version}`, image: `local/${service}:${version}` } });
    await client.call(SchedulerCommand.CREATE_DEPLOYMENT_GROUP, { name: `dc.${service}`, selectors: ['dc=one'] });
    await client.call(SchedulerCommand.ROLLING_UPDATE, { group: `dc.${service}`, job: `${service}:1`, options: { parallelism: 12 } });
  }
  for (const service of SERVICES) await waitUntil(async () => (await groupStatus(`dc.${service}`)).status === 'DONE');
});

afterAll(async () => {
  await env?.stop();
});

const waitUntil = (condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> => eventually(condition, { timeoutMs });
const groupStatus = (name: string) => env.groupStatus(name);
const planStatus = async (id: string) => (await client.call<{ plan: ReleasePlanDetail }>(PipelineCommand.INSPECT_RELEASE_PLAN, { id })).plan;
const release = async (id: string) => (await client.call<{ release: ReleaseDetail }>(PipelineCommand.INSPECT_RELEASE, { id })).release;
const isUp = async (host: string) => (await client.call<{ status: string }>(SchedulerCommand.HOST_STATUS, { host })).status === 'UP';

const planFile = `services:
- service: gamma
  job: 2
  group: dc.gamma
  quorum: 10
  dependsOn: [beta]
- service: alpha
  job: 2
  group: dc.alpha
  quorum: 10
  maxUnavailable: 3
- service: beta
  job: beta:2
  group: dc.beta
  quorum: 10
  dependsOn: [alpha]
`;

describe('multi-service releases through the NATS API', () => {
  it('refuses a plan with a dependency cycle, naming it, and writes nothing', async () => {
    const cyclic = 'services:\n- service: alpha\n  job: 2\n  group: dc.alpha\n  dependsOn: [beta]\n- service: beta\n  job: 2\n  group: dc.beta\n  dependsOn: [alpha]\n';
    await expect(client.call(PipelineCommand.START_RELEASE_PLAN, { source: cyclic })).rejects.toMatchObject({
      code: 'INVALID_RELEASE_PLAN',
      details: { problems: [{ path: 'services[0].dependsOn', line: 5, message: 'dependency cycle: alpha → beta → alpha' }] },
    });
    expect((await client.call<{ plans: unknown[] }>(PipelineCommand.LIST_RELEASE_PLANS, {})).plans).toEqual([]);
  });

  it('releases alpha ← beta ← gamma in order over 12 hosts with a quorum of staged hosts, one host down during it and brought up to date when it returns', async () => {
    agents.silence(DOWN);
    await waitUntil(async () => !(await isUp(DOWN)));

    const { planId, plan } = await client.call<{ planId: string; plan: ReleasePlanDetail }>(PipelineCommand.START_RELEASE_PLAN, { source: planFile });
    expect(plan.levels).toEqual([['alpha'], ['beta'], ['gamma']]);
    expect(plan.current.find((view) => view.service === 'alpha')?.hosts.find((h) => h.host === DOWN)).toMatchObject({ online: false, version: expect.stringMatching(/^alpha:1:/) });

    await waitUntil(async () => (await planStatus(planId)).status === 'complete');
    const done = await planStatus(planId);
    expect(done.deployQueue).toEqual([]);
    expect(done.services.map((s) => [s.service, s.status, s.releaseStatus])).toEqual([
      ['alpha', 'COMPLETE', 'complete'],
      ['beta', 'COMPLETE', 'complete'],
      ['gamma', 'COMPLETE', 'complete'],
    ]);
    // each service started only after the one it depends on was complete
    const releases = await Promise.all(done.services.map((s) => release(s.releaseId ?? '')));
    const [alpha, beta, gamma] = releases;
    expect(alpha && beta && alpha.updatedAt <= beta.createdAt).toBe(true);
    expect(beta && gamma && beta.updatedAt <= gamma.createdAt).toBe(true);
    // images staged on every online host (at least the quorum) before the switch
    for (const view of done.staging) {
      expect(view.hosts.length).toBeGreaterThanOrEqual(10);
      expect(view.hosts).not.toContain(DOWN);
    }
    for (const view of done.current) {
      const online = view.hosts.filter((h) => h.online);
      expect(online).toHaveLength(11);
      expect(online.every((h) => h.version?.startsWith(`${view.service}:2:`))).toBe(true);
    }

    // the host comes back: each of its services gets the release's target
    agents.resume(DOWN);
    await waitUntil(async () => {
      const current = (await planStatus(planId)).current;
      return current.every((view) => view.hosts.find((h) => h.host === DOWN)?.version?.startsWith(`${view.service}:2:`) === true);
    });
  });
});
