import { ManualTimer, SimulatedRuntime } from '@berth/container-runtime';
import type { DesiredState, DesiredTask } from '@berth/contracts';
import type { Job, TaskStatus } from '@berth/domain';
import { BerthLabel, jobContainerSpec } from './job-container-spec';
import { planReconcile } from './reconcile-plan';
import { Reconciler } from './reconciler';
import { TaskSupervisor } from './task-supervisor';
import { makeJob } from './testing/job-fixture';

const AGENT = 'a1';

function desiredTask(job: Job, goal: 'START' | 'STOP' = 'START'): DesiredTask {
  return { jobId: job.id, job, goal, ports: {} };
}

function state(revision: number, ...tasks: DesiredTask[]): DesiredState {
  return { host: 'h1', revision, tasks };
}

function setup(runtime = new SimulatedRuntime({ timer: new ManualTimer(0), images: ['local/busybox:1'] }), timer?: ManualTimer) {
  const clock = timer ?? new ManualTimer(0);
  const statuses: TaskStatus[] = [];
  let n = 0;
  const undeployed: string[] = [];
  const redeployed: TaskStatus[] = [];
  const reconciler = new Reconciler({
    runtime,
    agentId: AGENT,
    knownContainers: () => ({}),
    onUndeployed: (jobId) => undeployed.push(jobId),
    onRedeployed: (supervisor) => redeployed.push(supervisor.status),
    createSupervisor: (task, adopt) => {
      const s = new TaskSupervisor(
        { ...task, ports: {} },
        {
          runtime,
          timer: clock,
          healthChecker: async () => true,
          buildSpec: (t) => jobContainerSpec(t.job, { agentId: AGENT, host: 'h1', agentEnv: {}, ports: {}, nameSuffix: `n${++n}` }),
          onStatus: (st) => statuses.push(st),
        },
        adopt,
      );
      s.start();
      return s;
    },
  });
  const latest = (jobId: string) => [...statuses].reverse().find((s) => s.jobId === jobId);
  return { reconciler, runtime, timer: clock, statuses, latest, undeployed, redeployed };
}

function sharedRuntime() {
  const timer = new ManualTimer(0);
  return { timer, runtime: new SimulatedRuntime({ timer, images: ['local/busybox:1'] }) };
}

