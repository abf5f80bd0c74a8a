import { DockerRuntime, realTimer } from '@berth/container-runtime';
import type { DesiredTask } from '@berth/contracts';
import type { Job } from '@berth/domain';
import { useDocker, eventually } from '@berth/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHealthChecker } from './health-checker';
import { BerthLabel, containerNamePrefix, jobContainerSpec } from './job-container-spec';
import { Reconciler } from './reconciler';
import { TaskSupervisor } from './task-supervisor';
import { makeJob } from './testing/job-fixture';
import { freePort } from './testing/fake-scheduler';
import { startEmptyRegistry } from './testing/empty-registry';
import { StatusLog } from './testing/status-log';
import type { RestartDelays } from './task-supervisor';

/** A busybox program that runs until SIGTERM and then exits at once. */
const SERVE = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'];

describe('agent core on a real Docker engine', () => {
  const engine = useDocker();
  let runtime: DockerRuntime;
  let agentId: string;
  let log: StatusLog;
  let reconcilers: Reconciler[] = [];
  let failedChecks: (() => void)[] = [];
  let dirs: string[] = [];

  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'berth-agent-data-'));
    dirs.push(dir);
    return dir;
  }

  beforeEach(() => {
    runtime = new DockerRuntime({ dockerHost: engine.dockerHost });
    agentId = `t${randomBytes(4).toString('hex')}`;
    log = new StatusLog();
  });

  afterEach(async () => {
    for (const r of reconcilers) r.close();
    reconcilers = [];
    failedChecks = [];
    for (const c of await runtime.listContainers({ namePrefix: containerNamePrefix(agentId) })) {
      await runtime.removeContainer(c.id, { force: true });
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    dirs = [];
  });

  function job(name: string, overrides: Partial<Job> = {}): Job {
    return makeJob(name, { image: engine.testImage, command: SERVE, networkMode: 'none', secondsToWaitBeforeKill: 5, ...overrides });
  }

  /** Resolves after `n` failed health checks. */
  function failedHealthChecks(n: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let seen = 0;
      failedChecks = [() => ++seen === n && resolve()];
    });
  }

  function reconciler(delays: Partial<RestartDelays> = {}): Reconciler {
    const r = new Reconciler({
      runtime,
      agentId,
      knownContainers: () => ({}),
      createSupervisor: (task, adopt) => {
        const s = new TaskSupervisor(
          { ...task },
          {
            runtime,
            timer: realTimer,
            healthChecker: async (check, target) => {
              const healthy = await createHealthChecker(runtime)(check, target);
              if (!healthy) for (const notify of failedChecks) notify();
              return healthy;
            },
            delays: { healthFirst: 100, healthMax: 200, ...delays },
            buildSpec: (t) =>
              jobContainerSpec(t.job, {
                agentId,
                host: 'h1',
                agentEnv: { AGENT_ENV: 'yes', SHADOWED: 'agent' },
                ports: t.ports,
                nameSuffix: randomBytes(4).toString('hex'),
                dns: ['127.0.0.53'],
                extraHosts: ['db.berth.test:127.0.0.7'],
              }),
            onStatus: log.push,
          },
          adopt,
        );
        s.start();
        return s;
      },
    });
    reconcilers.push(r);
    return r;
  }

  function desire(r: Reconciler, revision: number, ...tasks: DesiredTask[]): Promise<unknown> {
    r.setDesired({ host: 'h1', revision, tasks });
    return r.reconcile();
  }

  const task = (j: Job, goal: 'START' | 'STOP' = 'START', ports: Record<string, number> = {}): DesiredTask => ({ jobId: j.id, job: j, goal, ports });

  it('runs a job through CREATING, STARTING, RUNNING in exactly one container', async () => {
    const j = job('web', { env: { JOB_ENV: 'set' } });
    const running = log.next((s) => s.jobId === j.id && s.state === 'RUNNING');
    await desire(reconciler(), 1, task(j));
    const status = await running;
    expect(log.states(j.id)).toEqual(['CREATING', 'STARTING', 'RUNNING']);
    const containers = await runtime.listContainers({ labels: { [BerthLabel.JOB_ID]: j.id } });
    expect(containers.map((c) => [c.id, c.running])).toEqual([[status.containerId, true]]);
    const info = await engine.docker.getContainer(status.containerId as string).inspect();
    expect(info.HostConfig.NetworkMode).toBe('none');
    expect(info.Config.Env).toEqual(expect.arrayContaining(['AGENT_ENV=yes', 'JOB_ENV=set']));
    expect(info.Config.Labels).toMatchObject({ [BerthLabel.AGENT_ID]: agentId, [BerthLabel.JOB_ID]: j.id });
  });

  it('records EXITED with the exit code when the container dies, then restarts it in a new container', async () => {
    const j = job('crashy');
    const r = reconciler();
    const firstRun = log.next((s) => s.jobId === j.id && s.state === 'RUNNING');
    await desire(r, 1, task(j));
    const first = (await firstRun).containerId as string;
    const exited = log.next((s) => s.jobId === j.id && s.state === 'EXITED');
    const restarted = log.next((s) => s.jobId === j.id && s.state === 'RUNNING');
    await engine.docker.getContainer(first).kill({ signal: 'SIGKILL' });
    expect((await exited).exitCode).toBe(137);
    const second = (await restarted).containerId as string;
    expect(second).not.toBe(first);
    expect(log.states(j.id).slice(-4)).toEqual(['EXITED', 'CREATING', 'STARTING', 'RUNNING']);
    const containers = await runtime.listContainers({ labels: { [BerthLabel.JOB_ID]: j.id } });
    expect(containers.map((c) => c.id)).toEqual([second]);
  });

  it('holds the task in HEALTHCHECKING until its exec check passes', async () => {
    const j = job('checked', { healthCheck: { type: 'exec', command: ['test', '-f', '/tmp/ready'] } });
    const checking = log.next((s) => s.jobId === j.id && s.state === 'HEALTHCHECKING');
    const threeFailures = new Promise<void>((resolve) => {
      let n = 0;
      failedChecks = [() => ++n === 3 && resolve()];
    });
    await desire(reconciler(), 1, task(j));
    const id = (await checking).containerId as string;
    await threeFailures;
    expect(log.latest(j.id)?.state).toBe('HEALTHCHECKING');
    const running = log.next((s) => s.jobId === j.id && s.state === 'RUNNING');
    expect(await runtime.exec(id, ['touch', '/tmp/ready'])).toBe(0);
    expect((await running).containerId).toBe(id);
    expect(log.states(j.id)).toEqual(['CREATING', 'STARTING', 'HEALTHCHECKING', 'RUNNING']);
  });

  it('stops on goal STOP and removes the container on undeploy', async () => {
    const j = job('leaving');
    const r = reconciler();
    const running = log.next((s) => s.jobId === j.id && s.state === 'RUNNING');
    await desire(r, 1, task(j));
    const id = (await running).containerId as string;
    const stopped = log.next((s) => s.jobId === j.id && s.state === 'STOPPED');
    await desire(r, 2, task(j, 'STOP'));
    await stopped;
    expect((await runtime.inspectContainer(id))?.running).toBe(false);
    await desire(r, 3);
    await r.tasks.get(j.id)?.whenUndeployed;
    expect(await runtime.inspectContainer(id)).toBeUndefined();
    expect(r.tasks.size).toBe(0);
  });

  it('adopts its running container after a restart, and reaps a stray one', async () => {
    const j = job('survivor');
    const first = reconciler();
    const running = log.next((s) => s.jobId === j.id && s.state === 'RUNNING');
    await desire(first, 1, task(j));
    const id = (await running).containerId as string;
    first.close();
    const strayId = await runtime.createContainer(jobContainerSpec(job('stray'), { agentId, host: 'h1', agentEnv: {}, ports: {}, nameSuffix: 'stray' }));
    await runtime.startContainer(strayId);

    log = new StatusLog();
    const second = reconciler();
    const adopted = log.next((s) => s.jobId === j.id && s.state === 'RUNNING');
    const actions = await desire(second, 1, task(j));
    expect((await adopted).containerId).toBe(id);
    expect(actions).toContainEqual(expect.objectContaining({ kind: 'reap', containerId: strayId }));
    expect(log.states(j.id)).toEqual(['RUNNING']);
    const ours = await runtime.listContainers({ namePrefix: containerNamePrefix(agentId) });
    expect(ours.map((c) => c.id)).toEqual([id]);
  });

  it('shows every job field in docker inspect', async () => {
    const j = job('fields', {
      hostname: 'berthbox',
      resources: { memory: 64 * 1024 * 1024, memorySwap: 128 * 1024 * 1024, cpuShares: 256 },
      ramdisks: { '/scratch': 'rw,size=1m' },
      addCapabilities: ['NET_ADMIN'],
      dropCapabilities: ['MKNOD'],
      volumes: { '/anon': '', '/named:ro': `berth-vol-${agentId}` },
      labels: { team: 'core' },
      securityOpt: ['no-new-privileges'],
      runtime: 'runc',
    });
    const running = log.next((s) => s.jobId === j.id && s.state === 'RUNNING');
    await desire(reconciler(), 1, task(j));
    const info = await engine.docker.getContainer((await running).containerId as string).inspect();
    expect(info.Config.Hostname).toBe('berthbox');
    expect(info.HostConfig).toMatchObject({
      Memory: 64 * 1024 * 1024,
      MemorySwap: 128 * 1024 * 1024,
      CpuShares: 256,
      Tmpfs: { '/scratch': 'rw,size=1m' },
      CapAdd: ['NET_ADMIN'],
      CapDrop: ['MKNOD'],
      NetworkMode: 'none',
      Binds: [`berth-vol-${agentId}:/named:ro`],
      SecurityOpt: ['no-new-privileges'],
      Runtime: 'runc',
      Dns: ['127.0.0.53'],
      ExtraHosts: ['db.berth.test:127.0.0.7'],
    });
    expect(info.Config.Labels).toMatchObject({ team: 'core' });
    expect(info.Mounts.map((m) => m.Destination).sort()).toEqual(['/anon', '/named']);
    await engine.docker.getContainer(info.Id).remove({ force: true, v: true });
    await engine.docker.getVolume(`berth-vol-${agentId}`).remove().catch(() => undefined);
  });

  it('gives the container its env, BERTH_PORT_<name> and the cpuset, visible from inside', async () => {
    const data = tempDir();
    const port = await freePort();
    const j = job('envdump', {
      command: ['sh', '-c', 'env > /data/env.tmp && mv /data/env.tmp /data/env; trap "exit 0" TERM; sleep 3600 & wait'],
      networkMode: 'host',
      ports: { http: { internalPort: port, protocol: 'tcp' } },
      env: { JOB_ENV: 'set', SHADOWED: 'job' },
      volumes: { '/data': data },
      resources: { cpuset: '0' },
    });
    const running = log.next((s) => s.jobId === j.id && s.state === 'RUNNING');
    await desire(reconciler(), 1, task(j, 'START', { http: port }));
    const info = await engine.docker.getContainer((await running).containerId as string).inspect();
    expect(info.HostConfig).toMatchObject({ CpusetCpus: '0', NetworkMode: 'host', Binds: [`${data}:/data`] });
    await waitFor(() => readable(join(data, 'env')));
    const env = readFileSync(join(data, 'env'), 'utf8').split('\n');
    expect(env).toEqual(expect.arrayContaining([`BERTH_PORT_http=h1:${port}`, 'AGENT_ENV=yes', 'JOB_ENV=set', 'SHADOWED=job']));
  });

  it.each([
    ['http', { type: 'http', port: 'web', path: '/' }],
    ['tcp', { type: 'tcp', port: 'web' }],
  ] as const)('holds the task in HEALTHCHECKING until its %s check can connect, then RUNNING', async (_, healthCheck) => {
    const port = await freePort();
    const j = job(`hc-${healthCheck.type}`, { networkMode: 'host', ports: { web: { internalPort: port, externalPort: port, protocol: 'tcp' } }, healthCheck });
    const checking = log.next((s) => s.jobId === j.id && s.state === 'HEALTHCHECKING');
    const threeFailures = failedHealthChecks(3);
    await desire(reconciler(), 1, task(j, 'START', { web: port }));
    const id = (await checking).containerId as string;
    await threeFailures;
    expect(log.latest(j.id)?.state).toBe('HEALTHCHECKING');
    const running = log.next((s) => s.jobId === j.id && s.state === 'RUNNING');
    // busybox httpd daemonizes, so the exec returns; it serves index.html on GET /.
    const serve = `mkdir -p /tmp/www && echo ok > /tmp/www/index.html && httpd -p 127.0.0.1:${port} -h /tmp/www`;
    expect(await runtime.exec(id, ['sh', '-c', serve])).toBe(0);
    expect((await running).containerId).toBe(id);
    expect(log.states(j.id)).toEqual(['CREATING', 'STARTING', 'HEALTHCHECKING', 'RUNNING']);
  });

  it('throttles a container that keeps exiting as FLAPPING, and back to NO once it stays up (flap window shortened to 3 s)', async () => {
    const data = tempDir();
    const j = job('flappy', {
      command: ['sh', '-c', 'test -f /data/stable || exit 3; trap "exit 0" TERM; sleep 3600 & wait'],
      volumes: { '/data': data },
    });
    const flapping = log.next((s) => s.jobId === j.id && s.throttled === 'FLAPPING', 20_000);
    await desire(reconciler({ normal: 100, flapping: 500, flapWindow: 3_000 }), 1, task(j));
    expect(await flapping).toMatchObject({ state: 'EXITED', exitCode: 3 });
    expect(log.all.filter((s) => s.jobId === j.id && s.state === 'EXITED')).toHaveLength(10);
    const stable = log.next((s) => s.jobId === j.id && s.state === 'RUNNING' && s.throttled === 'NO', 20_000);
    writeFileSync(join(data, 'stable'), '');
    const runningFlapping = log.next((s) => s.jobId === j.id && s.state === 'RUNNING');
    expect(await runningFlapping).toMatchObject({ throttled: 'FLAPPING' });
    const settled = await stable;
    expect(settled.containerId).toBe((await runningFlapping).containerId);
  }, 40_000);

  it('reports a job whose image no registry has as FAILED, throttled IMAGE_MISSING, with the error', async () => {
    const registry = await startEmptyRegistry();
    try {
      const j = job('ghost', { image: `${registry.address}/berth/ghost:1` });
      const failed = log.next((s) => s.jobId === j.id && s.state === 'FAILED');
      await desire(reconciler(), 1, task(j));
      expect(await failed).toMatchObject({ throttled: 'IMAGE_MISSING', containerError: expect.stringMatching(/manifest unknown/) });
      expect(log.states(j.id)).toEqual(['PULLING_IMAGE', 'FAILED']);
      expect(await runtime.listContainers({ labels: { [BerthLabel.JOB_ID]: j.id } })).toEqual([]);
    } finally {
      registry.server.close();
    }
  });

  it('stops with SIGTERM, which the container traps', async () => {
    const data = tempDir();
    const j = job('graceful', {
      command: ['sh', '-c', 'trap "echo TERM > /data/signal; exit 0" TERM; sleep 3600 & wait'],
      volumes: { '/data': data },
      secondsToWaitBeforeKill: 30,
    });
    const r = reconciler();
    const running = log.next((s) => s.jobId === j.id && s.state === 'RUNNING');
    await desire(r, 1, task(j));
    const id = (await running).containerId as string;
    const stopped = log.next((s) => s.jobId === j.id && s.state === 'STOPPED');
    const started = Date.now();
    await desire(r, 2, task(j, 'STOP'));
    await stopped;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(readFileSync(join(data, 'signal'), 'utf8').trim()).toBe('TERM');
    expect((await runtime.inspectContainer(id))?.exitCode).toBe(0);
  });
});

function readable(path: string): boolean {
  try {
    return readFileSync(path, 'utf8').length > 0;
  } catch {
    return false;
  }
}

const waitFor = (condition: () => boolean, timeoutMs = 10_000): Promise<void> => eventually(condition, { timeoutMs, intervalMs: 20 });
