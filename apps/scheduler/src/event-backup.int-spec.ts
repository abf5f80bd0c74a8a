import { EVENTS_STREAM, PipelineCommand, SchedulerCommand } from '@berth/contracts';
import { BackupError, exportEvents, importEvents, parseExport } from '@berth/event-store';
import { SchedulerClient } from '@berth/scheduler-client';
import { eventually, startNatsServer, type NatsServer } from '@berth/testing';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createHash } from 'node:crypto';
import { loadSchedulerConfig } from './config';
import { startScheduler, type RunningScheduler } from './scheduler';
import { silentLogger } from './testing/in-memory-scheduler';
import { SchedulerTestEnv } from './testing/scheduler-test-env';

/**
 * Backup and restore: a history made by the real scheduler (jobs, a fleet, rollouts,
 * a release through a pipeline, an API token) is exported, imported into a fresh
 * nats-server, and a scheduler started there answers every query as the original does.
 */
jest.setTimeout(120_000);

let env: SchedulerTestEnv;
let target: NatsServer | undefined;
let targetNc: NatsConnection | undefined;
let restored: RunningScheduler | undefined;

beforeAll(async () => {
  env = await SchedulerTestEnv.start({ actor: 'backup-test' });
});

// one hook, in the order that lets jest exit: schedulers, connections, servers
afterAll(async () => {
  await restored?.stop();
  await targetNc?.close();
  await target?.stop();
  await env?.stop();
});

async function makeHistory(): Promise<{ jobs: string[]; hosts: string[]; groups: string[]; rollouts: string[]; releases: string[] }> {
  const { client } = env;
  const v1 = await env.createJob({ id: 'svc:1', image: 'local/busybox:1' });
  const v2 = await env.createJob({ id: 'svc:2', image: 'local/busybox:2' });
  const groups = ['svc.canary', 'svc.main'];
  const hosts = ['canary-1', 'main-1', 'main-2'];
  await env.fleet('svc.canary', ['canary-1']);
  await env.fleet('svc.main', ['main-1', 'main-2']);
  const rollouts: string[] = [];
  for (const group of groups) {
    rollouts.push(await env.rollingUpdate(group, v1, { parallelism: 2 }));
    await eventually(async () => (await env.groupStatus(group)).status === 'DONE', { timeoutMs: 20_000 });
  }
  await client.call(PipelineCommand.SET_PIPELINE, { service: 'svc', source: 'pipeline:\n- step: svc.canary\n- step: svc.main\n' });
  const { releaseId } = await client.call<{ releaseId: string }>(PipelineCommand.MARK_FOR_DEPLOYMENT, { service: 'svc', job: '2', autoCertifyDelay: 0 });
  await eventually(async () => (await client.call<{ release: { status: string } }>(PipelineCommand.INSPECT_RELEASE, { id: releaseId })).release.status === 'complete', {
    timeoutMs: 30_000,
    what: 'the release completes',
  });
  const tokenSha256 = createHash('sha256').update('backup-test-token').digest('hex');
  await client.call(SchedulerCommand.CREATE_API_TOKEN, { subject: 'ci', role: 'deploy', tokenSha256 });
  // the release's own rollouts too
  for (const r of (await client.call<{ rollouts: { rolloutId: string }[] }>(SchedulerCommand.LIST_ROLLOUTS, {})).rollouts) if (!rollouts.includes(r.rolloutId)) rollouts.push(r.rolloutId);
  expect(rollouts.length).toBeGreaterThanOrEqual(4);
  return { jobs: [v1, v2], hosts, groups, rollouts, releases: [releaseId] };
}

