import { SchedulerCommand, type StoredEvent } from '@berth/contracts';
import type { JetStreamEventStore } from '@berth/event-store';
import type { RolloutDetail } from '@berth/read-model';
import type { SchedulerClient } from '@berth/scheduler-client';
import { type FakeAgents, eventually } from '@berth/testing';
import { SchedulerTestEnv } from './testing/scheduler-test-env';

/*
 * Issue 6's integration rollouts and the Helios DeploymentGroupTest
 * behaviours not covered by rollout.int-spec.ts: a 20-host rollout, a host
 * DOWN mid-rollout, migrate, token, overlap, stop → identical rollout, remove
 * while rolling out. One in-process scheduler (hosts DOWN after 1 s without a
 * heartbeat), fake agents over NATS, a real nats-server.
 */

jest.setTimeout(20_000);

let env: SchedulerTestEnv;
let store: JetStreamEventStore;
let client: SchedulerClient;
let agents: FakeAgents;
let v1: string;
let v2: string;

beforeAll(async () => {
  env = await SchedulerTestEnv.start({ actor: 'rollout-helios-test', schedulerArgs: ['--host-down-after', '1'] });
  ({ store, client, agents } = env);
  v1 = await env.createJob({ id: 'svc:1', image: 'local/busybox:1' });
  v2 = await env.createJob({ id: 'svc:2', image: 'local/busybox:2' });
});

afterAll(async () => {
  await env?.stop();
});

