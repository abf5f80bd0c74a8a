import { SchedulerCommand } from '@berth/contracts';
import {
  deploymentDecider,
  resolveJob,
  runDecider,
  type Decider,
  type DeploymentEvent,
  type DeploymentState,
  type RecordTaskStatus,
  type TaskState,
} from '@berth/domain';
import { InMemoryEventStore } from '@berth/event-store';
import fc from 'fast-check';
import { SCHEDULER_SNAPSHOT, Snapshotter, type SchedulerSnapshotState } from './snapshotter';
import { Aggregate } from '@berth/read-model';
import { InMemoryScheduler, manualClock, newSchedulerState, silentLogger, type SchedulerState } from './testing/in-memory-scheduler';

const names = fc.constantFrom('web', 'db', 'cache');
const versions = fc.constantFrom('1', '2');
const hosts = fc.constantFrom('h1', 'h2', 'h3');
const tokens = fc.option(fc.constant('t0k'), { nil: undefined });
const ref = fc.tuple(names, versions).map(([n, v]) => `${n}:${v}`);

type Step =
  | { kind: 'create'; name: string; version: string; token?: string; staticPort: boolean; env: string }
  | { kind: 'remove'; job: string; token?: string }
  | { kind: 'register'; host: string; role: string }
  | { kind: 'deregister'; host: string }
  | { kind: 'deploy' | 'undeploy' | 'start' | 'stop'; job: string; host: string; token?: string }
  | { kind: 'status'; job: string; host: string; state: TaskState }
  | { kind: 'statusBatch'; job: string; host: string; states: TaskState[] }
  | { kind: 'snapshot' };

const taskState = fc.constantFrom<TaskState>('CREATING', 'RUNNING', 'EXITED', 'STOPPED');
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('create' as const), name: names, version: versions, token: tokens, staticPort: fc.boolean(), env: fc.constantFrom('a', 'b') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), job: ref, token: tokens }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('register' as const), host: hosts, role: fc.constantFrom('web', 'db') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deregister' as const), host: hosts }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('deploy' as const, 'undeploy' as const, 'start' as const, 'stop' as const), job: ref, host: hosts, token: tokens }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('status' as const), job: ref, host: hosts, state: taskState }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('statusBatch' as const), job: ref, host: hosts, states: fc.array(taskState, { minLength: 2, maxLength: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('snapshot' as const) }) },
);

/** Several status reports decided together: one append of several events, as a coalesced agent report would be. */
const batchDecider: Decider<RecordTaskStatus[], DeploymentEvent, DeploymentState> = {
  initialState: deploymentDecider.initialState,
  evolve: deploymentDecider.evolve,
  decide: (commands, state) => {
    const events: DeploymentEvent[] = [];
    let current = state;
    for (const c of commands) {
      const decided = runDecider(deploymentDecider, current, c);
      events.push(...decided.events);
      current = decided.state;
    }
    return events;
  },
};

/** Every generated history starts with hosts and jobs, so that deploys and status reports mostly land. */
const prelude: Step[] = [
  { kind: 'register', host: 'h1', role: 'web' },
  { kind: 'register', host: 'h2', role: 'db' },
  { kind: 'create', name: 'web', version: '1', staticPort: false, env: 'a' },
  { kind: 'create', name: 'db', version: '1', staticPort: true, env: 'a' },
  { kind: 'deploy', job: 'web:1', host: 'h1' },
  { kind: 'deploy', job: 'db:1', host: 'h2' },
];

const commandOf = {
  deploy: SchedulerCommand.DEPLOY,
  undeploy: SchedulerCommand.UNDEPLOY,
  start: SchedulerCommand.START,
  stop: SchedulerCommand.STOP,
} as const;

async function run(s: InMemoryScheduler, snapshotter: Snapshotter, st: Step, time: string): Promise<void> {
  const token = (t: string | undefined) => (t === undefined ? {} : { token: t });
  switch (st.kind) {
    case 'create': {
      const ports = st.staticPort ? { ports: { p: { internalPort: 80, externalPort: 8080 } } } : {};
      await s.call(SchedulerCommand.CREATE_JOB, { job: { id: `${st.name}:${st.version}`, image: 'local/busybox:1', env: { E: st.env }, ...token(st.token), ...ports } });
      return;
    }
    case 'remove':
      await s.call(SchedulerCommand.REMOVE_JOB, { job: st.job, ...token(st.token) });
      return;
    case 'register':
      await s.call(SchedulerCommand.REGISTER_HOST, { host: st.host, agentId: `agent-${st.host}`, labels: { role: st.role } });
      return;
    case 'deregister':
      await s.call(SchedulerCommand.DEREGISTER_HOST, { host: st.host });
      return;
    case 'status': {
      const jobId = resolveJob(st.job, s.state.view.jobs().keys());
      const status = { jobId, goal: 'START' as const, state: st.state, throttled: 'NO' as const, ports: {}, containerId: `c-${st.state}`, time };
      await s.executor.execute(Aggregate.DEPLOYMENT, st.host, deploymentDecider, (_, t) => ({ type: 'RecordTaskStatus' as const, host: st.host, status, time: t }), { actor: 'agent' });
      return;
    }
    case 'statusBatch': {
      const jobId = resolveJob(st.job, s.state.view.jobs().keys());
      await s.executor.execute(
        Aggregate.DEPLOYMENT,
        st.host,
        batchDecider,
        (_, t) =>
          st.states.map((state, i) => ({
            type: 'RecordTaskStatus' as const,
            host: st.host,
            status: { jobId, goal: 'START' as const, state, throttled: 'NO' as const, ports: {}, containerId: `c-${i}`, time },
            time: t,
          })),
        { actor: 'agent' },
      );
      return;
    }
    case 'snapshot':
      await snapshotter.save();
      return;
    default:
      await s.call(commandOf[st.kind], { job: st.job, host: st.host, ...token(st.token) });
  }
}