/** Every query the scheduler serves, for every job, host, group, rollout, release and pipeline of the history; `sequence` aside. */
async function answers(client: SchedulerClient, ids: Awaited<ReturnType<typeof makeHistory>>): Promise<Record<string, unknown>> {
  const queries: [string, string, object][] = [
    ['jobs', SchedulerCommand.LIST_JOBS, {}],
    ['hosts', SchedulerCommand.LIST_HOSTS, {}],
    ['groups', SchedulerCommand.LIST_DEPLOYMENT_GROUPS, {}],
    ['rollouts', SchedulerCommand.LIST_ROLLOUTS, {}],
    ['anomalies', SchedulerCommand.ANOMALIES, {}],
    ['pipelines', PipelineCommand.LIST_PIPELINES, {}],
    ['pipeline', PipelineCommand.INSPECT_PIPELINE, { service: 'svc' }],
    ['releases', PipelineCommand.LIST_RELEASES, {}],
    ['freezes', PipelineCommand.LIST_FREEZES, {}],
    ...ids.jobs.flatMap((job): [string, string, object][] => [
      [`job ${job}`, SchedulerCommand.INSPECT_JOB, { job }],
      [`job-status ${job}`, SchedulerCommand.JOB_STATUS, { job }],
      [`job-history ${job}`, SchedulerCommand.JOB_HISTORY, { job }],
    ]),
    ...ids.hosts.map((host): [string, string, object] => [`host-status ${host}`, SchedulerCommand.HOST_STATUS, { host }]),
    ...ids.groups.flatMap((name): [string, string, object][] => [
      [`group ${name}`, SchedulerCommand.INSPECT_DEPLOYMENT_GROUP, { name }],
      [`group-status ${name}`, SchedulerCommand.DEPLOYMENT_GROUP_STATUS, { name }],
    ]),
    ...ids.rollouts.map((id): [string, string, object] => [`rollout ${id}`, SchedulerCommand.INSPECT_ROLLOUT, { id }]),
    ...ids.releases.map((id): [string, string, object] => [`release ${id}`, PipelineCommand.INSPECT_RELEASE, { id }]),
  ];
  const out: Record<string, unknown> = {};
  for (const [name, command, request] of queries) {
    const { sequence: _sequence, ...answer } = await client.call<Record<string, unknown>>(command, request);
    out[name] = answer;
  }
  return out;
}

async function rawEvents(jsm: JetStreamManager, last: number): Promise<{ seq: number; subject: string; body: string }[]> {
  const out: { seq: number; subject: string; body: string }[] = [];
  for (let seq = 1; seq <= last; seq++) {
    const m = await jsm.streams.getMessage(EVENTS_STREAM, { seq }).catch(() => null);
    if (m && m.subject.startsWith('berth.evt.')) out.push({ seq, subject: m.subject, body: m.string() });
  }
  return out;
}

it('round-trips a history with rollouts, a release and a token: the restored scheduler answers every query the same', async () => {
  const ids = await makeHistory();
  const sourceJsm = await jetstreamManager(env.nc);

  const lines: string[] = [];
  const progress: number[] = [];
  const exported = await exportEvents(env.nc, { write: (line) => void lines.push(line), onProgress: (p) => progress.push(p.done) });
  expect(exported.header).toMatchObject({ format: 'berth-events', version: 1, stream: EVENTS_STREAM, fromSequence: 1 });
  expect(exported.trailer.messages).toBe(lines.length - 2);
  expect(exported.trailer.messages).toBeGreaterThan(20);
  expect(progress[progress.length - 1]).toBe(exported.header.toSequence);
  // the answers of the original, from the history as exported (the fake agents keep reporting, so read them at once)
  const before = await answers(env.client, ids);
  const sourceEvents = await rawEvents(sourceJsm, exported.header.toSequence);

  target = await startNatsServer();
  targetNc = await connect({ servers: target.url });
  const imported = await importEvents(targetNc, parseExport(lines));
  expect(imported).toMatchObject({ messages: exported.trailer.messages, lastSequence: exported.trailer.lastSequence, snapshotsRemoved: 0 });
  // the leader's fence messages expired and left gaps; import fills them so the sequences line up
  expect(imported.gapsFilled).toBeGreaterThan(0);
  const targetJsm = await jetstreamManager(targetNc);
  // byte for byte, at the same stream sequences
  expect(await rawEvents(targetJsm, exported.header.toSequence)).toEqual(sourceEvents);

  restored = await startScheduler(loadSchedulerConfig(['--nats', target.url, '--http-port', '0'], {}), silentLogger);
  const restoredClient = new SchedulerClient(targetNc, { actor: 'backup-test' });
  expect(await answers(restoredClient, ids)).toEqual(before);

  // a second import into the now non-empty stream is refused and writes nothing
  const last = (await targetJsm.streams.info(EVENTS_STREAM)).state.last_seq;
  const refused = await importEvents(targetNc, parseExport(lines)).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(BackupError);
  expect(refused).toMatchObject({ code: 'IMPORT_TARGET_NOT_EMPTY', message: expect.stringContaining('empty stream only') });
  expect((await targetJsm.streams.info(EVENTS_STREAM)).state.last_seq).toBe(last);
});
