import { PipelineCommand, SchedulerCommand, gateSubject, type CommandResponse } from '@berth/contracts';
import type { JetStreamEventStore } from '@berth/event-store';
import type { ReleaseDetail } from '@berth/read-model';
import type { SchedulerClient } from '@berth/scheduler-client';
import { type FakeAgents, eventually } from '@berth/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { SchedulerTestEnv } from './testing/scheduler-test-env';

jest.setTimeout(30_000);

let env: SchedulerTestEnv;
let nc: NatsConnection;
let store: JetStreamEventStore;
let client: SchedulerClient;
let agents: FakeAgents;
let v1: string;
let v2: string;

beforeAll(async () => {
  env = await SchedulerTestEnv.start({ actor: 'release-test' });
  ({ nc, store, client, agents } = env);
  v1 = await env.createJob({ id: 'svc:1', image: 'local/busybox:1' });
  v2 = await env.createJob({ id: 'svc:2', image: 'local/busybox:2' });
});

afterAll(async () => {
  await env?.stop();
});

const waitUntil = (condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> => eventually(condition, { timeoutMs });
const groupStatus = (name: string) => env.groupStatus(name);
const release = async (id: string) => (await client.call<{ release: ReleaseDetail }>(PipelineCommand.INSPECT_RELEASE, { id })).release;
const waitForRelease = (id: string, check: (r: ReleaseDetail) => boolean) => waitUntil(async () => check(await release(id)));
const step = (r: ReleaseDetail, name: string) => r.steps.find((s) => s.name === name);

/** Hosts labelled role=<group>, the group, and every host on `jobId`. */
async function groupOn(group: string, hosts: readonly string[], jobId: string): Promise<void> {
  await env.fleet(group, hosts);
  await client.call(SchedulerCommand.ROLLING_UPDATE, { group, job: jobId, options: { parallelism: hosts.length } });
  await waitUntil(async () => (await groupStatus(group)).status === 'DONE');
}

async function expectGroupOn(group: string, jobId: string): Promise<void> {
  const status = await groupStatus(group);
  expect(status.hosts.length).toBeGreaterThan(0);
  expect(status.hosts.every((h) => h.job === jobId && h.upToDate && h.state === 'RUNNING')).toBe(true);
}

const pipeline = (service: string) => `pipeline:
- gate: itest
  timeout: 600
- step: "{service}.canary"
  trigger_next_step_manually: true
- step: ${service}.main
`;

describe('pipelines and releases through the NATS API', () => {
  it('refuses a malformed pipeline with the line of each problem, and stores nothing', async () => {
    const error = await client.call(PipelineCommand.SET_PIPELINE, { service: 'svc', source: 'pipeline:\n- step: a\n  timeout: soon\n' }).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'INVALID_PIPELINE', details: { problems: [{ path: 'pipeline[0].timeout', line: 3, message: expect.stringContaining('seconds') }] } });
    await expect(client.call(PipelineCommand.INSPECT_PIPELINE, { service: 'svc' })).rejects.toMatchObject({ code: 'PIPELINE_NOT_FOUND' });
  });

  it('validates a file against the cluster: unknown groups, groups reaching no host, uncovered groups', async () => {
    await groupOn('svc.other', ['other-host1'], v1);
    await client.call(SchedulerCommand.CREATE_DEPLOYMENT_GROUP, { name: 'nobody', selectors: ['role=nobody'] });
    const result = await client.call<{ valid: boolean; problems: unknown[] }>(PipelineCommand.VALIDATE_PIPELINE, {
      service: 'svc',
      source: 'pipeline:\n- gate: itest\n- step: ghost\n- step: nobody\n',
    });
    expect(result.valid).toBe(false);
    expect(result.problems).toEqual([
      { path: 'pipeline[1]', line: 3, message: expect.stringContaining('unknown deployment group "ghost"') },
      { path: 'pipeline[2]', line: 4, message: expect.stringContaining('matches no host') },
      { path: 'pipeline', line: 2, message: 'deployment group "svc.other" runs this service but no step covers it' },
    ]);
  });

  it('drives itest (gate) → canary (manual trigger) → main to complete, across a leader change', async () => {
    await groupOn('svc.canary', ['canary-host1'], v1);
    await groupOn('svc.main', ['main-host1', 'main-host2'], v1);
    const set = await client.call<{ revision: number }>(PipelineCommand.SET_PIPELINE, { service: 'svc', source: pipeline('svc') });
    expect(set.revision).toBe(1);

    const { releaseId } = await client.call<{ releaseId: string }>(PipelineCommand.MARK_FOR_DEPLOYMENT, { service: 'svc', job: '2' });
    const started = await release(releaseId);
    expect(started).toMatchObject({ status: 'deploying', jobId: v2, stage: 0 });
    expect(step(started, 'itest')?.status).toBe('RUNNING');
    await expect(client.call(PipelineCommand.MARK_FOR_DEPLOYMENT, { service: 'svc', job: '2' })).rejects.toMatchObject({ code: 'RELEASE_IN_PROGRESS' });

    // the gate passed by an outside system on its subject
    const reply = await nc.request(gateSubject('svc', 'itest'), JSON.stringify({ passed: true, message: 'itest green', actor: 'ci' }), { timeout: 5000 });
    expect((JSON.parse(reply.string()) as CommandResponse<unknown>).ok).toBe(true);
    await waitForRelease(releaseId, (r) => r.awaitingTrigger && step(r, 'svc.canary')?.status === 'SUCCEEDED');
    await expectGroupOn('svc.canary', v2);
    await expectGroupOn('svc.main', v1);

    // a new leader carries on where the old one stood
    await env.stopScheduler(env.scheduler);
    await env.startScheduler();
    const advanced = await client.call<{ release: ReleaseDetail }>(PipelineCommand.ADVANCE_RELEASE, { release: releaseId });
    expect(advanced.release.stage).toBe(2);
    await waitForRelease(releaseId, (r) => r.status === 'complete');
    await expectGroupOn('svc.main', v2);
    expect((await release(releaseId)).steps.map((s) => [s.name, s.status])).toEqual([
      ['itest', 'SUCCEEDED'],
      ['svc.canary', 'SUCCEEDED'],
      ['svc.main', 'SUCCEEDED'],
    ]);
  });

  it('a failing main step with auto_rollback brings every group back to the previous job and marks the version bad', async () => {
    const v3 = (await client.call<{ jobId: string }>(SchedulerCommand.CREATE_JOB, { job: { id: 'svc:3', image: 'local/busybox:3' } })).jobId;
    await client.call(PipelineCommand.SET_PIPELINE, { service: 'svc', source: 'pipeline:\n- step: svc.canary\n- step: svc.main\n  auto_rollback: true\n' });
    agents.setOutcome('main-host2', 'FAILED', v3);

    const { releaseId } = await client.call<{ releaseId: string }>(PipelineCommand.MARK_FOR_DEPLOYMENT, { service: 'svc', job: 'svc:3', autoAbandonDelay: 3600 });
    await waitForRelease(releaseId, (r) => r.status === 'rolled_back');
    const rolledBack = await release(releaseId);
    expect(step(rolledBack, 'svc.main')).toMatchObject({ status: 'FAILED', error: expect.stringContaining('rollout failed') });
    expect(rolledBack.rollback.map((row) => [row.group, row.toJobId, row.status])).toEqual([
      ['svc.canary', v2, 'DONE'],
      ['svc.main', v2, 'DONE'],
    ]);
    expect(rolledBack.badGroups).toEqual(['svc.canary', 'svc.main']);
    await expectGroupOn('svc.canary', v2);
    await expectGroupOn('svc.main', v2);

    // the bad version is not deployed there again without force
    await client.call(PipelineCommand.ABANDON_RELEASE, { release: releaseId });
    await expect(client.call(PipelineCommand.MARK_FOR_DEPLOYMENT, { service: 'svc', job: 'svc:3' })).rejects.toMatchObject({ code: 'VERSION_MARKED_BAD' });
    agents.setOutcome('main-host2', 'RUNNING', v3);
    const forced = await client.call<{ releaseId: string }>(PipelineCommand.MARK_FOR_DEPLOYMENT, { service: 'svc', job: 'svc:3', force: true, autoCertifyDelay: 0 });
    await waitForRelease(forced.releaseId, (r) => r.status === 'complete');
    await expectGroupOn('svc.main', v3);
  });

  it('a gate that gets no verdict in time fails the release', async () => {
    await client.call(PipelineCommand.SET_PIPELINE, { service: 'svc', source: 'pipeline:\n- gate: security-check\n  timeout: 0.5\n- step: svc.main\n' });
    const { releaseId } = await client.call<{ releaseId: string }>(PipelineCommand.MARK_FOR_DEPLOYMENT, { service: 'svc', job: 'svc:1' });
    await waitForRelease(releaseId, (r) => r.status === 'failed');
    expect(await release(releaseId)).toMatchObject({ error: 'step security-check failed: timed out after 0.5s' });
    // nothing was rolled out: the group stays on the forced svc:3
    expect((await groupStatus('svc.main')).jobId).toMatch(/^svc:3:/);
  });

  it('a freeze refuses a release (DEPLOY_FROZEN with its end) unless overridden with a reason, and holds a release in progress at its next step', async () => {
    const now = Date.now();
    const window = { kind: 'range', from: new Date(now - 60_000).toISOString(), to: new Date(now + 60_000).toISOString() };
    await client.call(PipelineCommand.SET_FREEZE, { name: 'code-freeze', services: ['svc'], window, reason: 'quarter end' });
    await expect(client.call(PipelineCommand.MARK_FOR_DEPLOYMENT, { service: 'svc', job: 'svc:2', group: 'svc.main' })).rejects.toMatchObject({
      code: 'DEPLOY_FROZEN',
      details: { freeze: 'code-freeze', until: window.to, reason: 'quarter end' },
    });
    const forced = await client.call<{ releaseId: string; release: ReleaseDetail }>(PipelineCommand.MARK_FOR_DEPLOYMENT, { service: 'svc', job: 'svc:2', group: 'svc.main', overrideFreeze: 'hotfix INC-7' });
    expect(forced.release.freezeOverride).toBe('code-freeze: hotfix INC-7');
    await waitForRelease(forced.releaseId, (r) => r.status === 'complete');
    await client.call(PipelineCommand.REMOVE_FREEZE, { name: 'code-freeze' });

    // a release waiting on its gate; a freeze of its group begins; the gate passes: the group's step waits for the freeze's end
    await client.call(PipelineCommand.SET_PIPELINE, { service: 'svc', source: 'pipeline:\n- gate: itest\n- step: svc.main\n' });
    const { releaseId } = await client.call<{ releaseId: string }>(PipelineCommand.MARK_FOR_DEPLOYMENT, { service: 'svc', job: 'svc:1' });
    const until = new Date(Date.now() + 3_000).toISOString();
    await client.call(PipelineCommand.SET_FREEZE, { name: 'short', groups: ['svc.main'], window: { kind: 'range', from: new Date(Date.now() - 1_000).toISOString(), to: until }, reason: 'maintenance' });
    await client.call(PipelineCommand.REPORT_GATE, { release: releaseId, gate: 'itest', passed: true });
    const held = await release(releaseId);
    expect(step(held, 'svc.main')).toMatchObject({ status: 'RUNNING' });
    expect(step(held, 'svc.main')?.rolloutId).toBeUndefined();
    await waitForRelease(releaseId, (r) => r.status === 'complete');
    const rolloutId = step(await release(releaseId), 'svc.main')?.rolloutId ?? '';
    const { rollout } = await client.call<{ rollout: { startedAt: string } }>(SchedulerCommand.INSPECT_ROLLOUT, { id: rolloutId });
    expect(rollout.startedAt >= until).toBe(true);
  });

  it('a freeze of a group refuses a rolling update there; an override with a reason starts it and is recorded on the freeze', async () => {
    const window = { kind: 'range', from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 600_000).toISOString() };
    await client.call(PipelineCommand.SET_FREEZE, { name: 'ru-freeze', groups: ['svc.main'], window, reason: 'migration' });
    await expect(client.call(SchedulerCommand.ROLLING_UPDATE, { group: 'svc.main', job: 'svc:2' })).rejects.toMatchObject({ code: 'DEPLOY_FROZEN', details: { freeze: 'ru-freeze' } });
    const { rolloutId } = await client.call<{ rolloutId: string }>(SchedulerCommand.ROLLING_UPDATE, { group: 'svc.main', job: 'svc:2', overrideFreeze: 'security patch' });
    const overridden = (await store.read('freeze', 'ru-freeze')).filter((e) => e.type === 'FreezeOverridden');
    expect(overridden.map((e) => [e.actor, e.data])).toEqual([['release-test', { name: 'ru-freeze', reason: 'security patch', subject: `rollout ${rolloutId} of svc.main`, time: expect.any(String) }]]);
    await client.call(PipelineCommand.REMOVE_FREEZE, { name: 'ru-freeze' });
  });
});
