import { SchedulerCommand } from '@berth/contracts';
import type { SchedulerClient } from '@berth/scheduler-client';
import { type FakeAgents, eventually } from '@berth/testing';
import { SchedulerTestEnv } from './testing/scheduler-test-env';

/*
 * Issue 18.4: after an undeploy, the agent's STOPPING / STOPPED (or EXITED
 * with its code) are recorded in the job's history until the container is
 * gone, and nothing is recorded after it. Fake agents report what the real
 * agent reports for the stop (goal UNDEPLOY) over a real nats-server.
 */

jest.setTimeout(30_000);

let env: SchedulerTestEnv;
let client: SchedulerClient;
let agents: FakeAgents;

beforeAll(async () => {
  env = await SchedulerTestEnv.start({ actor: 'undeploy-history-test' });
  ({ client, agents } = env);
});

afterAll(async () => {
  await env?.stop();
});

interface HistoryRow {
  readonly host: string;
  readonly state: string;
  readonly exitCode?: number;
}

const history = async (jobId: string): Promise<HistoryRow[]> => (await client.call<{ history: HistoryRow[] }>(SchedulerCommand.JOB_HISTORY, { job: jobId })).history;
const statesOn = async (jobId: string, host: string): Promise<string[]> => (await history(jobId)).filter((row) => row.host === host).map((row) => row.state);

async function deployed(jobId: string, host: string): Promise<void> {
  await agents.register(host, { role: 'history' });
  await client.call(SchedulerCommand.DEPLOY, { job: jobId, host });
  await eventually(async () => (await statesOn(jobId, host)).includes('RUNNING'), { timeoutMs: 10_000 });
}

describe("the history of an undeployed task", () => {
  it('ends in STOPPED: STOPPING and STOPPED after the undeploy are recorded, a report after that is not', async () => {
    const jobId = await env.createJob({ id: 'hist:1', image: 'local/busybox:1' });
    await deployed(jobId, 'hist-host1');
    await client.call(SchedulerCommand.UNDEPLOY, { job: jobId, host: 'hist-host1' });

    await agents.report('hist-host1', jobId, 'STOPPING', { goal: 'UNDEPLOY' });
    await agents.report('hist-host1', jobId, 'STOPPED', { goal: 'UNDEPLOY' });
    await eventually(async () => (await statesOn(jobId, 'hist-host1')).at(-1) === 'STOPPED', { timeoutMs: 10_000 });
    expect(await statesOn(jobId, 'hist-host1')).toEqual(['RUNNING', 'STOPPING', 'STOPPED']);

    // the container is gone: a late report is not history; a marker report after it shows the projection caught up
    await agents.report('hist-host1', jobId, 'EXITED', { goal: 'UNDEPLOY', exitCode: 1 });
    const marker = await env.createJob({ id: 'hist-marker:1', image: 'local/busybox:1' });
    await deployed(marker, 'hist-host1');
    expect(await statesOn(jobId, 'hist-host1')).toEqual(['RUNNING', 'STOPPING', 'STOPPED']);
    expect((await client.call<{ total: number }>(SchedulerCommand.ANOMALIES, {})).total).toBe(0);
  });

  it('records an EXITED with its exit code (a container that died while stopping), then the STOPPED after it', async () => {
    const jobId = await env.createJob({ id: 'hist:2', image: 'local/busybox:1' });
    await deployed(jobId, 'hist-host2');
    await client.call(SchedulerCommand.UNDEPLOY, { job: jobId, host: 'hist-host2' });

    await agents.report('hist-host2', jobId, 'STOPPING', { goal: 'UNDEPLOY' });
    await agents.report('hist-host2', jobId, 'EXITED', { goal: 'UNDEPLOY', exitCode: 137 });
    await eventually(async () => (await statesOn(jobId, 'hist-host2')).at(-1) === 'EXITED', { timeoutMs: 10_000 });
    await agents.report('hist-host2', jobId, 'STOPPED', { goal: 'UNDEPLOY' });
    await eventually(async () => (await statesOn(jobId, 'hist-host2')).at(-1) === 'STOPPED', { timeoutMs: 10_000 });
    expect((await history(jobId)).filter((row) => row.host === 'hist-host2').map(({ state, exitCode }) => [state, exitCode])).toEqual([
      ['RUNNING', undefined],
      ['STOPPING', undefined],
      ['EXITED', 137],
      ['STOPPED', undefined],
    ]);
  });
});
