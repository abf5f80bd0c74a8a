import { SchedulerCommand } from '@berth/contracts';
import { jobDecider, type Anomaly, type DomainEvent, type Job } from '@berth/domain';
import { JetStreamEventStore, toNewEvent } from '@berth/event-store';
import { Aggregate } from '@berth/read-model';
import { SchedulerClient } from '@berth/scheduler-client';
import { FakeAgents, eventually, startNatsServer, type NatsServer } from '@berth/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { loadSchedulerConfig } from './config';
import { startScheduler, type RunningScheduler } from './scheduler';
import { silentLogger } from './testing/in-memory-scheduler';

let nats: NatsServer;
let nc: NatsConnection;
let store: JetStreamEventStore;
let agents: FakeAgents;
const running = new Set<RunningScheduler>();

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  store = await JetStreamEventStore.connect({ nc });
  agents = new FakeAgents(nc);
});

afterAll(async () => {
  agents?.stop();
  for (const s of running) await s.stop();
  await store?.close();
  await nc?.drain();
  await nats?.stop();
});

async function start(): Promise<RunningScheduler> {
  const s = await startScheduler(loadSchedulerConfig(['--nats', nats.url, '--http-port', '0', '--lease-ttl', '2'], {}), silentLogger);
  running.add(s);
  return s;
}

async function append(aggregate: string, aggregateId: string, expectedVersion: number, event: DomainEvent): Promise<number> {
  const meta = { actor: 'hand-edit', correlationId: 'poison', causationId: 'poison', time: new Date().toISOString() };
  return (await store.append(aggregate, aggregateId, expectedVersion, [toNewEvent(event, meta, randomUUID)])).lastSequence;
}

interface AnomaliesResult {
  readonly total: number;
  readonly anomalies: Anomaly[];
  readonly sequence: number;
}

describe('a scheduler over a history its rules would never have written', () => {
  it('leads, serves commands and reports the anomaly when the stream holds JobRemoved then JobDeployed of the removed job', async () => {
    // what a racing remove-job and deploy wrote (issue 16): the deployment of a job already removed
    const [created] = jobDecider.decide({ type: 'CreateJob', job: { id: 'gone:1', image: 'local/busybox:1' }, time: new Date().toISOString() }, jobDecider.initialState);
    const gone = (created as { job: Job }).job;
    await append(Aggregate.JOB, gone.id, 0, created as DomainEvent);
    await append(Aggregate.JOB, gone.id, 1, { type: 'JobRemoved', jobId: gone.id } as DomainEvent);
    const poison = await append(Aggregate.DEPLOYMENT, 'h1', 0, {
      type: 'JobDeployed', host: 'h1', jobId: gone.id, goal: 'START', ports: {}, protocols: {}, token: '', time: new Date().toISOString(),
    } as DomainEvent);
    const expected: Anomaly = { sequence: poison, aggregate: Aggregate.DEPLOYMENT, aggregateId: 'h1', eventType: 'JobDeployed', reason: `deployed job ${gone.id} is unknown (never created, or removed)` };

    const first = await start();
    await eventually(() => first.role() === 'leader', { timeoutMs: 10_000 });
    const client = new SchedulerClient(nc, { actor: 'anomaly-test' });

    // the poisoned host takes new work: its desired state is sent (without the removed job) and the agent runs it
    await agents.register('h1', {});
    const { jobId } = await client.call<{ jobId: string }>(SchedulerCommand.CREATE_JOB, { job: { id: 'web:1', image: 'local/busybox:1' } });
    await client.call(SchedulerCommand.DEPLOY, { job: jobId, host: 'h1' });
    await eventually(async () => {
      const status = await client.call<{ deployments: { host: string; state: string }[] }>(SchedulerCommand.JOB_STATUS, { job: jobId });
      return status.deployments.some((d) => d.host === 'h1' && d.state === 'RUNNING');
    });

    const anomalies = await client.call<AnomaliesResult>(SchedulerCommand.ANOMALIES, {});
    expect(anomalies.total).toBe(1);
    expect(anomalies.anomalies).toEqual([expected]);
    expect(anomalies.sequence).toBeGreaterThan(poison);
    const metrics = await (await fetch(`${first.healthUrl}/metrics`)).text();
    expect(metrics).toContain('berth_projection_anomalies_total{type="JobDeployed",service="scheduler"} 1');

    // a standby replays the same history and takes over: it leads, serves and reports the same anomaly
    const standby = await start();
    expect(standby.role()).toBe('standby');
    running.delete(first);
    await first.stop();
    await eventually(() => standby.role() === 'leader', { timeoutMs: 10_000 });
    // leader as soon as it holds the lease; serving once its term has started
    await eventually(async () => (await client.call<AnomaliesResult>(SchedulerCommand.ANOMALIES, {})).total === 1, { timeoutMs: 10_000 });
    const { jobId: next } = await client.call<{ jobId: string }>(SchedulerCommand.CREATE_JOB, { job: { id: 'web:2', image: 'local/busybox:1' } });
    await client.call(SchedulerCommand.DEPLOY, { job: next, host: 'h1' });
    const after = await client.call<AnomaliesResult>(SchedulerCommand.ANOMALIES, {});
    expect(after.anomalies).toEqual([expected]);
  });
});
