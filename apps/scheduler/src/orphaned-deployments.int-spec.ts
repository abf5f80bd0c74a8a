import { SchedulerCommand } from '@berth/contracts';
import type { SchedulerClient } from '@berth/scheduler-client';
import { eventually } from '@berth/testing';
import { SchedulerTestEnv } from './testing/scheduler-test-env';

/*
 * Issue 18.3: a removed deployment group leaves its deployments on the hosts;
 * remove-deployment-group says which, and they can be undeployed by naming
 * the removed group or with an admin's override (then the job can be removed). Fake agents over a real
 * nats-server.
 */

jest.setTimeout(30_000);

let env: SchedulerTestEnv;
let client: SchedulerClient;

beforeAll(async () => {
  env = await SchedulerTestEnv.start({ actor: 'orphans-test' });
  ({ client } = env);
});

afterAll(async () => {
  await env?.stop();
});

async function jobsOn(host: string): Promise<string[]> {
  const status = await client.call<{ deployments: { jobId: string }[] }>(SchedulerCommand.HOST_STATUS, { host });
  return status.deployments.map((d) => d.jobId).sort();
}

async function refusal(command: string, body: object): Promise<{ code: string; message: string }> {
  try {
    await client.call(command, body);
  } catch (err) {
    const { code, message } = err as { code: string; message: string };
    return { code, message };
  }
  throw new Error(`${command} was accepted`);
}

describe('deployments left behind by a removed deployment group', () => {
  it('are listed by remove-deployment-group, undeployed by naming the removed group, and the job can then be removed', async () => {
    const jobId = await env.createJob({ id: 'orphan:1', image: 'local/busybox:1' });
    const hosts = ['orphan-host2', 'orphan-host10', 'orphan-host1'];
    await env.fleet('orphans', hosts);
    await env.rollingUpdate('orphans', jobId, { parallelism: 3 });
    await eventually(async () => (await env.groupStatus('orphans')).status === 'DONE', { timeoutMs: 10_000 });

    const removed = await client.call<{ status: string; leftBehind: { host: string; jobId: string }[] }>(SchedulerCommand.REMOVE_DEPLOYMENT_GROUP, { name: 'orphans' });
    expect(removed.status).toBe('REMOVED');
    expect(removed.leftBehind).toEqual(['orphan-host1', 'orphan-host2', 'orphan-host10'].map((host) => ({ host, jobId })));

    // without the group's name: refused, and the answer says how
    const forbidden = await refusal(SchedulerCommand.UNDEPLOY, { job: jobId, host: 'orphan-host1' });
    expect(forbidden.code).toBe('FORBIDDEN');
    expect(forbidden.message).toContain('deployment group orphans');
    expect((await refusal(SchedulerCommand.UNDEPLOY, { job: jobId, host: 'orphan-host1', deploymentGroupName: 'other' })).code).toBe('FORBIDDEN');
    expect((await refusal(SchedulerCommand.REMOVE_JOB, { job: jobId })).code).toBe('STILL_IN_USE');

    // by naming the removed group, or with an admin's override (the gateway checks the role)
    const how = [{ deploymentGroupName: 'orphans' }, { deploymentGroupName: 'orphans' }, { overrideGroup: true }];
    for (const [i, host] of hosts.entries()) {
      const undeployed = await client.call<{ status: string }>(SchedulerCommand.UNDEPLOY, { job: jobId, host, ...how[i] });
      expect(undeployed.status).toBe('UNDEPLOYED');
      expect(await jobsOn(host)).toEqual([]);
    }
    expect(await client.call<{ jobId: string }>(SchedulerCommand.REMOVE_JOB, { job: jobId })).toMatchObject({ jobId });
    expect((await refusal(SchedulerCommand.INSPECT_JOB, { job: jobId })).code).toBe('JOB_NOT_FOUND');
  });
});
