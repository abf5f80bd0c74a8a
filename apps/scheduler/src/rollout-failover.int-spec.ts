import { SchedulerCommand } from '@berth/contracts';
import { JetStreamEventStore } from '@berth/event-store';
import type { DeploymentGroupStatus, RolloutDetail } from '@berth/read-model';
import { SchedulerClient } from '@berth/scheduler-client';
import { startNatsServer, type NatsServer, type ServiceProcess, FakeAgents, eventually } from '@berth/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startLeaderAndStandby } from './testing/scheduler-processes';

/*
 * kill -9 of the leader scheduler mid-rollout, with a standby running: the
 * standby takes the lease and finishes the rollout from the events alone,
 * deploying no host twice. Both schedulers are child processes; the agents
 * are fake, in this process, over NATS.
 */

const LEASE_TTL_S = 1.5;

let nats: NatsServer;
let nc: NatsConnection;
let agents: FakeAgents | undefined;
let store: JetStreamEventStore | undefined;
const schedulers: ServiceProcess[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
});

// one hook: agents, schedulers, then the server they are connected to
afterAll(async () => {
  agents?.stop();
  await store?.close();
  await nc?.close();
  for (const s of schedulers) await s.stop();
  await nats?.stop();
});

const waitUntil = (condition: () => Promise<boolean>, timeoutMs: number): Promise<void> => eventually(condition, { timeoutMs });

describe('rollout across a leader failover', () => {
  it('the standby finishes a rollout after kill -9 of the leader, deploying no host twice', async () => {
    const { leader: a, standby: b } = await startLeaderAndStandby(nats.url, LEASE_TTL_S);
    schedulers.push(a, b);
    const client = new SchedulerClient(nc, { actor: 'rollout-failover-test', timeoutMs: 2_000 });
    // status reports the killed leader took but never acknowledged come back only after the
    // consumer's ack_wait (30 s); agents' periodic full reports cover them sooner, as real agents' do
    agents = new FakeAgents(nc, { fullReportEveryMs: 1_000 });
    store = await JetStreamEventStore.connect({ nc });

    const hosts = Array.from({ length: 10 }, (_, i) => `fo-host${i + 1}`);
    for (const host of hosts) await agents.register(host, { role: 'fo' });
    await client.call(SchedulerCommand.CREATE_DEPLOYMENT_GROUP, { name: 'fo', selectors: ['role=fo'] });
    const { jobId } = await client.call<{ jobId: string }>(SchedulerCommand.CREATE_JOB, { job: { id: 'fo:1', image: 'local/busybox:1' } });
    // each batch of 2 takes at least a second (minHealthyTime): the kill lands mid-rollout
    const { rolloutId } = await client.call<{ rolloutId: string }>(SchedulerCommand.ROLLING_UPDATE, {
      group: 'fo',
      job: jobId,
      options: { parallelism: 2, minHealthyTime: 1, timeout: 30 },
    });
    const inspect = async () => (await client.call<{ rollout: RolloutDetail }>(SchedulerCommand.INSPECT_ROLLOUT, { id: rolloutId })).rollout;
    await waitUntil(async () => (await inspect()).batches >= 2, 15_000);

    process.kill(a.pid, 'SIGKILL');
    await a.exited;
    const before = await inspect().catch(() => undefined);
    expect(before?.status ?? 'ROLLING_OUT').toBe('ROLLING_OUT');

    await b.waitForOutput(/serving as leader/, (LEASE_TTL_S + 5) * 1000);
    const groupStatus = () => client.call<DeploymentGroupStatus>(SchedulerCommand.DEPLOYMENT_GROUP_STATUS, { name: 'fo' });
    await waitUntil(async () => (await groupStatus()).status === 'DONE', 20_000).catch(async (err: unknown) => {
      throw new Error(`${String(err)}\nrollout: ${JSON.stringify(await inspect().catch(() => undefined))}\nstandby:\n${b.output().slice(-4000)}`);
    });
    expect((await groupStatus()).hosts).toEqual(hosts.map((host) => ({ host, upToDate: true, job: jobId, state: 'RUNNING' })));
    expect(await inspect()).toMatchObject({ status: 'SUCCEEDED', batches: 5, progress: { HEALTHY: 10, total: 10 } });

    for (const host of hosts) {
      const deployed = (await store.read('deployment', host)).filter((e) => e.type === 'JobDeployed');
      expect(deployed).toHaveLength(1);
    }
    // one rollout, started once, finished once
    const events = await store.read('rollout', rolloutId);
    expect(events.filter((e) => e.type === 'RolloutStarted')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'RolloutSucceeded')).toHaveLength(1);
    const batches = events.filter((e) => e.type === 'BatchStarted').map((e) => (e.data as { hosts: string[] }).hosts);
    expect(batches.flat()).toEqual(hosts);
  }, 45_000);
});
