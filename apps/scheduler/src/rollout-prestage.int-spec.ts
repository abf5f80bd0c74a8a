import { SchedulerCommand } from '@berth/contracts';
import type { JetStreamEventStore } from '@berth/event-store';
import type { RolloutDetail } from '@berth/read-model';
import type { SchedulerClient } from '@berth/scheduler-client';
import { eventually, type FakeAgents } from '@berth/testing';
import { SchedulerTestEnv } from './testing/scheduler-test-env';

/*
 * Prestaging over the real agent protocol: the scheduler sends PrepareImage
 * to every host of a prestaging rollout, FakeAgents answer PULLED (or a pull
 * failure, or nothing) into the status stream, and the switch starts only
 * once the quorum has the image. What has been pulled is in the rollout's
 * events, so a new leader carries on from it.
 */

let env: SchedulerTestEnv;
let store: JetStreamEventStore;
let client: SchedulerClient;
let agents: FakeAgents;
let v1: string;
let v2: string;

beforeAll(async () => {
  env = await SchedulerTestEnv.start({ actor: 'prestage-test', schedulerArgs: ['--lease-ttl', '1'] });
  ({ store, client, agents } = env);
  v1 = await env.createJob({ id: 'pre:1', image: 'registry.local/pre:1' });
  v2 = await env.createJob({ id: 'pre:2', image: 'registry.local/pre:2' });
});

afterAll(async () => {
  await env?.stop();
});

const groupStatus = (name: string) => env.groupStatus(name);
const inspect = async (id: string) => (await client.call<{ rollout: RolloutDetail }>(SchedulerCommand.INSPECT_ROLLOUT, { id })).rollout;
const jobsOn = async (host: string) => (await client.call<{ deployments: { jobId: string }[] }>(SchedulerCommand.HOST_STATUS, { host })).deployments.map((d) => d.jobId);

/** A group of `hosts` running v1 everywhere. */
async function groupOnV1(group: string, hosts: readonly string[]): Promise<void> {
  await env.fleet(group, hosts);
  await client.call(SchedulerCommand.ROLLING_UPDATE, { group, job: v1, options: { parallelism: hosts.length } });
  await eventually(async () => (await groupStatus(group)).status === 'DONE');
}

async function rollingUpdate(group: string, options: object): Promise<string> {
  return env.rollingUpdate(group, v2, options);
}

/** The rollout's events: which hosts were observed with the image, and what came after. */
async function rolloutEvents(rolloutId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  return (await store.read('rollout', rolloutId)).map((e) => ({ type: e.type, data: e.data as Record<string, unknown> }));
}

function pulledHosts(events: readonly { type: string; data: Record<string, unknown> }[]): string[] {
  return events
    .filter((e) => e.type === 'HostsObserved')
    .flatMap((e) => e.data['hosts'] as { host: string; imagePulled: boolean }[])
    .filter((h) => h.imagePulled)
    .map((h) => h.host);
}

describe('prestage: PrepareImage to the agents, the switch at the quorum', () => {
  it('asks every host for the image, waits for the quorum of PULLED answers, then rolls out', async () => {
    const hosts = ['pa-host1', 'pa-host2', 'pa-host3'];
    await groupOnV1('pa', hosts);
    // host3 never answers: the quorum of 2 is enough
    agents.setImageOutcome('pa-host3', 'silent');
    const id = await rollingUpdate('pa', { prestage: true, prestageQuorum: 2, parallelism: 3 });
    await eventually(async () => (await groupStatus('pa')).status === 'DONE');
    for (const host of hosts) expect(await jobsOn(host)).toEqual([v2]);

    const events = await rolloutEvents(id);
    const types = events.map((e) => e.type);
    const completed = types.indexOf('PrestageCompleted');
    expect(types.slice(0, 2)).toEqual(['RolloutStarted', 'PrestageStarted']);
    expect(events[completed]?.data).toMatchObject({ pulled: 2, quorum: 2 });
    // the switch (the first batch) only after both answers were recorded
    expect(pulledHosts(events.slice(0, completed)).sort()).toEqual(['pa-host1', 'pa-host2']);
    expect(types.indexOf('BatchStarted')).toBeGreaterThan(completed);
    for (const host of hosts) expect(agents.prepareRequests.get(host)).toBeGreaterThanOrEqual(1);
  });

  it('does not switch without the quorum: pull failures and silence fail the rollout at the prestage timeout, v1 untouched', async () => {
    const hosts = ['pb-host1', 'pb-host2', 'pb-host3'];
    await groupOnV1('pb', hosts);
    agents.setImageOutcome('pb-host2', 'IMAGE_MISSING');
    agents.setImageOutcome('pb-host3', 'IMAGE_PULL_FAILED');
    const id = await rollingUpdate('pb', { prestage: true, timeout: 2 });
    await eventually(async () => (await inspect(id)).status === 'FAILED');
    expect((await inspect(id)).error).toBe('Prestage: 1 of 3 required hosts pulled the image within 2 s (pb-host2: IMAGE_MISSING: fake IMAGE_MISSING; pb-host3: IMAGE_PULL_FAILED: fake IMAGE_PULL_FAILED)');
    expect((await inspect(id)).hosts.map((h) => [h.host, h.imagePulled, h.imageError ?? null])).toEqual([
      ['pb-host1', true, null],
      ['pb-host2', false, 'IMAGE_MISSING: fake IMAGE_MISSING'],
      ['pb-host3', false, 'IMAGE_PULL_FAILED: fake IMAGE_PULL_FAILED'],
    ]);
    expect(pulledHosts(await rolloutEvents(id))).toEqual(['pb-host1']);
    expect((await rolloutEvents(id)).map((e) => e.type)).not.toContain('BatchStarted');
    for (const host of hosts) expect(await jobsOn(host)).toEqual([v1]);
  });

  it('a new leader knows from the events who has the image and asks only the others', async () => {
    const hosts = ['pc-host1', 'pc-host2', 'pc-host3'];
    await groupOnV1('pc', hosts);
    agents.setImageOutcome('pc-host3', 'silent');
    const id = await rollingUpdate('pc', { prestage: true, timeout: 120 });
    await eventually(async () => pulledHosts(await rolloutEvents(id)).length === 2);
    expect((await inspect(id)).status).toBe('PRESTAGING');

    const leader = env.scheduler;
    const standby = await env.startScheduler();
    await env.stopScheduler(leader);
    await eventually(() => standby.role() === 'leader', { timeoutMs: 10_000 });
    const asked = new Map(agents.prepareRequests);
    agents.setImageOutcome('pc-host3', 'PULLED');
    await eventually(async () => (await groupStatus('pc')).status === 'DONE', { timeoutMs: 20_000 });
    for (const host of hosts) expect(await jobsOn(host)).toEqual([v2]);
    // the new leader re-asked the host it had no answer from, and not the two whose PULLED is in the stream
    expect(agents.prepareRequests.get('pc-host3')).toBeGreaterThan(asked.get('pc-host3') ?? 0);
    expect(agents.prepareRequests.get('pc-host1')).toBe(asked.get('pc-host1'));
    expect(agents.prepareRequests.get('pc-host2')).toBe(asked.get('pc-host2'));
    expect((await rolloutEvents(id)).find((e) => e.type === 'PrestageCompleted')?.data).toMatchObject({ pulled: 3, quorum: 3 });
  }, 40_000);
});
