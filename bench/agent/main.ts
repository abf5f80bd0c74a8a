/*
 * Agent benchmark: desired state received → RUNNING for the busybox image, next
 * to a raw `docker run -d` equivalent (dockerode create + start of the same
 * image and command) measured in the same run and interleaved with it; and the
 * agent's resident memory idle and with 40 tasks. The agent runs as its own
 * process, as `npm start` runs it (dist/services/agent.cjs, built by
 * tools/bundle-services.cjs), against a real nats-server and Docker engine
 * ($DOCKER_HOST, else a private dockerd); its idle memory is compared with
 * the same agent run from its TypeScript sources through the swc hook.
 *
 *   npm run bench -- agent
 *
 * Env: BENCH_RUNS (default 10, median reported), BENCH_TASKS (default 40).
 * The agent's RUNNING time is the `time` of its RUNNING status (its own clock,
 * the same machine's) minus the moment the desired state was published, so the
 * status report's coalescing tick is not counted.
 */
import {
  type DesiredState,
  type DesiredTask,
  STATUS_STREAM,
  STATUS_SUBJECT_WILDCARD,
  type TaskStatusReport,
  agentSubjects,
  okResponse,
} from '@berth/contracts';
import { minimalJob, type Job, type TaskStatus } from '@berth/domain';
import { buildBundledService, getDockerEngine, startNatsServer, startService, type ServiceProcess } from '@berth/testing';
import { StorageType, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median, rssMb } from '../lib/measure';
import { printTable } from '../lib/table';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 10);
const TASKS = Number(process.env['BENCH_TASKS'] ?? 40);
const HOST = 'bench-agent-host';
const COMMAND = ['sh', '-c', 'trap "exit 0" TERM; sleep 600 & wait'];

function job(name: string, image: string): Job {
  return {
    ...minimalJob(`${name}:1:${randomBytes(20).toString('hex')}`, image),
    command: COMMAND,
    networkMode: 'none',
    secondsToWaitBeforeKill: 5,
  };
}

/** The scheduler's side of the agent protocol, as little as the agent needs. */
class Scheduler {
  private readonly latest = new Map<string, TaskStatus>();
  private waiters: { check: () => boolean; done: () => void }[] = [];
  desired: DesiredState = { host: HOST, revision: 0, tasks: [] };
  private readonly subjects = agentSubjects(HOST);

  constructor(private readonly nc: Awaited<ReturnType<typeof connect>>) {
    nc.subscribe(this.subjects.register, { callback: (_e, m) => void m.respond(JSON.stringify(okResponse({ host: HOST, status: 'REGISTERED' }))) });
    nc.subscribe(this.subjects.desiredRequest, { callback: (_e, m) => void m.respond(JSON.stringify(okResponse(this.desired))) });
  }

  /** Status reports, read from the status stream as the scheduler would. */
  async follow(): Promise<void> {
    const js = jetstream(this.nc);
    const consumer = await js.consumers.get(STATUS_STREAM);
    const messages = await consumer.consume();
    void (async () => {
      for await (const m of messages) {
        for (const t of m.json<TaskStatusReport>().tasks) this.latest.set(t.jobId, t);
        const ready = this.waiters.filter((w) => w.check());
        this.waiters = this.waiters.filter((w) => !ready.includes(w));
        for (const w of ready) w.done();
      }
    })();
  }

  publish(tasks: DesiredTask[]): void {
    this.desired = { host: HOST, revision: this.desired.revision + 1, tasks };
    this.nc.publish(this.subjects.desired, JSON.stringify(this.desired));
  }

  status(jobId: string): TaskStatus | undefined {
    return this.latest.get(jobId);
  }

  until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.waiters.push({ check, done: () => (clearTimeout(timer), resolve()) });
    });
  }
}

