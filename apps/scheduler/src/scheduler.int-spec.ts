import { EVENTS_STREAM, STATUS_STREAM, SchedulerCommand, agentSubjects, type DesiredState, type TaskStatusReport } from '@berth/contracts';
import { SchedulerClient } from '@berth/scheduler-client';
import { createLogger } from '@berth/service';
import { startNatsServer, type NatsServer, eventually } from '@berth/testing';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { loadSchedulerConfig } from './config';
import { startScheduler, type RunningScheduler } from './scheduler';

let nats: NatsServer;
let scheduler: RunningScheduler;
let nc: NatsConnection;
let client: SchedulerClient;

const job = (name: string, extra: object = {}) => ({ id: `${name}:1`, image: 'local/busybox:1', command: ['sleep', '300'], ...extra });

async function eventCount(): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info(EVENTS_STREAM)).state.messages;
}

beforeAll(async () => {
  nats = await startNatsServer();
  const config = loadSchedulerConfig(['--nats', nats.url, '--http-port', '0', '--host-down-after', '1'], {});
  scheduler = await startScheduler(config, createLogger('scheduler', 'silent'));
  nc = await connect({ servers: nats.url });
  client = new SchedulerClient(nc, { actor: 'alice' });
});

// one hook, so the scheduler stops before the server it is connected to
afterAll(async () => {
  await nc?.drain();
  await scheduler?.stop();
  await nats?.stop();
});

