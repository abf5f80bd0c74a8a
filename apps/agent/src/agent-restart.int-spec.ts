import { DockerRuntime } from '@berth/container-runtime';
import { type DesiredTask, STATUS_STREAM, STATUS_SUBJECT_WILDCARD } from '@berth/contracts';
import type { Job } from '@berth/domain';
import { createLogger } from '@berth/service';
import { useDocker, useNatsServer, eventually } from '@berth/testing';
import { StorageType, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from './agent';
import { loadAgentConfig } from './config';
import { BerthLabel, containerNamePrefix } from './job-container-spec';
import { FakeScheduler } from './testing/fake-scheduler';
import { makeJob } from './testing/job-fixture';

const HOST = 'agent-restart-host';
const SERVE = ['sh', '-c', 'trap "exit 0" TERM; sleep 600 & wait'];

/**
 * Helios's AgentRestartTest, each case while the agent is down, then the
 * agent restarted on the same state dir; and a host with 40 jobs whose
 * containers are all killed at once. One agent and one nats-server for both.
 */
describe('agent restarts and mass restarts on a real Docker engine', () => {
  let nc: NatsConnection;
  let scheduler: FakeScheduler;
  let runtime: DockerRuntime;
  let agent: Agent | undefined;
  const stateDir = mkdtempSync(join(tmpdir(), 'berth-agent-restart-'));
  const agentId = `r${process.pid}`;

  // Declared first so it runs before the engine and nats-server are released (afterAll hooks run in declaration order).
  afterAll(async () => {
    await agent?.stop();
    for (const c of await runtime.listContainers({ namePrefix: containerNamePrefix(agentId) })) await runtime.removeContainer(c.id, { force: true });
    await nc?.close();
    rmSync(stateDir, { recursive: true, force: true });
  }, 30_000);
  const engine = useDocker();
  const nats = useNatsServer();

  beforeAll(async () => {
    nc = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: STATUS_STREAM, subjects: [STATUS_SUBJECT_WILDCARD], storage: StorageType.Memory });
    scheduler = new FakeScheduler(nc, HOST);
    runtime = new DockerRuntime({ dockerHost: engine.dockerHost });
  });

  async function startAgent(): Promise<Agent> {
    const config = loadAgentConfig(['--name', HOST, '--nats', nats.url, '--state-dir', stateDir, '--docker-host', engine.dockerHost, '--id', agentId], {});
    agent = await Agent.start(config, { logger: createLogger('agent-test', 'silent'), http: false });
    return agent;
  }

  const job = (name: string): Job => makeJob(name, { command: SERVE, networkMode: 'none', secondsToWaitBeforeKill: 5 });
  const task = (j: Job, goal: 'START' | 'STOP' = 'START'): DesiredTask => ({ jobId: j.id, job: j, goal, ports: {} });
  const containersOf = (j: Job) => runtime.listContainers({ namePrefix: containerNamePrefix(agentId), labels: { [BerthLabel.JOB_ID]: j.id } });
  const is = (j: Job, state: string, since = 0) => scheduler.reported(j.id, since)?.state === state;

  it('reconciles what changed while it was down: container killed, removed, goal STOP, goal START, undeployed, nothing (adopted)', async () => {
    const [killed, removed, toStop, toStart, undeployed, unchanged] = ['killed', 'removed', 'tostop', 'tostart', 'undeployed', 'unchanged'].map(job) as [Job, Job, Job, Job, Job, Job];
    scheduler.setDesired({ host: HOST, revision: 1, tasks: [task(killed), task(removed), task(toStop), task(toStart, 'STOP'), task(undeployed), task(unchanged)] });
    await startAgent();
    const running = [killed, removed, toStop, undeployed, unchanged];
    await scheduler.until(() => running.every((j) => is(j, 'RUNNING')) && is(toStart, 'STOPPED'), 'first deployment');
    const before = Object.fromEntries(running.map((j) => [j.id, scheduler.reported(j.id)?.containerId as string]));

    await agent?.stop();
    await engine.docker.getContainer(before[killed.id] as string).kill();
    await engine.docker.getContainer(before[removed.id] as string).remove({ force: true });
    scheduler.setDesired({ host: HOST, revision: 2, tasks: [task(killed), task(removed), task(toStop, 'STOP'), task(toStart), task(unchanged)] });

    const since = scheduler.reports.length;
    await startAgent();
    await scheduler.until(
      () => [killed, removed, toStart, unchanged].every((j) => is(j, 'RUNNING', since)) && is(toStop, 'STOPPED', since) && is(undeployed, 'STOPPED', since),
      'reconciled after restart',
      20_000,
    );
    expect(scheduler.reported(killed.id)?.containerId).not.toBe(before[killed.id]);
    expect(scheduler.reported(removed.id)?.containerId).not.toBe(before[removed.id]);
    expect(scheduler.reported(unchanged.id)?.containerId).toBe(before[unchanged.id]);
    // Adopted as it was: never created again, no second container.
    const unchangedStates = scheduler.reports.slice(since).flatMap((r) => r.tasks).filter((t) => t.jobId === unchanged.id).map((t) => t.state);
    expect(new Set(unchangedStates)).toEqual(new Set(['RUNNING']));
    for (const j of [killed, removed, toStart, unchanged]) {
      expect((await containersOf(j)).map((c) => [c.id, c.running])).toEqual([[scheduler.reported(j.id)?.containerId, true]]);
    }
    expect((await containersOf(toStop)).map((c) => [c.id, c.running])).toEqual([[before[toStop.id], false]]);
    await waitFor(async () => (await containersOf(undeployed)).length === 0);
  }, 45_000);

  it('brings 40 jobs back to RUNNING after all their containers are killed at once', async () => {
    const jobs = Array.from({ length: 40 }, (_, i) => job(`mass${i}`));
    scheduler.publishDesired({ host: HOST, revision: 3, tasks: jobs.map((j) => task(j)) });
    await scheduler.until(() => jobs.every((j) => is(j, 'RUNNING')), '40 RUNNING', 40_000);
    const first = new Map(jobs.map((j) => [j.id, scheduler.reported(j.id)?.containerId as string]));

    const started = Date.now();
    await Promise.all([...first.values()].map((id) => engine.docker.getContainer(id).kill()));
    await scheduler.until(() => jobs.every((j) => is(j, 'RUNNING') && scheduler.reported(j.id)?.containerId !== first.get(j.id)), '40 back', 60_000);
    const back = Date.now() - started;
    const ours = await runtime.listContainers({ namePrefix: containerNamePrefix(agentId) });
    expect(ours.filter((c) => c.running)).toHaveLength(40);
    expect(back).toBeLessThan(60_000);
  }, 120_000);
});

const waitFor = (condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> => eventually(condition, { timeoutMs });
