import { SchedulerCommand, agentSubjects, type TaskStatusReport } from '@berth/contracts';
import { JetStreamEventStore } from '@berth/event-store';
import { SchedulerClient } from '@berth/scheduler-client';
import { startNatsServer, type NatsServer, eventually } from '@berth/testing';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { loadSchedulerConfig } from './config';
import { startScheduler, type RunningScheduler } from './scheduler';
import { SCHEDULER_SNAPSHOT } from './snapshotter';
import { newSchedulerState, silentLogger } from './testing/in-memory-scheduler';

let nats: NatsServer;
let nc: NatsConnection;
let store: JetStreamEventStore;
const running = new Set<RunningScheduler>();

const args = (...extra: string[]) => loadSchedulerConfig(['--nats', nats.url, '--http-port', '0', ...extra], {});

async function start(...extra: string[]): Promise<RunningScheduler> {
  const s = await startScheduler(args(...extra), silentLogger);
  running.add(s);
  return s;
}

async function stop(s: RunningScheduler): Promise<void> {
  running.delete(s);
  await s.stop();
}

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  store = await JetStreamEventStore.connect({ nc });
});

// one hook: schedulers, then the client, then the server
afterAll(async () => {
  for (const s of running) await s.stop();
  await store?.close();
  await nc?.drain();
  await nats?.stop();
});

const waitUntil = (condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> => eventually(condition, { timeoutMs });

describe('scheduler restart', () => {
  it('restores from the snapshot plus the stream tail to the same state as a full replay', async () => {
    const first = await start('--snapshot-every', '7');
    const client = new SchedulerClient(nc, { actor: 'restart-test' });
    for (const host of ['h1', 'h2', 'h3']) await client.call(SchedulerCommand.REGISTER_HOST, { host, agentId: `agent-${host}`, labels: { zone: host } });
    const jobIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { jobId } = await client.call<{ jobId: string }>(SchedulerCommand.CREATE_JOB, { job: { id: `svc-${i}:1`, image: 'local/busybox:1', ports: { http: { internalPort: 80 } } } });
      jobIds.push(jobId);
      await client.call(SchedulerCommand.DEPLOY, { job: jobId, host: `h${(i % 3) + 1}` });
    }
    await client.call(SchedulerCommand.STOP, { job: jobIds[0], host: 'h1' });
    await client.call(SchedulerCommand.UNDEPLOY, { job: jobIds[1], host: 'h2' });
    // task status from an agent, so the job history is part of the state
    const js = jetstream(nc);
    const report = (state: string, time: string): TaskStatusReport => ({
      host: 'h3',
      agentId: 'agent-h3',
      time,
      full: false,
      tasks: [{ jobId: jobIds[2] as string, goal: 'START', state: state as 'RUNNING', throttled: 'NO', ports: {}, containerId: 'c1', time }],
    });
    await js.publish(agentSubjects('h3').status, JSON.stringify(report('CREATING', '2026-01-01T00:00:01.000Z')));
    await js.publish(agentSubjects('h3').status, JSON.stringify(report('RUNNING', '2026-01-01T00:00:02.000Z')));
    await waitUntil(async () => first.history.history(jobIds[2] as string).length === 2);
    await client.call(SchedulerCommand.REGISTER_HOST, { host: 'h4', agentId: 'agent-h4' });
    const lastSequence = first.view.projection.sequence;
    await waitUntil(async () => ((await store.loadSnapshot(SCHEDULER_SNAPSHOT))?.sequence ?? 0) > 0);
    await stop(first);

    const snapshot = await store.loadSnapshot(SCHEDULER_SNAPSHOT);
    expect(snapshot?.sequence).toBeGreaterThan(0);
    const second = await start('--snapshot-every', '7');
    expect(second.restoredFrom).toBe(snapshot?.sequence);
    // everything the first wrote, and the second's own leader-term marker (leader-fence.ts) after it
    expect(second.view.projection.sequence).toBe(await store.lastSequence());
    expect((await store.readAppend(second.view.projection.sequence)).map((e) => [e.aggregate, e.type])).toEqual([['leader-term', 'LeaderTermStarted']]);
    expect(second.view.projection.sequence).toBeGreaterThan(lastSequence);

    const replayed = newSchedulerState();
    const following = replayed.projection.follow(store);
    await following.caughtUp;
    await following.stop();
    expect(second.view.projection.toSnapshot()).toEqual(replayed.projection.toSnapshot());
    expect(second.history.toState()).toEqual(replayed.history.toState());
    expect(second.history.history(jobIds[2] as string).map((h) => h.state)).toEqual(['CREATING', 'RUNNING']);
    await stop(second);
  });

  it('reports its role: leader in /metrics and ready in /readyz', async () => {
    const s = await start();
    expect(s.role()).toBe('leader');
    expect((await fetch(`${s.healthUrl}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${s.healthUrl}/metrics`)).text()).toMatch(/^berth_scheduler_leader\{[^}]*\} 1$/m);
    const standby = await start();
    expect(standby.role()).toBe('standby');
    expect((await fetch(`${standby.healthUrl}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${standby.healthUrl}/metrics`)).text()).toMatch(/^berth_scheduler_leader\{[^}]*\} 0$/m);
    await stop(standby);
    await stop(s);
  });

  it('undeploys and removes a job when it expires', async () => {
    const s = await start();
    const client = new SchedulerClient(nc, { actor: 'expiry-test' });
    await client.call(SchedulerCommand.REGISTER_HOST, { host: 'eh', agentId: 'agent-eh' });
    const expires = new Date(Date.now() + 1_500).toISOString();
    const { jobId } = await client.call<{ jobId: string }>(SchedulerCommand.CREATE_JOB, { job: { id: 'ephemeral:1', image: 'local/busybox:1', expires } });
    await client.call(SchedulerCommand.DEPLOY, { job: jobId, host: 'eh' });
    await waitUntil(async () => (await client.request(SchedulerCommand.INSPECT_JOB, { job: jobId })).ok === false, 5_000);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expires));
    const events = (await store.read('deployment', 'eh')).map((e) => [e.type, e.actor]);
    expect(events).toEqual([
      ['JobDeployed', 'expiry-test'],
      ['JobUndeployed', 'scheduler'],
    ]);
    await stop(s);
  });
});