describe('scheduler through its NATS API', () => {
  it('creates, deploys, reports status, undeploys and removes a job', async () => {
    const created = await client.call<{ jobId: string }>(SchedulerCommand.CREATE_JOB, { job: job('web', { ports: { http: { internalPort: 8080 } } }) });
    expect(created.jobId).toMatch(/^web:1:[0-9a-f]{40}$/);
    await client.call(SchedulerCommand.REGISTER_HOST, { host: 'host-1', agentId: 'agent-1', labels: { role: 'web' } });

    const deployed = await client.call<{ status: string; ports: Record<string, number> }>(SchedulerCommand.DEPLOY, { job: 'web:1', host: 'host-1' });
    expect(deployed.status).toBe('DEPLOYED');
    expect(deployed.ports['http']).toBeGreaterThanOrEqual(20000);

    const status = await client.call<{ deployments: { host: string; goal: string; state: string }[] }>(SchedulerCommand.JOB_STATUS, { job: 'web' });
    expect(status.deployments).toEqual([expect.objectContaining({ host: 'host-1', goal: 'START', state: 'UNKNOWN' })]);

    await expect(client.call(SchedulerCommand.REMOVE_JOB, { job: 'web:1' })).rejects.toMatchObject({ code: 'STILL_IN_USE' });
    await expect(client.call(SchedulerCommand.UNDEPLOY, { job: 'web:1', host: 'host-1' })).resolves.toMatchObject({ status: 'UNDEPLOYED' });
    await expect(client.call(SchedulerCommand.REMOVE_JOB, { job: 'web:1' })).resolves.toMatchObject({ jobId: created.jobId });
    await expect(client.call(SchedulerCommand.INSPECT_JOB, { job: 'web:1' })).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
  });

  it('records the actor and a correlation id on every event', async () => {
    await client.call(SchedulerCommand.CREATE_JOB, { actor: 'bob', correlationId: 'corr-42', job: job('audited') });
    const js = jetstream(nc);
    const c = await js.consumers.get(EVENTS_STREAM, { filter_subjects: ['berth.evt.job.>'] });
    const messages = await c.fetch({ max_messages: 100, expires: 1000 });
    const events: { actor: string; correlationId: string; type: string }[] = [];
    for await (const m of messages) {
      events.push(...(m.json() as { events: { actor: string; correlationId: string; type: string }[] }).events);
      if (m.info.pending === 0) break;
    }
    expect(events.find((e) => e.correlationId === 'corr-42')).toMatchObject({ actor: 'bob', type: 'JobCreated' });
  });

  it.each([
    ['INVALID_JOB_DEFINITION', SchedulerCommand.CREATE_JOB, { job: { id: 'BAD NAME:1', image: 'Upper/Case' } }],
    ['JOB_NOT_FOUND', SchedulerCommand.DEPLOY, { job: 'nope:1', host: 'host-1' }],
    ['HOST_NOT_FOUND', SchedulerCommand.DEPLOY, { job: 'audited:1', host: 'ghost' }],
    ['HOST_NOT_FOUND', SchedulerCommand.HOST_STATUS, { host: 'ghost' }],
    ['JOB_NOT_DEPLOYED', SchedulerCommand.STOP, { job: 'audited:1', host: 'host-1' }],
    ['INVALID_REQUEST', SchedulerCommand.DEPLOY, { job: 42, host: '' }],
    ['INVALID_REQUEST', SchedulerCommand.CREATE_JOB, { job: {}, unexpected: true }],
    ['INVALID_HOST_SELECTOR', SchedulerCommand.LIST_HOSTS, { selectors: ['role=='] }],
    ['UNKNOWN_COMMAND', 'no-such-command', {}],
  ])('answers %s for %s and writes nothing', async (code, command, body) => {
    const before = await eventCount();
    const response = await client.request(command, body);
    expect(response).toMatchObject({ ok: false, error: { code } });
    expect(await eventCount()).toBe(before);
  });

  it('answers JOB_ALREADY_EXISTS, JOB_ALREADY_DEPLOYED, PORT_CONFLICT, FORBIDDEN and AMBIGUOUS_JOB_REFERENCE', async () => {
    await client.call(SchedulerCommand.REGISTER_HOST, { host: 'host-2', agentId: 'agent-2' });
    await client.call(SchedulerCommand.CREATE_JOB, { job: job('static-a', { ports: { p: { internalPort: 80, externalPort: 8080 } } }) });
    await client.call(SchedulerCommand.CREATE_JOB, { job: job('static-b', { ports: { p: { internalPort: 80, externalPort: 8080 } } }) });
    await client.call(SchedulerCommand.CREATE_JOB, { job: job('secret', { token: 's3cret' }) });
    await client.call(SchedulerCommand.CREATE_JOB, { job: job('twin', { env: { A: '1' } }) });
    await client.call(SchedulerCommand.CREATE_JOB, { job: job('twin', { env: { A: '2' } }) });

    await expect(client.call(SchedulerCommand.CREATE_JOB, { job: job('secret', { token: 's3cret' }) })).rejects.toMatchObject({ code: 'JOB_ALREADY_EXISTS' });
    await client.call(SchedulerCommand.DEPLOY, { job: 'static-a:1', host: 'host-2', goal: 'STOP' });
    await expect(client.call(SchedulerCommand.DEPLOY, { job: 'static-a:1', host: 'host-2' })).rejects.toMatchObject({ code: 'JOB_ALREADY_DEPLOYED' });
    await expect(client.call(SchedulerCommand.DEPLOY, { job: 'static-b:1', host: 'host-2' })).rejects.toMatchObject({ code: 'PORT_CONFLICT' });
    await expect(client.call(SchedulerCommand.DEPLOY, { job: 'secret:1', host: 'host-2' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(client.call(SchedulerCommand.DEPLOY, { job: 'secret:1', host: 'host-2', token: 's3cret' })).resolves.toMatchObject({ status: 'DEPLOYED' });
    await expect(client.call(SchedulerCommand.DEPLOY, { job: 'twin:1', host: 'host-2' })).rejects.toMatchObject({ code: 'AMBIGUOUS_JOB_REFERENCE' });
  });

  it('lets exactly one of two concurrent deploys of a job to a host succeed', async () => {
    await client.call(SchedulerCommand.REGISTER_HOST, { host: 'host-3', agentId: 'agent-3' });
    await client.call(SchedulerCommand.CREATE_JOB, { job: job('race') });
    const results = await Promise.all([0, 1].map(() => client.request(SchedulerCommand.DEPLOY, { job: 'race:1', host: 'host-3' })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ error: { code: 'JOB_ALREADY_DEPLOYED' } });
  });

  it('lists hosts by Helios selectors', async () => {
    await client.call(SchedulerCommand.REGISTER_HOST, { host: 'sel-1', agentId: 'a', labels: { role: 'web', zone: 'a' } });
    await client.call(SchedulerCommand.REGISTER_HOST, { host: 'sel-2', agentId: 'b', labels: { role: 'db', zone: 'b' } });
    const hosts = async (selectors: string[]) =>
      (await client.call<{ hosts: { host: string }[] }>(SchedulerCommand.LIST_HOSTS, { pattern: 'sel-', selectors })).hosts.map((h) => h.host);
    expect(await hosts(['role=web'])).toEqual(['sel-1']);
    expect(await hosts(['role!=web'])).toEqual(['sel-2']);
    expect(await hosts(['zone in (a, b)'])).toEqual(['sel-1', 'sel-2']);
    expect(await hosts(['zone notin (a)', 'role=db'])).toEqual(['sel-2']);
  });
});

describe('agent protocol', () => {
  it('pushes desired state on deploy and turns status reports into job history', async () => {
    const host = 'agent-host';
    const subjects = agentSubjects(host);
    const agent = await connect({ servers: nats.url });
    try {
      const registered = await agent.request(subjects.register, JSON.stringify({ host, agentId: 'ag-1', labels: {}, info: { cpus: 2 } }));
      expect(registered.json()).toMatchObject({ ok: true, result: { status: 'REGISTERED' } });

      const desired = agent.subscribe(subjects.desired, { max: 1 });
      const { jobId } = await client.call<{ jobId: string }>(SchedulerCommand.CREATE_JOB, { job: job('reported') });
      await client.call(SchedulerCommand.DEPLOY, { job: jobId, host });
      let pushed: DesiredState | undefined;
      for await (const m of desired) pushed = m.json() as DesiredState;
      expect(pushed?.tasks).toEqual([expect.objectContaining({ jobId, goal: 'START' })]);

      const fetched = await agent.request(subjects.desiredRequest, JSON.stringify({ host, agentId: 'ag-1' }));
      expect((fetched.json() as { result: DesiredState }).result.tasks.map((t) => t.jobId)).toEqual([jobId]);

      const js = jetstream(agent);
      const report = (state: string, time: string): TaskStatusReport => ({
        host,
        agentId: 'ag-1',
        time,
        full: false,
        tasks: [{ jobId, goal: 'START', state: state as 'RUNNING', throttled: 'NO', ports: {}, containerId: 'c1', time }],
      });
      await js.publish(subjects.status, JSON.stringify(report('CREATING', '2026-01-01T00:00:01.000Z')));
      await js.publish(subjects.status, JSON.stringify(report('RUNNING', '2026-01-01T00:00:02.000Z')));
      await waitUntil(async () => {
        const h = await client.call<{ history: { state: string }[] }>(SchedulerCommand.JOB_HISTORY, { job: jobId });
        return h.history.length === 2;
      });
      const history = await client.call<{ history: { state: string; host: string }[] }>(SchedulerCommand.JOB_HISTORY, { job: jobId });
      expect(history.history.map((h) => [h.host, h.state])).toEqual([[host, 'CREATING'], [host, 'RUNNING']]);
      const jsm = await jetstreamManager(agent);
      expect((await jsm.streams.info(STATUS_STREAM)).config.storage).toBe('memory');
    } finally {
      await agent.drain();
    }
  });

  it('marks a silent host DOWN and a heartbeating one UP again', async () => {
    const host = 'beating';
    const subjects = agentSubjects(host);
    await client.call(SchedulerCommand.REGISTER_HOST, { host, agentId: 'hb-1' });
    await waitUntil(async () => (await client.call<{ status: string }>(SchedulerCommand.HOST_STATUS, { host })).status === 'DOWN');
    nc.publish(subjects.heartbeat, JSON.stringify({ host, agentId: 'hb-1', time: new Date().toISOString() }));
    await waitUntil(async () => (await client.call<{ status: string }>(SchedulerCommand.HOST_STATUS, { host })).status === 'UP');
  });

  it('refuses an agent registering another host', async () => {
    const reply = await nc.request(agentSubjects('mine').register, JSON.stringify({ host: 'theirs', agentId: 'x' }));
    expect(reply.json()).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

const waitUntil = (condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> => eventually(condition, { timeoutMs });
