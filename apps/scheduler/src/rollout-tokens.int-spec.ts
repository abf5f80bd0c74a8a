import { SchedulerCommand } from '@berth/contracts';
import type { RolloutDetail } from '@berth/read-model';
import type { SchedulerClient } from '@berth/scheduler-client';
import { eventually } from '@berth/testing';
import { SchedulerTestEnv } from './testing/scheduler-test-env';

/*
 * Issue 18.2: a rollout takes the new job's token (`token`) and the replaced
 * job's (`oldJobToken`) separately, so a group moves from a token-less job
 * to a tokened one and back, and between two tokens. Fake agents over a real
 * nats-server.
 */

jest.setTimeout(30_000);

let env: SchedulerTestEnv;
let client: SchedulerClient;

beforeAll(async () => {
  env = await SchedulerTestEnv.start({ actor: 'rollout-tokens-test' });
  ({ client } = env);
});

afterAll(async () => {
  await env?.stop();
});

const rollout = async (id: string) => (await client.call<{ rollout: RolloutDetail }>(SchedulerCommand.INSPECT_ROLLOUT, { id })).rollout;

async function finished(id: string): Promise<RolloutDetail> {
  await eventually(async () => ['SUCCEEDED', 'FAILED', 'REVERTED'].includes((await rollout(id)).status), { timeoutMs: 10_000 });
  return rollout(id);
}

async function jobsOn(host: string): Promise<string[]> {
  const status = await client.call<{ deployments: { jobId: string }[] }>(SchedulerCommand.HOST_STATUS, { host });
  return status.deployments.map((d) => d.jobId).sort();
}

describe('rolling updates between jobs with different tokens', () => {
  const hosts = ['tok-host1', 'tok-host2', 'tok-host3'];

  it('token-less → tokened → another token → token-less, each with its own old-job token', async () => {
    const open = await env.createJob({ id: 'tk:1', image: 'local/busybox:1' });
    const closed = await env.createJob({ id: 'tk:2', image: 'local/busybox:2', token: 'sesame' });
    const other = await env.createJob({ id: 'tk:3', image: 'local/busybox:3', token: 'open-up' });
    await env.fleet('tok', hosts);
    expect((await finished(await env.rollingUpdate('tok', open))).status).toBe('SUCCEEDED');

    // one token for both (Helios): the token-less job cannot be undeployed with the new job's token
    const oneToken = await finished(await env.rollingUpdate('tok', closed, { token: 'sesame' }));
    expect(oneToken.status).toBe('FAILED');
    expect(oneToken.hosts[0]?.failure?.message).toMatch(/token/i);
    for (const host of hosts) expect(await jobsOn(host)).toEqual([open]);

    const steps: [string, object][] = [
      [closed, { token: 'sesame', oldJobToken: '' }],
      [other, { token: 'open-up', oldJobToken: 'sesame' }],
      [open, { oldJobToken: 'open-up' }],
    ];
    for (const [jobId, options] of steps) {
      const done = await finished(await env.rollingUpdate('tok', jobId, options));
      expect({ jobId, status: done.status, error: done.error }).toEqual({ jobId, status: 'SUCCEEDED', error: undefined });
      for (const host of hosts) expect(await jobsOn(host)).toEqual([jobId]);
    }
    // the group records its last stable job in an event of its own, after the rollout's SUCCEEDED
    await eventually(async () => (await env.groupStatus('tok')).lastStableJobId === open, { timeoutMs: 10_000 }).catch(() => undefined);
    expect((await env.groupStatus('tok')).lastStableJobId).toBe(open);
  });
});