describe('Reconciler', () => {
  const web = makeJob('web');
  const db = makeJob('db');

  it('starts a supervisor per desired job and passes goal changes on', async () => {
    const { timer, runtime } = sharedRuntime();
    const { reconciler, latest } = setup(runtime, timer);
    reconciler.setDesired(state(1, desiredTask(web), desiredTask(db)));
    await reconciler.reconcile();
    await timer.advance(0);
    expect(latest(web.id)?.state).toBe('RUNNING');
    expect(latest(db.id)?.state).toBe('RUNNING');
    expect(await runtime.listContainers()).toHaveLength(2);

    reconciler.setDesired(state(2, desiredTask(web, 'STOP'), desiredTask(db)));
    const actions = await reconciler.reconcile();
    await timer.advance(0);
    expect(actions).toEqual([{ kind: 'set-goal', jobId: web.id, goal: 'STOP' }]);
    expect(latest(web.id)).toMatchObject({ state: 'STOPPED', goal: 'STOP' });
    expect(latest(db.id)?.state).toBe('RUNNING');
  });

  it('has a job deployed again while its container runs on reported again, without touching the container (issue 18.6: --migrate)', async () => {
    const { timer, runtime } = sharedRuntime();
    const { reconciler, latest, redeployed } = setup(runtime, timer);
    reconciler.setDesired(state(1, { ...desiredTask(web), deployedAt: '2026-01-01T00:00:00.000Z' }));
    await reconciler.reconcile();
    await timer.advance(0);
    expect(latest(web.id)?.state).toBe('RUNNING');
    const [container] = await runtime.listContainers();

    // the same deployment again: nothing to do
    reconciler.setDesired(state(2, { ...desiredTask(web), deployedAt: '2026-01-01T00:00:00.000Z' }));
    expect(await reconciler.reconcile()).toEqual([]);
    // undeployed and deployed again (by a group adopting it) in one desired state
    reconciler.setDesired(state(3, { ...desiredTask(web), deploymentGroupName: 'g', deployedAt: '2026-01-01T00:05:00.000Z' }));
    expect(await reconciler.reconcile()).toEqual([{ kind: 'redeployed', jobId: web.id, deployedAt: '2026-01-01T00:05:00.000Z' }]);
    expect(redeployed).toEqual([expect.objectContaining({ jobId: web.id, state: 'RUNNING' })]);
    expect(await reconciler.reconcile()).toEqual([]);
    expect((await runtime.listContainers()).map((c) => c.id)).toEqual([container?.id]);
  });

  it('undeploys a job missing from the desired state: stops and removes its container', async () => {
    const { timer, runtime } = sharedRuntime();
    const { reconciler, latest, undeployed } = setup(runtime, timer);
    reconciler.setDesired(state(1, desiredTask(web), desiredTask(db)));
    await reconciler.reconcile();
    await timer.advance(0);
    reconciler.setDesired(state(2, desiredTask(db)));
    await reconciler.reconcile();
    await timer.advance(0);
    expect(latest(web.id)).toMatchObject({ goal: 'UNDEPLOY', state: 'STOPPED' });
    expect(undeployed).toEqual([web.id]);
    expect([...reconciler.tasks.keys()]).toEqual([db.id]);
    const left = await runtime.listContainers();
    expect(left.map((c) => c.labels[BerthLabel.JOB_ID])).toEqual([db.id]);
  });

  it('ignores a desired state older than the one it has', async () => {
    const { timer, runtime } = sharedRuntime();
    const { reconciler } = setup(runtime, timer);
    expect(reconciler.setDesired(state(5, desiredTask(web)))).toBe(true);
    expect(reconciler.setDesired(state(4))).toBe(false);
    await reconciler.reconcile();
    await timer.advance(0);
    expect(reconciler.desiredState?.revision).toBe(5);
    expect([...reconciler.tasks.keys()]).toEqual([web.id]);
  });

  it('does nothing (not even reaping) before it knows a desired state', async () => {
    const { timer, runtime } = sharedRuntime();
    const id = await runtime.createContainer(jobContainerSpec(web, { agentId: AGENT, host: 'h1', agentEnv: {}, ports: {}, nameSuffix: 'x' }));
    const { reconciler } = setup(runtime, timer);
    expect(await reconciler.reconcile()).toEqual([]);
    expect(await runtime.inspectContainer(id)).toBeDefined();
  });

  it('after a restart adopts the running container of a job instead of starting another', async () => {
    const { timer, runtime } = sharedRuntime();
    const first = setup(runtime, timer);
    first.reconciler.setDesired(state(1, desiredTask(web)));
    await first.reconciler.reconcile();
    await timer.advance(0);
    const containerId = first.latest(web.id)?.containerId;
    first.reconciler.close();

    const second = setup(runtime, timer);
    second.reconciler.setDesired(state(1, desiredTask(web)));
    const actions = await second.reconciler.reconcile();
    await timer.advance(0);
    expect(actions).toEqual([{ kind: 'supervise', task: desiredTask(web), adoptContainerId: containerId }]);
    expect(second.statuses.map((s) => [s.state, s.containerId])).toEqual([['RUNNING', containerId]]);
    expect(await runtime.listContainers()).toHaveLength(1);
  });

  it('reaps containers with its prefix that no task owns, and leaves other agents alone', async () => {
    const { timer, runtime } = sharedRuntime();
    const stray = await runtime.createContainer(jobContainerSpec(db, { agentId: AGENT, host: 'h1', agentEnv: {}, ports: {}, nameSuffix: 'stray' }));
    await runtime.startContainer(stray);
    const other = await runtime.createContainer(jobContainerSpec(db, { agentId: 'a1-other', host: 'h1', agentEnv: {}, ports: {}, nameSuffix: 'o' }));
    const { reconciler } = setup(runtime, timer);
    reconciler.setDesired(state(1, desiredTask(web)));
    const actions = await reconciler.reconcile();
    expect(actions.filter((a) => a.kind === 'reap').map((a) => (a.kind === 'reap' ? a.containerId : ''))).toEqual([stray]);
    expect(await runtime.inspectContainer(stray)).toBeUndefined();
    expect(await runtime.inspectContainer(other)).toBeDefined();
  });

  it('reaps a container with its name prefix but no agent label, as Helios does (issue 18.6)', async () => {
    const { timer, runtime } = sharedRuntime();
    const spec = jobContainerSpec(db, { agentId: AGENT, host: 'h1', agentEnv: {}, ports: {}, nameSuffix: 'unlabelled' });
    const unlabelled = await runtime.createContainer({ ...spec, labels: {} });
    const foreign = await runtime.createContainer({ ...spec, name: 'someone-elses', labels: {} });
    const { reconciler } = setup(runtime, timer);
    reconciler.setDesired(state(1));
    const actions = await reconciler.reconcile();
    expect(actions.filter((a) => a.kind === 'reap').map((a) => (a.kind === 'reap' ? a.containerId : ''))).toEqual([unlabelled]);
    expect(await runtime.inspectContainer(unlabelled)).toBeUndefined();
    expect(await runtime.inspectContainer(foreign)).toBeDefined();
  });
});

describe('planReconcile', () => {
  const web = makeJob('web');
  const summary = (id: string, jobId: string, running: boolean) => ({
    id,
    name: `berth-a1-${id}`,
    image: 'x',
    state: running ? ('running' as const) : ('exited' as const),
    running,
    labels: { [BerthLabel.JOB_ID]: jobId },
  });

  it('adopts the remembered container when it runs, and reaps the job’s other containers', () => {
    const actions = planReconcile({
      desired: [desiredTask(web)],
      supervised: new Map(),
      containers: [summary('c1', web.id, true), summary('c2', web.id, true)],
      known: { [web.id]: 'c2' },
    });
    expect(actions).toEqual([
      { kind: 'supervise', task: desiredTask(web), adoptContainerId: 'c2' },
      { kind: 'reap', containerId: 'c1', containerName: 'berth-a1-c1' },
    ]);
  });

  it('prefers a running container of the job over a remembered exited one', () => {
    const actions = planReconcile({
      desired: [desiredTask(web)],
      supervised: new Map(),
      containers: [summary('old', web.id, false), summary('live', web.id, true)],
      known: { [web.id]: 'old' },
    });
    expect(actions[0]).toEqual({ kind: 'supervise', task: desiredTask(web), adoptContainerId: 'live' });
  });

  it('never reaps a container a supervisor is creating', () => {
    const actions = planReconcile({
      desired: [desiredTask(web)],
      supervised: new Map([[web.id, { goal: 'START' as const, containerName: 'berth-a1-new' }]]),
      containers: [summary('new', web.id, false)],
      known: {},
    });
    expect(actions).toEqual([]);
  });

  it('undeploys supervised jobs that are no longer desired, once', () => {
    const supervised = new Map([
      [web.id, { goal: 'START' as const }],
      ['gone:1:x', { goal: 'UNDEPLOY' as const }],
    ]);
    expect(planReconcile({ desired: [], supervised, containers: [], known: {} })).toEqual([{ kind: 'undeploy', jobId: web.id }]);
  });
});
