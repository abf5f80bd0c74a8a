import { SchedulerCommand } from '@berth/contracts';
import type { RolloutPage } from '@berth/read-model';
import type { SchedulerClient } from '@berth/scheduler-client';
import { eventually } from '@berth/testing';
import { randomUUID } from 'node:crypto';
import { SchedulerTestEnv } from './testing/scheduler-test-env';

let env: SchedulerTestEnv;
let client: SchedulerClient;
let rolloutId: string;

/** Natural order: host2 before host10. */
const HOSTS = Array.from({ length: 12 }, (_, i) => `page-host${i + 1}`);

beforeAll(async () => {
  env = await SchedulerTestEnv.start({ actor: 'rollout-inspect-test' });
  client = env.client;
  await env.fleet('page', [...HOSTS].reverse());
  const v1 = await env.createJob({ id: 'svc:1', image: 'local/busybox:1' });
  rolloutId = await env.rollingUpdate('page', v1, { parallelism: 12 });
  await eventually(async () => (await env.groupStatus('page')).status === 'DONE', { timeoutMs: 20_000 });
}, 30_000);

afterAll(async () => {
  await env?.stop();
});

const inspect = (body: object) => client.call<RolloutPage>(SchedulerCommand.INSPECT_ROLLOUT, { id: rolloutId, ...body });

describe('berth.cmd.rollout: host rows a page at a time', () => {
  it('pages the rows in natural order of host name, each page with the rollout and nextHostsAfter while more remain', async () => {
    const first = await inspect({ hostsLimit: 5 });
    expect(first.rollout).toMatchObject({ rolloutId, status: 'SUCCEEDED', progress: { HEALTHY: 12, total: 12 } });
    expect(first.rollout.hosts.map((h) => h.host)).toEqual(HOSTS.slice(0, 5));
    expect(first.nextHostsAfter).toBe('page-host5');

    const second = await inspect({ hostsLimit: 5, hostsAfter: first.nextHostsAfter });
    expect(second.rollout.hosts.map((h) => h.host)).toEqual(HOSTS.slice(5, 10));
    expect(second.nextHostsAfter).toBe('page-host10');

    const last = await inspect({ hostsLimit: 5, hostsAfter: second.nextHostsAfter });
    expect(last.rollout.hosts.map((h) => h.host)).toEqual(HOSTS.slice(10));
    expect(last).not.toHaveProperty('nextHostsAfter');

    // without a limit: up to 1,000 rows, here all of them in one page
    const whole = await inspect({});
    expect(whole.rollout.hosts.map((h) => h.host)).toEqual(HOSTS);
    expect(whole).not.toHaveProperty('nextHostsAfter');
    expect([...first.rollout.hosts, ...second.rollout.hosts, ...last.rollout.hosts]).toEqual(whole.rollout.hosts);
  });

  it('the client reads every page into one rollout', async () => {
    const all = await client.rolloutWithAllHosts(rolloutId, { hostsLimit: 5 });
    expect(all.hosts.map((h) => h.host)).toEqual(HOSTS);
    expect(all).toMatchObject({ rolloutId, status: 'SUCCEEDED', progress: { total: 12 } });
  });

  it('refuses a bad page request with INVALID_REQUEST, naming the field, and writes nothing', async () => {
    const cases: [object, string][] = [
      [{ hostsLimit: 0 }, 'hostsLimit'],
      [{ hostsLimit: 5001 }, 'hostsLimit'],
      [{ hostsLimit: 2.5 }, 'hostsLimit'],
      [{ hostsLimit: '5' }, 'hostsLimit'],
      [{ hostsLimit: null }, 'hostsLimit'],
      [{ hostsAfter: 'not a host' }, 'hostsAfter'],
      [{ hostsAfter: 7 }, 'hostsAfter'],
    ];
    for (const [body, path] of cases) {
      const before = await env.eventCount();
      const answer = await client.request(SchedulerCommand.INSPECT_ROLLOUT, { id: rolloutId, ...body });
      if (answer.ok) throw new Error(`${JSON.stringify(body)} was accepted`);
      expect(answer.error.code).toBe('INVALID_REQUEST');
      expect(new Set((answer.error.details['problems'] as { path: string }[]).map((problem) => problem.path))).toEqual(new Set([path]));
      expect(await env.eventCount()).toBe(before);
    }
    await expect(client.call(SchedulerCommand.INSPECT_ROLLOUT, { id: randomUUID(), hostsLimit: 5 })).rejects.toMatchObject({ code: 'ROLLOUT_NOT_FOUND' });
  });
});
