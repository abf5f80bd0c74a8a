import { DockerRuntime } from '@berth/container-runtime';
import {
  type DesiredState,
  type RegisterHostMessage,
  STATUS_STREAM,
  STATUS_SUBJECT_WILDCARD,
  type TaskStatusReport,
  agentSubjects,
  okResponse,
} from '@berth/contracts';
import { createLogger } from '@berth/service';
import { findNatsServerBinary, useDocker } from '@berth/testing';
import { StorageType, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from './agent';
import { loadAgentConfig } from './config';
import { containerNamePrefix } from './job-container-spec';
import { StateDirLockedError } from './state-dir';
import { makeJob } from './testing/job-fixture';
import { StatusLog } from './testing/status-log';

const HOST = 'agent-int-host';

/** A nats-server on a fixed port that the test can stop and start again (the agent reconnects to the same URL). */
class RestartableNats {
  private child: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), 'berth-agent-nats-'));
  constructor(readonly port: number) {}
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
  start(): void {
    this.child = spawn(findNatsServerBinary(), ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', join(this.dir, 'js')], { stdio: 'ignore' });
  }
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The scheduler's side, played by the test: answers register and desired-request, collects status reports. */
class FakeScheduler {
  readonly registrations: RegisterHostMessage[] = [];
  readonly reports: TaskStatusReport[] = [];
  private waiters: { predicate: () => boolean; resolve: () => void }[] = [];
  desired: DesiredState = { host: HOST, revision: 0, tasks: [] };
  private readonly subjects = agentSubjects(HOST);

  constructor(readonly nc: NatsConnection) {
    nc.subscribe(this.subjects.register, {
      callback: (_err, msg) => {
        this.registrations.push(msg.json<RegisterHostMessage>());
        msg.respond(JSON.stringify(okResponse({ host: HOST, status: 'REGISTERED' })));
        this.notify();
      },
    });
    nc.subscribe(this.subjects.desiredRequest, {
      callback: (_err, msg) => {
        msg.respond(JSON.stringify(okResponse(this.desired)));
      },
    });
    nc.subscribe(this.subjects.status, {
      callback: (_err, msg) => {
        this.reports.push(msg.json<TaskStatusReport>());
        this.notify();
      },
    });
  }

  publishDesired(state: DesiredState): void {
    this.desired = state;
    this.nc.publish(this.subjects.desired, JSON.stringify(state));
  }

  until(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; last report: ${JSON.stringify(this.reports.at(-1))}`)), timeoutMs);
      this.waiters.push({ predicate, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  /** The latest reported status of a job in any report since `since`. */
  reported(jobId: string, since = 0) {
    return this.reports
      .slice(since)
      .flatMap((r) => r.tasks)
      .filter((t) => t.jobId === jobId)
      .at(-1);
  }

  private notify(): void {
    const ready = this.waiters.filter((w) => w.predicate());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}

describe('agent with a real nats-server and Docker engine', () => {
  const engine = useDocker();
  let nats: RestartableNats;
  let nc: NatsConnection;
  let scheduler: FakeScheduler;
  let stateDir: string;
  const agents: Agent[] = [];
  const agentId = `n${process.pid}`;

  beforeAll(async () => {
    nats = new RestartableNats(await freePort());
    nats.start();
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, waitOnFirstConnect: true, reconnectTimeWait: 100 });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: STATUS_STREAM, subjects: [STATUS_SUBJECT_WILDCARD], storage: StorageType.Memory });
    scheduler = new FakeScheduler(nc);
    stateDir = mkdtempSync(join(tmpdir(), 'berth-agent-state-'));
  }, 30_000);

  afterAll(async () => {
    for (const agent of agents) await agent.stop();
    const runtime = new DockerRuntime({ dockerHost: engine.dockerHost });
    for (const c of await runtime.listContainers({ namePrefix: containerNamePrefix(agentId) })) await runtime.removeContainer(c.id, { force: true });
    await nc?.close();
    await nats?.stop();
    rmSync(stateDir, { recursive: true, force: true });
    if (nats) rmSync(nats.dir, { recursive: true, force: true });
  }, 30_000);

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
});