async function rebuild(store: InMemoryEventStore, withSnapshot: boolean): Promise<{ state: SchedulerState; from: number }> {
  const state = newSchedulerState();
  const snapshotter = new Snapshotter(store, state.projection, state.history, withSnapshot ? 1 : 0, silentLogger);
  const from = await snapshotter.restore();
  const following = state.projection.follow(store);
  await following.caughtUp;
  await following.stop();
  await snapshotter.close();
  return { state, from };
}

const stateOf = (s: SchedulerState) => ({ projection: s.projection.toSnapshot(), history: s.history.toState() });

describe('Snapshotter', () => {
  it('restoring the snapshot and replaying the tail gives the same state as a full replay', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 12 }), async (steps, every) => {
        const clock = manualClock();
        const store = new InMemoryEventStore();
        const live = await new InMemoryScheduler(store, clock.date).start();
        const snapshotter = new Snapshotter(store, live.state.projection, live.state.history, every, silentLogger);
        snapshotter.enable();
        for (const st of [...prelude, ...steps]) {
          clock.advance(1000);
          await run(live, snapshotter, st, clock.date().toISOString()).catch(() => undefined);
        }
        await snapshotter.close();
        await live.stop();

        const restored = await rebuild(store, true);
        const replayed = await rebuild(store, false);
        expect(replayed.from).toBe(0);
        expect(stateOf(restored.state)).toEqual(stateOf(replayed.state));
        expect(stateOf(restored.state)).toEqual(stateOf(live.state));
      }),
      { numRuns: 150, seed: 4242 },
    );
    // 150 histories of up to 40 commands each: seconds of CPU, more on a loaded machine
  }, 60_000);

  it('saves every N events while enabled, covering whole appends, and only then', async () => {
    const store = new InMemoryEventStore();
    const live = await new InMemoryScheduler(store).start();
    const snapshotter = new Snapshotter(store, live.state.projection, live.state.history, 3, silentLogger);
    await live.call(SchedulerCommand.REGISTER_HOST, { host: 'h1', agentId: 'a' });
    await live.call(SchedulerCommand.REGISTER_HOST, { host: 'h2', agentId: 'b' });
    await live.call(SchedulerCommand.REGISTER_HOST, { host: 'h3', agentId: 'c' });
    await new Promise((r) => setImmediate(r));
    expect(await store.loadSnapshot(SCHEDULER_SNAPSHOT)).toBeUndefined();

    snapshotter.enable();
    await new Promise((r) => setImmediate(r));
    await snapshotter.disable();
    const saved = await store.loadSnapshot<SchedulerSnapshotState>(SCHEDULER_SNAPSHOT);
    expect(saved?.sequence).toBe(live.state.projection.sequence);
    expect(Object.keys(saved?.state.projection['host'] ?? {}).sort()).toEqual(['h1', 'h2', 'h3']);
    await snapshotter.close();
    await live.stop();
  });

  it('keeps the anomalies met before the snapshot, so a restart from it still reports them', async () => {
    const store = new InMemoryEventStore();
    const live = await new InMemoryScheduler(store).start();
    await live.call(SchedulerCommand.REGISTER_HOST, { host: 'h1', agentId: 'a' });
    // a deployment of a job that never existed, as a race or a hand edit leaves it
    const meta = { actor: 'hand-edit', correlationId: 'c', causationId: 'k', time: '2026-01-01T00:00:00.000Z' };
    const data = { host: 'h1', jobId: 'gone:1:aaaa', goal: 'START', ports: {}, protocols: {}, token: '', time: meta.time };
    const { lastSequence } = await store.append(Aggregate.DEPLOYMENT, 'h1', 0, [{ id: 'poison', type: 'JobDeployed', schemaVersion: 1, ...meta, data }]);
    await live.state.projection.waitFor(lastSequence);
    const snapshotter = new Snapshotter(store, live.state.projection, live.state.history, 1, silentLogger);
    await snapshotter.save();
    await snapshotter.close();
    await live.stop();

    const { state, from } = await rebuild(store, true);
    expect(from).toBeGreaterThan(0);
    expect(state.projection.anomalies().anomalies).toEqual([expect.objectContaining({ aggregate: Aggregate.DEPLOYMENT, aggregateId: 'h1', eventType: 'JobDeployed' })]);
    expect(state.projection.anomalies()).toEqual(live.state.projection.anomalies());
  });

  it('ignores a snapshot of another format and replays everything', async () => {
    const store = new InMemoryEventStore();
    const live = await new InMemoryScheduler(store).start();
    await live.call(SchedulerCommand.REGISTER_HOST, { host: 'h1', agentId: 'a' });
    await store.saveSnapshot(SCHEDULER_SNAPSHOT, { sequence: 99, state: { format: 0, projection: {}, history: {} } });
    const { state, from } = await rebuild(store, true);
    expect(from).toBe(0);
    expect(state.view.host('h1')).toBeDefined();
    await live.stop();
  });
});
