import { SchedulerCommand, type StoredEvent } from '@berth/contracts';
import { JetStreamEventStore } from '@berth/event-store';
import { SchedulerClient } from '@berth/scheduler-client';
import { createLogger } from '@berth/service';
import { eventually, startNatsServer, startService, type NatsServer, type ServiceProcess } from '@berth/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from './agent';
import { loadAgentConfig } from './config';

/*
 * Issue 18.6: `rolling-update --migrate` adopts a job deployed by hand by
 * undeploying that copy and deploying the group's in one go. The agent sees
 * the same job in its desired state before and after, so nothing changes on
 * the host and no transition is reported; the new deployment stood at
 * UNKNOWN until the agent's next full report (every 60 s by default), and the
 * rollout waited for it. The agent now re-reports a task whose deployment is
 * new. A real nats-server, the scheduler as a process and a real agent
 * (on the simulated runtime: Docker is not the point) whose periodic full
 * report is an hour away: the rollout can only finish on that re-report.
 */

jest.setTimeout(60_000);

const HOST = 'migrate-host';
let nats: NatsServer;
let scheduler: ServiceProcess;
let nc: NatsConnection;
let store: JetStreamEventStore;
let client: SchedulerClient;
let agent: Agent | undefined;
const stateDir = mkdtempSync(join(tmpdir(), 'berth-agent-migrate-'));

beforeAll(async () => {
  nats = await startNatsServer();
  scheduler = startService('scheduler', 'apps/scheduler/src/main.ts', ['--nats', nats.url, '--http-port', '0']);
  await scheduler.waitForOutput(/scheduler serving/);
  nc = await connect({ servers: nats.url });
  store = await JetStreamEventStore.connect({ nc });
  client = new SchedulerClient(nc, { actor: 'migrate-test' });
  const config = loadAgentConfig(
    ['--name', HOST, '--nats', nats.url, '--state-dir', stateDir, '--simulated', 'true', '--id', `m${process.pid}`, '--labels', 'role=migrate', '--heartbeat-interval', '0.2', '--full-report-interval', '3600'],
    {},
  );
  agent = await Agent.start(config, { logger: createLogger('agent-test', 'silent'), http: false });
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await store?.close();
  await nc?.drain();
  await scheduler?.stop();
  await nats?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

const dataOf = (e: StoredEvent) => e.data as { jobId?: string; status?: { jobId: string; state: string } };

it('rolling-update --migrate adopts a job deployed by hand without waiting for the full report: the new deployment gets its RUNNING at once', async () => {
  const { jobId } = await client.call<{ jobId: string }>(SchedulerCommand.CREATE_JOB, { job: { id: 'adopted:1', image: 'local/busybox:1', command: ['sleep', '600'] } });
  await eventually(async () => (await client.call<{ hosts: { host: string }[] }>(SchedulerCommand.LIST_HOSTS, {})).hosts.some((h) => h.host === HOST), { what: 'the agent registered' });
  await client.call(SchedulerCommand.DEPLOY, { job: jobId, host: HOST });
  const running = async () => (await client.call<{ deployments: { jobId: string; state: string; deploymentGroupName?: string }[] }>(SchedulerCommand.HOST_STATUS, { host: HOST })).deployments;
  await eventually(async () => (await running()).some((d) => d.jobId === jobId && d.state === 'RUNNING'), { what: 'the hand-deployed copy RUNNING' });

  await client.call(SchedulerCommand.CREATE_DEPLOYMENT_GROUP, { name: 'migrate-group', selectors: ['role=migrate'] });
  await client.call(SchedulerCommand.ROLLING_UPDATE, { group: 'migrate-group', job: jobId, options: { migrate: true, timeout: 30 } });
  await eventually(async () => (await client.call<{ status: string }>(SchedulerCommand.DEPLOYMENT_GROUP_STATUS, { name: 'migrate-group' })).status === 'DONE', {
    timeoutMs: 20_000,
    what: 'the group DONE',
  });
  expect(await running()).toEqual([expect.objectContaining({ jobId, state: 'RUNNING', deploymentGroupName: 'migrate-group' })]);

  // the copy was undeployed and the group's deployed; the agent reported RUNNING for the group's deployment
  const events = await store.read('deployment', HOST);
  const redeployed = events.findLastIndex((e) => e.type === 'JobDeployed' && dataOf(e).jobId === jobId);
  expect(events.filter((e) => e.type === 'JobDeployed' || e.type === 'JobUndeployed').map((e) => e.type)).toEqual(['JobDeployed', 'JobUndeployed', 'JobDeployed']);
  const after = events.slice(redeployed + 1).filter((e) => e.type === 'TaskStatusChanged' && dataOf(e).status?.jobId === jobId);
  expect(after.map((e) => dataOf(e).status?.state)).toContain('RUNNING');
});
