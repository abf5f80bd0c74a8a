import { ManualTimer, SimulatedRuntime } from '@berth/container-runtime';
import type { Job, TaskStatus } from '@berth/domain';
import type { HealthChecker } from './health-checker';
import { jobContainerSpec } from './job-container-spec';
import { TaskSupervisor, type SupervisedTask } from './task-supervisor';
import { makeJob } from './testing/job-fixture';

const IMAGE = 'local/busybox:1';

function setup(job: Job, opts: { images?: string[]; pullable?: (image: string) => boolean; healthChecker?: HealthChecker; goal?: 'START' | 'STOP'; problem?: string } = {}) {
  const timer = new ManualTimer(1_700_000_000_000);
  const runtime = new SimulatedRuntime({ timer, images: opts.images ?? [IMAGE], pullable: opts.pullable });
  const statuses: TaskStatus[] = [];
  let n = 0;
  const task: SupervisedTask = { jobId: job.id, job, goal: opts.goal ?? 'START', ports: {}, ...(opts.problem !== undefined ? { problem: opts.problem } : {}) };
  const make = (adopt?: string) =>
    new TaskSupervisor(
      task,
      {
        runtime,
        timer,
        random: () => 0.5,
        healthChecker: opts.healthChecker ?? (async (check, target) => check.type === 'exec' && (await runtime.exec(target.containerId, check.command)) === 0),
        buildSpec: (t) => jobContainerSpec(t.job, { agentId: 'a1', host: 'h1', agentEnv: {}, ports: t.ports, nameSuffix: String(++n) }),
        onStatus: (s) => statuses.push(s),
      },
      adopt,
    );
  const supervisor = make();
  const states = () => statuses.map((s) => s.state);
  return { timer, runtime, statuses, states, supervisor, make };
}