const waitUntil = (condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> => eventually(condition, { timeoutMs });

const createJob = (job: Record<string, unknown>) => env.createJob(job);
const groupStatus = (name: string) => env.groupStatus(name);
const rollout = async (id: string) => (await client.call<{ rollout: RolloutDetail }>(SchedulerCommand.INSPECT_ROLLOUT, { id })).rollout;
const waitForGroup = (name: string, status: string, timeoutMs?: number) => waitUntil(async () => (await groupStatus(name)).status === status, timeoutMs);
const rolloutEvents = (id: string) => store.read('rollout', id);
const deploymentEvents = (host: string) => store.read('deployment', host);

const fleet = (group: string, hosts: readonly string[]) => env.fleet(group, hosts);
const rollingUpdate = (group: string, job: string, options: object = {}) => env.rollingUpdate(group, job, options);

async function expectAllOn(group: string, jobId: string, hosts: readonly string[]): Promise<void> {
  const status = await groupStatus(group);
  expect(status.hosts).toEqual(hosts.map((host) => ({ host, upToDate: true, job: jobId, state: 'RUNNING' })));
}

async function jobsOn(host: string): Promise<{ jobId: string; deploymentGroupName?: string; state?: string }[]> {
  const status = await client.call<{ deployments: { jobId: string; deploymentGroupName?: string; state?: string }[] }>(SchedulerCommand.HOST_STATUS, { host });
  return status.deployments;
}

const deploys = (events: readonly StoredEvent[], jobId?: string) =>
  events.filter((e) => e.type === 'JobDeployed' && (jobId === undefined || (e.data as { jobId: string }).jobId === jobId));

/** "type jobId" of every deploy/undeploy on the host, in stream order. */
const deployOrder = (events: readonly StoredEvent[]) =>
  events.filter((e) => e.type === 'JobDeployed' || e.type === 'JobUndeployed').map((e) => `${e.type} ${(e.data as { jobId: string }).jobId}`);

describe('rollouts over a fleet (issue 6)', () => {
  it('rolls 20 hosts at parallelism 5: 4 batches of 5 in natural order, every host deployed once', async () => {
    const hosts = Array.from({ length: 20 }, (_, i) => `big-host${i + 1}`);
    await fleet('big', [...hosts].reverse());
    const id = await rollingUpdate('big', v1, { parallelism: 5 });
    await waitForGroup('big', 'DONE');
    await expectAllOn('big', v1, hosts);
    expect(await rollout(id)).toMatchObject({ status: 'SUCCEEDED', batches: 4, progress: { HEALTHY: 20, total: 20 } });
    const batches = (await rolloutEvents(id)).filter((e) => e.type === 'BatchStarted').map((e) => (e.data as { hosts: string[] }).hosts);
    expect(batches).toEqual([hosts.slice(0, 5), hosts.slice(5, 10), hosts.slice(10, 15), hosts.slice(15, 20)]);
    for (const host of hosts) expect(deploys(await deploymentEvents(host))).toHaveLength(1);
  });

  it('skips a host that goes DOWN mid-rollout and brings it to the target when it heartbeats again', async () => {
    const hosts = ['down-host1', 'down-host2', 'down-host3', 'down-host4'];
    await fleet('down', hosts);
    // the first host stays unhealthy until the test says so: the rollout waits on batch 1
    agents.setOutcome('down-host1', 'silent', v1);
    const id = await rollingUpdate('down', v1, { timeout: 60 });
    await waitUntil(async () => (await rollout(id)).hosts[0]?.step === 'DEPLOYING');
    agents.silence('down-host3');
    await waitUntil(async () => (await rollout(id)).hosts.find((h) => h.host === 'down-host3')?.up === false);
    await agents.report('down-host1', v1, 'RUNNING');

    await waitForGroup('down', 'DONE');
    const done = await rollout(id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.hosts.find((h) => h.host === 'down-host3')?.step).toBe('SKIPPED');
    expect(deploys(await deploymentEvents('down-host3'))).toHaveLength(0);
    // the group shows hosts that are UP
    expect((await groupStatus('down')).hosts.map((h) => h.host)).toEqual(['down-host1', 'down-host2', 'down-host4']);

    agents.resume('down-host3');
    await waitUntil(async () => (await jobsOn('down-host3')).some((d) => d.jobId === v1 && d.state === 'RUNNING'));
    await waitForGroup('down', 'DONE');
    await expectAllOn('down', v1, hosts);
    expect(deploys(await deploymentEvents('down-host3'))).toHaveLength(1);
  });

  it('migrate: a manually deployed copy of the job is refused without migrate and adopted with it', async () => {
    const hosts = ['mig-host1', 'mig-host2'];
    await fleet('mig', hosts);
    await client.call(SchedulerCommand.DEPLOY, { job: v1, host: 'mig-host1' });
    await waitUntil(async () => (await jobsOn('mig-host1'))[0]?.state === 'RUNNING');

    const refused = await rollingUpdate('mig', v1);
    await waitForGroup('mig', 'FAILED');
    expect((await rollout(refused)).hosts[0]?.failure?.reason).toBe('conflict');
    expect((await jobsOn('mig-host1'))[0]?.deploymentGroupName).toBeUndefined();

    await rollingUpdate('mig', v1, { migrate: true });
    await waitForGroup('mig', 'DONE');
    await expectAllOn('mig', v1, hosts);
    expect(await jobsOn('mig-host1')).toEqual([expect.objectContaining({ jobId: v1, deploymentGroupName: 'mig' })]);
    // the manual copy was undeployed, then the group's deployed
    expect(deployOrder(await deploymentEvents('mig-host1'))).toEqual([`JobDeployed ${v1}`, `JobUndeployed ${v1}`, `JobDeployed ${v1}`]);
  });

  it('token: a job with a token rolls out only with that token, and its group deployments keep it', async () => {
    const secret = await createJob({ id: 'tok:1', image: 'local/busybox:1', token: 'sesame' });
    await fleet('tok', ['tok-host1', 'tok-host2']);

    const wrong = await rollingUpdate('tok', secret, { token: 'wrong' });
    await waitForGroup('tok', 'FAILED');
    const failed = await rollout(wrong);
    expect(failed.hosts[0]?.failure).toMatchObject({ reason: 'error' });
    expect(failed.hosts[0]?.failure?.message).toMatch(/token/i);
    expect(await jobsOn('tok-host1')).toEqual([]);

    const none = await rollingUpdate('tok', secret);
    await waitForGroup('tok', 'FAILED');
    expect((await rollout(none)).hosts[0]?.failure?.reason).toBe('error');

    await rollingUpdate('tok', secret, { token: 'sesame' });
    await waitForGroup('tok', 'DONE');
    await expectAllOn('tok', secret, ['tok-host1', 'tok-host2']);
    // a manual undeploy of the group's deployment needs the token too
    expect(await client.request(SchedulerCommand.UNDEPLOY, { job: secret, host: 'tok-host1' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await jobsOn('tok-host1')).toHaveLength(1);
  });

  it('overlap deploys the new job before undeploying the old one; without it, the old goes first', async () => {
    const hosts = ['ov-host1', 'ov-host2'];
    await fleet('ov', hosts);
    await rollingUpdate('ov', v1, { parallelism: 2 });
    await waitForGroup('ov', 'DONE');

    await rollingUpdate('ov', v2, { overlap: true });
    await waitForGroup('ov', 'DONE');
    await expectAllOn('ov', v2, hosts);
    for (const host of hosts) expect(deployOrder(await deploymentEvents(host)).slice(1)).toEqual([`JobDeployed ${v2}`, `JobUndeployed ${v1}`]);

    await rollingUpdate('ov', v1);
    await waitForGroup('ov', 'DONE');
    await expectAllOn('ov', v1, hosts);
    for (const host of hosts) expect(deployOrder(await deploymentEvents(host)).slice(3)).toEqual([`JobUndeployed ${v2}`, `JobDeployed ${v1}`]);
  });

  it('stop → FAILED "Stopped by user"; the identical rollout then finishes it, redeploying nothing', async () => {
    const hosts = ['st-host1', 'st-host2', 'st-host3'];
    await fleet('st', hosts);
    agents.setOutcome('st-host2', 'silent', v1);
    const id = await rollingUpdate('st', v1, { timeout: 60 });
    // deployed there (its deploy is carried out after the BatchStarted that asked for it)
    await waitUntil(async () => (await jobsOn('st-host2')).length === 1);
    await client.call(SchedulerCommand.STOP_DEPLOYMENT_GROUP, { name: 'st' });
    await waitForGroup('st', 'FAILED');
    expect(await groupStatus('st')).toMatchObject({ status: 'FAILED', error: 'Stopped by user' });
    await waitUntil(async () => (await rollout(id)).status === 'FAILED');
    // stopped where it stood: the third host was never asked
    expect(await jobsOn('st-host3')).toEqual([]);

    await agents.report('st-host2', v1, 'RUNNING');
    await waitUntil(async () => (await jobsOn('st-host2'))[0]?.state === 'RUNNING');
    const again = await rollingUpdate('st', v1, { timeout: 60 });
    await waitForGroup('st', 'DONE');
    await expectAllOn('st', v1, hosts);
    expect((await rollout(again)).hosts.map((h) => h.step)).toEqual(['UP_TO_DATE', 'UP_TO_DATE', 'HEALTHY']);
    for (const host of hosts) expect(deploys(await deploymentEvents(host))).toHaveLength(1);
  });

  it('removing a group while it rolls out stops the rollout; no batch starts after the removal', async () => {
    const hosts = ['rm-host1', 'rm-host2', 'rm-host3'];
    await fleet('rm', hosts);
    agents.setOutcome('rm-host1', 'silent', v1);
    const id = await rollingUpdate('rm', v1, { timeout: 60 });
    await waitUntil(async () => (await jobsOn('rm-host1')).length === 1);
    await client.call(SchedulerCommand.REMOVE_DEPLOYMENT_GROUP, { name: 'rm' });
    await waitUntil(async () => (await rollout(id)).status === 'FAILED');
    expect((await rollout(id)).error).toBe('Deployment group rm removed');
    await expect(groupStatus('rm')).rejects.toMatchObject({ code: 'DEPLOYMENT_GROUP_NOT_FOUND' });

    await agents.report('rm-host1', v1, 'RUNNING');
    // the host's report is processed, and still nothing more happens
    await waitUntil(async () => (await jobsOn('rm-host1'))[0]?.state === 'RUNNING');
    const events = await rolloutEvents(id);
    expect(events.filter((e) => e.type === 'BatchStarted')).toHaveLength(1);
    expect(events.at(-1)?.type).toBe('RolloutFailed');
    expect(await jobsOn('rm-host2')).toEqual([]);
  });
});
