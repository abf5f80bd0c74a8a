import { DockerRuntime } from '@berth/container-runtime';
import { STATUS_STREAM, STATUS_SUBJECT_WILDCARD, agentSubjects } from '@berth/contracts';
import { createLogger } from '@berth/service';
import { useDocker } from '@berth/testing';
import { StorageType, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from './agent';
import { loadAgentConfig } from './config';
import { containerNamePrefix } from './job-container-spec';
import { StateDirLockedError } from './state-dir';
import { startEmptyRegistry } from './testing/empty-registry';
import { FakeScheduler, RestartableNats, freePort } from './testing/fake-scheduler';
import { makeJob } from './testing/job-fixture';
import { StatusLog } from './testing/status-log';

const HOST = 'agent-int-host';

describe('agent with a real nats-server and Docker engine', () => {
  let nats: RestartableNats;
  let nc: NatsConnection;
  let scheduler: FakeScheduler;
  let stateDir: string;
  let badStateDir: string;
  let imageStateDir: string;
  const agents: Agent[] = [];
  const agentId = `n${process.pid}`;
  const badAgentId = `b${process.pid}`;
  const imageAgentId = `i${process.pid}`;

  beforeAll(async () => {
    nats = new RestartableNats(await freePort());
    nats.start();
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, waitOnFirstConnect: true, reconnectTimeWait: 100 });
    await ensureStatusStream();
    scheduler = new FakeScheduler(nc, HOST);
    stateDir = mkdtempSync(join(tmpdir(), 'berth-agent-state-'));
    badStateDir = mkdtempSync(join(tmpdir(), 'berth-agent-bad-'));
    imageStateDir = mkdtempSync(join(tmpdir(), 'berth-agent-image-'));
  }, 30_000);

  afterAll(async () => {
    for (const agent of agents) await agent.stop();
    const runtime = new DockerRuntime({ dockerHost: engine.dockerHost });
    for (const id of [agentId, badAgentId]) {
      for (const c of await runtime.listContainers({ namePrefix: containerNamePrefix(id) })) await runtime.removeContainer(c.id, { force: true });
    }
    await nc?.close();
    await nats?.stop();
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(badStateDir, { recursive: true, force: true });
    rmSync(imageStateDir, { recursive: true, force: true });
    if (nats) rmSync(nats.dir, { recursive: true, force: true });
  }, 30_000);
  // After the cleanup above: afterAll hooks run in the order they are declared, and the engine must outlive the agents.
  const engine = useDocker();

  /** The scheduler's part: a memory stream, so it is gone after a NATS restart (without it the fake scheduler's plain subscriptions would be the only, never-replying, responders). */
  async function ensureStatusStream(): Promise<void> {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: STATUS_STREAM, subjects: [STATUS_SUBJECT_WILDCARD], storage: StorageType.Memory });
  }

  async function startAgent(): Promise<Agent> {
    const config = loadAgentConfig(
      ['--name', HOST, '--nats', nats.url, '--state-dir', stateDir, '--docker-host', engine.dockerHost, '--id', agentId, '--labels', 'role=web', '--heartbeat-interval', '0.2'],
      {},
    );
    const agent = await Agent.start(config, { logger: createLogger('agent-test', 'silent'), http: false });
    agents.push(agent);
    return agent;
  }

  const job = makeJob('natsjob', { image: 'local/busybox:1', command: ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'], networkMode: 'none', secondsToWaitBeforeKill: 5 });

  it('registers, runs its desired state, reports RUNNING into the status stream; keeps running through a NATS outage; adopts after a restart', async () => {
    const agent = await startAgent();
    await scheduler.until(() => scheduler.registrations.length > 0, 'registration');
    expect(scheduler.registrations[0]).toMatchObject({ host: HOST, agentId, labels: { role: 'web' }, portRange: { from: 20000, to: 32768 } });

    scheduler.publishDesired({ host: HOST, revision: 1, tasks: [{ jobId: job.id, job, goal: 'START', ports: {} }] });
    await scheduler.until(() => scheduler.reported(job.id)?.state === 'RUNNING', 'RUNNING report');
    const firstContainer = scheduler.reported(job.id)?.containerId as string;
    expect(firstContainer).toBeDefined();
    const seen = scheduler.reports.flatMap((r) => r.tasks).filter((t) => t.jobId === job.id).map((t) => t.state);
    expect(seen).toContain('RUNNING');
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(STATUS_STREAM)).state.messages).toBeGreaterThan(0);

    // NATS goes away; a container killed meanwhile is restarted by the agent from what it knows.
    await nats.stop();
    const log = new StatusLog();
    const unsubscribe = agent.onStatus(log.push);
    const restarted = log.next((s) => s.jobId === job.id && s.state === 'RUNNING', 15_000);
    await engine.docker.getContainer(firstContainer).kill({ signal: 'SIGKILL' });
    const secondContainer = (await restarted).containerId as string;
    unsubscribe();
    expect(secondContainer).not.toBe(firstContainer);

    // NATS is back: the agent registers again and reports the current state in full.
    const registrations = scheduler.registrations.length;
    const reports = scheduler.reports.length;
    nats.start();
    await scheduler.until(() => scheduler.registrations.length > registrations, 're-registration');
    await ensureStatusStream();
    await scheduler.until(
      () => scheduler.reports.slice(reports).some((r) => r.full && r.tasks.some((t) => t.jobId === job.id && t.state === 'RUNNING' && t.containerId === secondContainer)),
      'full report after reconnect',
    );

    // A second agent on the same state dir is refused.
    await expect(startAgent()).rejects.toThrow(StateDirLockedError);

    // Restarted, the agent adopts the running container instead of starting another.
    await agent.stop();
    const afterRestart = scheduler.reports.length;
    await startAgent();
    await scheduler.until(() => scheduler.reports.slice(afterRestart).some((r) => r.full && r.tasks.some((t) => t.jobId === job.id && t.state === 'RUNNING')), 'report after restart');
    expect(scheduler.reported(job.id, afterRestart)?.containerId).toBe(secondContainer);
    const containers = await new DockerRuntime({ dockerHost: engine.dockerHost }).listContainers({ namePrefix: containerNamePrefix(agentId) });
    expect(containers.map((c) => [c.id, c.running])).toEqual([[secondContainer, true]]);
  }, 45_000);

  it('reports each task it cannot run as FAILED with the reason (Docker’s own for the engine’s refusals) and keeps the others running', async () => {
    const host = 'agent-int-bad-input';
    const badScheduler = new FakeScheduler(nc, host);
    const steady = makeJob('steady', { command: ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'], networkMode: 'none', secondsToWaitBeforeKill: 5 });
    const unknownField = { ...makeJob('newer', { networkMode: 'none' }), gpus: 2 };
    const invalidPort = makeJob('badport', { networkMode: 'none', ports: { http: { internalPort: 8080, protocol: 'tcp' } } });
    const badCpuset = makeJob('badcpuset', { networkMode: 'none', resources: { cpuset: 'abc' } });
    const relativeBind = makeJob('relbind', { networkMode: 'none', volumes: { '/data': 'relative/dir' } });
    badScheduler.setDesired({
      host,
      revision: 1,
      tasks: [
        { jobId: steady.id, job: steady, goal: 'START', ports: {} },
        { jobId: unknownField.id, job: unknownField, goal: 'START', ports: {} },
        { jobId: invalidPort.id, job: invalidPort, goal: 'START', ports: { http: 70000 } },
        { jobId: badCpuset.id, job: badCpuset, goal: 'START', ports: {} },
        { jobId: relativeBind.id, job: relativeBind, goal: 'START', ports: {} },
        { jobId: 'broken:1:0', job: 'not a job', goal: 'START', ports: {} } as never,
      ],
    });
    const config = loadAgentConfig(['--name', host, '--nats', nats.url, '--state-dir', badStateDir, '--docker-host', engine.dockerHost, '--id', badAgentId], {});
    agents.push(await Agent.start(config, { logger: createLogger('agent-test', 'silent'), http: false }));

    const expected: Record<string, RegExp> = {
      [unknownField.id]: /^job fields unknown to this agent: gpus$/,
      [invalidPort.id]: /port "http": invalid host port 70000/,
      [badCpuset.id]: /Invalid value abc for cpuset cpus/,
      [relativeBind.id]: /"relative\/dir" includes invalid characters for a local volume name/,
      'broken:1:0': /^the task has no job$/,
    };
    // Full reports repeat the current status: count distinct FAILED statuses.
    const failuresOf = (jobId: string) => new Set(badScheduler.reports.flatMap((r) => r.tasks).filter((t) => t.jobId === jobId && t.state === 'FAILED').map((t) => t.time)).size;
    await badScheduler.until(() => badScheduler.reported(steady.id)?.state === 'RUNNING', 'steady RUNNING');
    // The engine's refusals are retried (after 1 s, then 2 s): wait for the retry so the others are seen carrying on meanwhile.
    await badScheduler.until(() => failuresOf(badCpuset.id) >= 2 && failuresOf(relativeBind.id) >= 2, 'retried engine refusals');
    for (const [jobId, message] of Object.entries(expected)) {
      expect(badScheduler.reported(jobId)).toMatchObject({ state: 'FAILED', containerError: expect.stringMatching(message) });
    }
    // Refusals that retrying cannot fix are reported once.
    expect(failuresOf(unknownField.id)).toBe(1);
    expect(failuresOf('broken:1:0')).toBe(1);
    const steadyNow = badScheduler.reported(steady.id);
    expect(steadyNow?.state).toBe('RUNNING');
    const ours = await new DockerRuntime({ dockerHost: engine.dockerHost }).listContainers({ namePrefix: containerNamePrefix(badAgentId) });
    expect(ours.map((c) => [c.id, c.running])).toEqual([[steadyNow?.containerId, true]]);
  }, 30_000);

  it('answers PrepareImage: PULLED for an image it has, IMAGE_MISSING for one no registry has, IMAGE_PULL_FAILED for an unreachable registry', async () => {
    const host = 'agent-int-prestage';
    const fake = new FakeScheduler(nc, host);
    const config = loadAgentConfig(['--name', host, '--nats', nats.url, '--state-dir', imageStateDir, '--docker-host', engine.dockerHost, '--id', imageAgentId], {});
    agents.push(await Agent.start(config, { logger: createLogger('agent-test', 'silent'), http: false }));
    await fake.until(() => fake.registrations.length > 0, 'registration');
    const registry = await startEmptyRegistry();
    const unreachable = `127.0.0.1:${await freePort()}/berth/nowhere:1`;
    try {
      const ask = (image: string, jobId: string) => fake.prepareImage({ host, rolloutId: 'r-1', jobId, image });
      ask(engine.testImage, 'web:2:abc');
      ask(`${registry.address}/berth/ghost:1`, 'ghost:1:abc');
      ask(unreachable, 'nowhere:1:abc');
      // a message for another host, or not a PrepareImage at all, is ignored
      fake.prepareImage({ host: 'someone-else', rolloutId: 'r-1', jobId: 'x:1:abc', image: engine.testImage });
      nc.publish(agentSubjects(host).prepareImage, JSON.stringify({ image: engine.testImage }));
      await fake.until(() => fake.images().length >= 3, 'three image statuses');
      const byJob = Object.fromEntries(fake.images().map((status) => [status.jobId, status]));
      expect(byJob['web:2:abc']).toEqual({ image: engine.testImage, rolloutId: 'r-1', jobId: 'web:2:abc', state: 'PULLED', time: expect.any(String) });
      expect(byJob['ghost:1:abc']).toMatchObject({ state: 'IMAGE_MISSING', error: expect.stringMatching(/manifest unknown/) });
      expect(byJob['nowhere:1:abc']).toMatchObject({ state: 'IMAGE_PULL_FAILED', error: expect.stringMatching(/connection refused|connect/i) });
      // the answers ride in the status stream like task reports, and carry no task
      expect(fake.reports.filter((r) => r.images !== undefined).every((r) => r.host === host && r.tasks.length === 0 && !r.full)).toBe(true);
      await nc.flush();
      expect(fake.images()).toHaveLength(3);
    } finally {
      registry.server.close();
    }
  }, 30_000);
});