describe('TaskSupervisor', () => {
  it('runs a job through CREATING, STARTING, RUNNING without pulling a present image', async () => {
    const { supervisor, timer, states, statuses, runtime } = setup(makeJob('web'));
    supervisor.start();
    await timer.advance(0);
    expect(states()).toEqual(['CREATING', 'STARTING', 'RUNNING']);
    expect(statuses[0]?.containerId).toBeUndefined();
    const id = statuses[2]?.containerId as string;
    expect((await runtime.inspectContainer(id))?.running).toBe(true);
    expect(statuses[2]).toMatchObject({ goal: 'START', throttled: 'NO', jobId: makeJob('web').id });
  });

  it('pulls a missing image first', async () => {
    const { supervisor, timer, states } = setup(makeJob('web', { image: 'registry.test/app:2' }));
    supervisor.start();
    await timer.advance(0);
    expect(states()).toEqual(['PULLING_IMAGE', 'CREATING', 'STARTING', 'RUNNING']);
  });

  it('holds the task in HEALTHCHECKING until the exec check passes, backing off', async () => {
    let healthy = false;
    const checks: number[] = [];
    const { supervisor, timer, states } = setup(makeJob('web', { healthCheck: { type: 'exec', command: ['test', '-f', '/ok'] } }), {
      healthChecker: async () => {
        checks.push(timer.now());
        return healthy;
      },
    });
    supervisor.start();
    await timer.advance(0);
    expect(states()).toEqual(['CREATING', 'STARTING', 'HEALTHCHECKING']);
    await timer.advance(10_000);
    expect(states().at(-1)).toBe('HEALTHCHECKING');
    const gaps = checks.slice(1).map((t, i) => t - (checks[i] as number));
    expect(gaps.slice(0, 3)).toEqual([1_000, 2_000, 4_000]);
    healthy = true;
    await timer.advance(30_000);
    expect(states()).toEqual(['CREATING', 'STARTING', 'HEALTHCHECKING', 'RUNNING']);
  });

  it('records EXITED then FAILED when the container dies during health checking, and starts over', async () => {
    const { supervisor, timer, states, runtime, statuses } = setup(makeJob('web', { healthCheck: { type: 'tcp', port: 'p' } }), {
      healthChecker: async () => false,
    });
    supervisor.start();
    await timer.advance(0);
    runtime.crash(statuses.at(-1)?.containerId as string, 3);
    await timer.advance(0);
    expect(states()).toEqual(['CREATING', 'STARTING', 'HEALTHCHECKING', 'EXITED', 'FAILED']);
    expect(statuses[3]?.exitCode).toBe(3);
    expect(statuses[4]?.containerError).toMatch(/health checking/);
    await timer.advance(1_000);
    expect(states().slice(5)).toEqual(['CREATING', 'STARTING', 'HEALTHCHECKING']);
  });

  it('restarts an exited container in a new container after 1 s', async () => {
    const { supervisor, timer, states, runtime, statuses } = setup(makeJob('web'));
    supervisor.start();
    await timer.advance(0);
    const first = statuses.at(-1)?.containerId as string;
    runtime.crash(first, 7);
    await timer.advance(0);
    expect(states().at(-1)).toBe('EXITED');
    expect(statuses.at(-1)?.exitCode).toBe(7);
    await timer.advance(999);
    expect(states().at(-1)).toBe('EXITED');
    await timer.advance(1);
    expect(states().slice(-3)).toEqual(['CREATING', 'STARTING', 'RUNNING']);
    const second = statuses.at(-1)?.containerId as string;
    expect(second).not.toBe(first);
    expect(await runtime.inspectContainer(first)).toBeUndefined();
    expect(await runtime.listContainers()).toHaveLength(1);
  });

  it("reports an exit with the container's last lines, cut to size (issue 18.1: the rollout's failure reason carries them)", async () => {
    const long = 'x'.repeat(300);
    const lines = ['one', 'two', 'three', 'four', 'five', long];
    const { supervisor, timer, statuses } = setup(makeJob('crashing', { command: ['sh', '-c', `${lines.map((l) => `echo ${l}`).join('; ')}; exit 3`] }));
    supervisor.start();
    await timer.advance(0);
    const exited = statuses.find((s) => s.state === 'EXITED');
    expect(exited).toMatchObject({ exitCode: 3, logTail: ['two', 'three', 'four', 'five', 'x'.repeat(200)] });
    // the other states carry no output
    expect(statuses.filter((s) => s.logTail !== undefined).map((s) => s.state)).toEqual(statuses.filter((s) => s.state === 'EXITED').map((s) => s.state));
  });

  it('reports an exit without output when the container wrote none', async () => {
    const { supervisor, timer, statuses } = setup(makeJob('silent', { command: ['sh', '-c', 'exit 3'] }));
    supervisor.start();
    await timer.advance(0);
    const exited = statuses.find((s) => s.state === 'EXITED');
    expect(exited).toMatchObject({ exitCode: 3 });
    expect(exited).not.toHaveProperty('logTail');
  });

  it('throttles a job that exits 10 times within 60 s as FLAPPING, and clears it once it runs stably', async () => {
    const { supervisor, timer, statuses, runtime } = setup(makeJob('crashy'));
    supervisor.start();
    await timer.advance(0);
    for (let i = 0; i < 10; i++) {
      runtime.crash(statuses.at(-1)?.containerId as string, 1);
      await timer.advance(1_000);
    }
    const exits = statuses.filter((s) => s.state === 'EXITED');
    expect(exits).toHaveLength(10);
    expect(exits[8]?.throttled).toBe('NO');
    expect(exits[9]?.throttled).toBe('FLAPPING');
    // restart is held back 30 s instead of 1 s
    expect(statuses.at(-1)?.state).toBe('EXITED');
    await timer.advance(29_000);
    expect(statuses.at(-1)).toMatchObject({ state: 'RUNNING', throttled: 'FLAPPING' });
    await timer.advance(60_000);
    expect(statuses.at(-1)).toMatchObject({ state: 'RUNNING', throttled: 'NO' });
  });

  it('reports IMAGE_MISSING and retries every 2 minutes when the registry does not know the image', async () => {
    const { supervisor, timer, statuses } = setup(makeJob('web', { image: 'nope/none:1' }), { pullable: () => false });
    supervisor.start();
    await timer.advance(0);
    expect(statuses.map((s) => s.state)).toEqual(['PULLING_IMAGE', 'FAILED']);
    expect(statuses[1]).toMatchObject({ throttled: 'IMAGE_MISSING' });
    expect(statuses[1]?.containerError).toMatch(/nope\/none:1/);
    await timer.advance(119_000);
    expect(statuses).toHaveLength(2);
    await timer.advance(1_000);
    expect(statuses.map((s) => s.state)).toEqual(['PULLING_IMAGE', 'FAILED', 'PULLING_IMAGE', 'FAILED']);
  });

  it('reports IMAGE_PULL_FAILED and retries after 30 s when the registry refuses', async () => {
    const timer = new ManualTimer(0);
    const runtime = new SimulatedRuntime({ timer, registryAuth: { username: 'u', password: 'p' } });
    const statuses: TaskStatus[] = [];
    const job = makeJob('web', { image: '127.0.0.1:5000/app:1' });
    const supervisor = new TaskSupervisor(
      { jobId: job.id, job, goal: 'START', ports: {} },
      {
        runtime,
        timer,
        healthChecker: async () => true,
        buildSpec: (t) => jobContainerSpec(t.job, { agentId: 'a', host: 'h', agentEnv: {}, ports: {}, nameSuffix: 'x' }),
        onStatus: (s) => statuses.push(s),
      },
    );
    supervisor.start();
    await timer.advance(0);
    expect(statuses.at(-1)).toMatchObject({ state: 'FAILED', throttled: 'IMAGE_PULL_FAILED' });
    expect(statuses.at(-1)?.containerError).toMatch(/no basic auth credentials/);
    await timer.advance(30_000);
    expect(statuses.filter((s) => s.state === 'PULLING_IMAGE')).toHaveLength(2);
  });

  it('stops on goal STOP (STOPPING, STOPPED) and starts a new container on START', async () => {
    const { supervisor, timer, states, runtime, statuses } = setup(makeJob('web'));
    supervisor.start();
    await timer.advance(0);
    const first = statuses.at(-1)?.containerId as string;
    supervisor.setGoal('STOP');
    await timer.advance(0);
    expect(states().slice(-2)).toEqual(['STOPPING', 'STOPPED']);
    expect(statuses.at(-1)).toMatchObject({ goal: 'STOP', containerId: first });
    expect((await runtime.inspectContainer(first))?.running).toBe(false);
    await timer.advance(60_000);
    expect(states().at(-1)).toBe('STOPPED');
    supervisor.setGoal('START');
    await timer.advance(0);
    expect(states().slice(-3)).toEqual(['CREATING', 'STARTING', 'RUNNING']);
  });

  it('does not start a job deployed with goal STOP', async () => {
    const { supervisor, timer, states, runtime } = setup(makeJob('web'), { goal: 'STOP' });
    supervisor.start();
    await timer.advance(0);
    expect(states()).toEqual(['STOPPED']);
    expect(await runtime.listContainers()).toEqual([]);
  });

  it('on UNDEPLOY stops and removes the container, then finishes', async () => {
    const { supervisor, timer, states, runtime } = setup(makeJob('web'));
    supervisor.start();
    await timer.advance(0);
    supervisor.setGoal('UNDEPLOY');
    await timer.advance(0);
    await supervisor.whenUndeployed;
    expect(states().slice(-2)).toEqual(['STOPPING', 'STOPPED']);
    expect(supervisor.isFinished).toBe(true);
    expect(await runtime.listContainers()).toEqual([]);
  });

  it('a health check that hangs does not block an undeploy (issue 18.6)', async () => {
    const { supervisor, timer, states, runtime } = setup(makeJob('web', { healthCheck: { type: 'exec', command: ['sleep', '3600'] } }), {
      healthChecker: () => new Promise<boolean>(() => undefined),
    });
    supervisor.start();
    await timer.advance(0);
    expect(states().at(-1)).toBe('HEALTHCHECKING');
    supervisor.setGoal('UNDEPLOY');
    await timer.advance(0);
    await supervisor.whenUndeployed;
    expect(states().slice(-2)).toEqual(['STOPPING', 'STOPPED']);
    expect(await runtime.listContainers()).toEqual([]);
  });

  it('adopts a running container without health checking it again (Helios #1090)', async () => {
    const checker = jest.fn(async () => true);
    const job = makeJob('web', { healthCheck: { type: 'exec', command: ['true'] } });
    const { timer, runtime, statuses, make } = setup(job, { healthChecker: checker });
    const id = await runtime.createContainer(jobContainerSpec(job, { agentId: 'a1', host: 'h1', agentEnv: {}, ports: {}, nameSuffix: 'old' }));
    await runtime.startContainer(id);
    make(id).start();
    await timer.advance(0);
    expect(statuses.map((s) => [s.state, s.containerId])).toEqual([['RUNNING', id]]);
    expect(checker).not.toHaveBeenCalled();
    expect(await runtime.listContainers()).toHaveLength(1);
  });

  it('replaces an adopted container that died while the agent was away', async () => {
    const job = makeJob('web');
    const { timer, runtime, statuses, make } = setup(job);
    const id = await runtime.createContainer(jobContainerSpec(job, { agentId: 'a1', host: 'h1', agentEnv: {}, ports: {}, nameSuffix: 'old' }));
    make(id).start();
    await timer.advance(0);
    expect(statuses.map((s) => s.state)).toEqual(['CREATING', 'STARTING', 'RUNNING']);
    expect(statuses.at(-1)?.containerId).not.toBe(id);
    expect(await runtime.listContainers()).toHaveLength(1);
  });

  it('reports a task that cannot become a container as FAILED with the reason, once, until its goal changes', async () => {
    const { supervisor, timer, statuses } = setup(makeJob('web', { ports: { http: { internalPort: 80, protocol: 'tcp' } } }));
    supervisor.start();
    await timer.advance(0);
    expect(statuses.at(-1)).toMatchObject({ state: 'FAILED', throttled: 'NO' });
    expect(statuses.at(-1)?.containerError).toMatch(/port "http" has no host port/);
    await timer.advance(60_000);
    expect(statuses.filter((s) => s.state === 'FAILED')).toHaveLength(1);
    supervisor.setGoal('STOP');
    await timer.advance(0);
    expect(statuses.at(-1)).toMatchObject({ state: 'STOPPED', goal: 'STOP' });
  });

  it('reports a task received malformed as FAILED with the problem, without touching the runtime', async () => {
    const { supervisor, timer, statuses, runtime } = setup(makeJob('bad'), { problem: 'the task has no job' });
    supervisor.start();
    await timer.advance(0);
    expect(statuses).toEqual([expect.objectContaining({ state: 'FAILED', containerError: 'the task has no job' })]);
    expect(await runtime.listContainers()).toEqual([]);
  });

  it('leaves the container running when closed', async () => {
    const { supervisor, timer, statuses, runtime } = setup(makeJob('web'));
    supervisor.start();
    await timer.advance(0);
    const count = statuses.length;
    supervisor.close();
    await timer.advance(10_000);
    expect(statuses).toHaveLength(count);
    expect((await runtime.inspectContainer(statuses.at(-1)?.containerId as string))?.running).toBe(true);
  });
});