async function main(): Promise<void> {
  const engine = await getDockerEngine();
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const stateDir = mkdtempSync(join(tmpdir(), 'berth-bench-agent-'));
  const agentId = `bench${process.pid}`;
  const agentArgs = (dir: string) => ['--name', HOST, '--nats', nats.url, '--state-dir', dir, '--docker-host', engine.dockerHost, '--id', agentId, '--http-port', '0', '--heartbeat-interval', '0.5'];
  // the agent as npm start runs it: the bundle, plain node
  const bundle = buildBundledService('agent');
  const startBundled = () => startService('agent', bundle.entry, agentArgs(stateDir), { LOG_LEVEL: 'warn' }, bundle.nodeArgs);
  let agent: ServiceProcess | undefined;
  const ours = () => engine.docker.listContainers({ all: true, filters: { name: [`^/berth-${agentId}-`] } });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: STATUS_STREAM, subjects: [STATUS_SUBJECT_WILDCARD], storage: StorageType.Memory });
    const scheduler = new Scheduler(nc);
    await scheduler.follow();
    const version = (await engine.docker.version()).Version;
    console.log(`dockerd ${version} at ${engine.dockerHost}, image ${engine.testImage}, nats-server ${nats.version}, ${RUNS} runs`);

    // Idle: registered, no tasks, after a first (empty) desired state round trip; first from the
    // TypeScript sources through the swc hook (the baseline), then the bundle that runs from here on
    const fromSource = startService('agent-from-source', 'apps/agent/src/main.ts', agentArgs(mkdtempSync(join(tmpdir(), 'berth-bench-agent-src-'))), { LOG_LEVEL: 'warn' });
    await waitForRegistered(nc);
    const sourceIdleRss = rssMb(fromSource.pid);
    await fromSource.stop();
    agent = startBundled();
    await waitForRegistered(nc);
    const idleRss = rssMb(agent.pid);
    const floor = startService('floor', 'bench/agent/idle-process.ts', []);
    await floor.waitForOutput(/idle process ready/);
    const floorRss = rssMb(floor.pid);
    await floor.stop();

    const raw: number[] = [];
    const viaAgent: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      // raw: create + start, as `docker run -d`
      const start = performance.now();
      const container = await engine.docker.createContainer({ Image: engine.testImage, Cmd: COMMAND, name: `bench-raw-${process.pid}-${run}`, HostConfig: { NetworkMode: 'none' } });
      await container.start();
      raw.push(performance.now() - start);
      await container.remove({ force: true });

      // agent: publish the desired state, read the time of its RUNNING status
      const j = job(`bench${run}`, engine.testImage);
      const published = Date.now();
      scheduler.publish([{ jobId: j.id, job: j, goal: 'START', ports: {} }]);
      await scheduler.until(() => scheduler.status(j.id)?.state === 'RUNNING', `${j.id} RUNNING`);
      viaAgent.push(Date.parse(scheduler.status(j.id)?.time as string) - published);
      scheduler.publish([]);
      await scheduler.until(() => scheduler.status(j.id)?.state === 'STOPPED', `${j.id} STOPPED`);
      await until(async () => (await ours()).length === 0);
    }

    const jobs = Array.from({ length: TASKS }, (_, i) => job(`fleet${i}`, engine.testImage));
    const fleetStart = Date.now();
    scheduler.publish(jobs.map((j) => ({ jobId: j.id, job: j, goal: 'START', ports: {} })));
    await scheduler.until(() => jobs.every((j) => scheduler.status(j.id)?.state === 'RUNNING'), `${TASKS} RUNNING`, 90_000);
    const fleetSeconds = (Date.now() - fleetStart) / 1000;
    const busyRss = rssMb(agent.pid);

    const rawMedian = median(raw);
    const agentMedian = median(viaAgent);
    const rows: [string, string, string][] = [
      [`raw dockerode create+start (docker run -d), median of ${RUNS}`, `${rawMedian.toFixed(0)} ms`, 'baseline'],
      [`agent: desired state published → RUNNING, median of ${RUNS}`, `${agentMedian.toFixed(0)} ms`, `${(agentMedian / rawMedian).toFixed(2)}×`],
      [`agent: ${TASKS} tasks published → all RUNNING`, `${fleetSeconds.toFixed(1)} s`, ''],
      ['node + swc TS loader alone (the floor under the agent)', `${floorRss.toFixed(1)} MB`, ''],
      ['agent RSS idle, from source through the swc hook', `${sourceIdleRss.toFixed(1)} MB`, 'baseline'],
      ['agent RSS idle, bundle as npm start runs it', `${idleRss.toFixed(1)} MB`, `${(idleRss / sourceIdleRss).toFixed(2)}×`],
      [`agent RSS with ${TASKS} tasks RUNNING`, `${busyRss.toFixed(1)} MB`, ''],
    ];
    printTable(['measurement', 'value', 'vs raw'], rows);
    console.log(`\nraw runs (ms): ${raw.map((v) => v.toFixed(0)).join(' ')}\nagent runs (ms): ${viaAgent.join(' ')}`);
    console.log('\ntargets');
    for (const [name, ok] of [
      ['desired → RUNNING <= 1.2× raw docker run -d', agentMedian <= 1.2 * rawMedian],
      ['agent RSS idle < 80 MB', idleRss < 80],
    ] as const) {
      console.log(`  ${ok ? 'MET   ' : 'MISSED'} ${name}`);
    }
  } finally {
    await agent?.stop();
    for (const c of await ours().catch(() => [])) await engine.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    await nc.close();
    await nats.stop();
    await engine.release();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** The agent has registered once its heartbeats arrive. */
async function waitForRegistered(nc: Awaited<ReturnType<typeof connect>>): Promise<void> {
  const sub = nc.subscribe(agentSubjects(HOST).heartbeat, { max: 1 });
  for await (const _ of sub) return;
}

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
