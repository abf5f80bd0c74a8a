import { SchedulerCommand, type StoredEvent } from '@berth/contracts';
import { JetStreamEventStore } from '@berth/event-store';
import { createBerthProjection } from '@berth/read-model';
import { useNatsServer } from '@berth/testing';
import fc from 'fast-check';
import { InMemoryScheduler } from './testing/in-memory-scheduler';

/*
 * Random interleavings of commands from several writers at once — three
 * schedulers' command handling, each on its own projection and its own
 * connection to one real nats-server (as a deposed leader still writing would
 * be) — and then the rules of docs/nats-api.md checked on the history they
 * wrote together, in stream order:
 * - a job is deployed only while it exists, and removed only while deployed nowhere;
 * - a job is deployed only on a registered host, and a deregistered host keeps no deployment;
 * - a rollout exists only together with its group's record of it, for a group that exists;
 * - no event of the history stops a projection: a fresh replay records no anomaly.
 */
jest.setTimeout(180_000);

const nats = useNatsServer();

type Step =
  | { readonly kind: 'create'; readonly job: string }
  | { readonly kind: 'remove'; readonly job: string }
  | { readonly kind: 'register'; readonly host: string }
  | { readonly kind: 'deregister'; readonly host: string }
  | { readonly kind: 'deploy' | 'undeploy'; readonly job: string; readonly host: string }
  | { readonly kind: 'create-group' | 'remove-group'; readonly group: string }
  | { readonly kind: 'rolling-update'; readonly job: string; readonly group: string };

const jobs = fc.constantFrom('a', 'b');
const hosts = fc.constantFrom('h1', 'h2');
const groups = fc.constantFrom('g1', 'g2');
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), job: jobs }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), job: jobs }) },
  fc.record({ kind: fc.constant('register' as const), host: hosts }),
  fc.record({ kind: fc.constant('deregister' as const), host: hosts }),
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('deploy' as const, 'undeploy' as const), job: jobs, host: hosts }) },
  fc.record({ kind: fc.constantFrom('create-group' as const, 'remove-group' as const), group: groups }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rolling-update' as const), job: jobs, group: groups }) },
);

const setup: readonly Step[] = [
  { kind: 'create', job: 'a' },
  { kind: 'create', job: 'b' },
  { kind: 'register', host: 'h1' },
  { kind: 'register', host: 'h2' },
  { kind: 'create-group', group: 'g1' },
];

/** Runs one writer's steps in order; refusals are expected (the rules refuse them), anything else is not. */
async function runWriter(writer: InMemoryScheduler, steps: readonly Step[], run: string): Promise<void> {
  const job = (name: string) => `${run}-${name}:1`;
  const host = (name: string) => `${run}-${name}`;
  const group = (name: string) => `${run}-${name}`;
  for (const s of steps) {
    try {
      switch (s.kind) {
        case 'create':
          await writer.call(SchedulerCommand.CREATE_JOB, { job: { id: job(s.job), image: 'local/busybox:1' } });
          break;
        case 'remove':
          await writer.call(SchedulerCommand.REMOVE_JOB, { job: job(s.job) });
          break;
        case 'register':
          await writer.call(SchedulerCommand.REGISTER_HOST, { host: host(s.host), agentId: `agent-${s.host}`, labels: { run } });
          break;
        case 'deregister':
          await writer.call(SchedulerCommand.DEREGISTER_HOST, { host: host(s.host) });
          break;
        case 'deploy':
        case 'undeploy':
          await writer.call(s.kind === 'deploy' ? SchedulerCommand.DEPLOY : SchedulerCommand.UNDEPLOY, { job: job(s.job), host: host(s.host) });
          break;
        case 'create-group':
          await writer.call(SchedulerCommand.CREATE_DEPLOYMENT_GROUP, { name: group(s.group), selectors: [`run=${run}`] });
          break;
        case 'remove-group':
          await writer.call(SchedulerCommand.REMOVE_DEPLOYMENT_GROUP, { name: group(s.group) });
          break;
        case 'rolling-update':
          await writer.call(SchedulerCommand.ROLLING_UPDATE, { group: group(s.group), job: job(s.job) });
          break;
      }
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string' || code === 'INTERNAL') throw err;
    }
  }
}

/** Every rule violated by the history, in stream order (empty when all hold). */
function violations(history: readonly StoredEvent[]): string[] {
  const problems: string[] = [];
  const jobsAlive = new Set<string>();
  const hostsRegistered = new Set<string>();
  const deployed = new Map<string, Set<string>>(); // job → hosts
  const groupsAlive = new Set<string>();
  const rolloutsOfAppend = new Map<string, StoredEvent>(); // rolloutId → RolloutStarted
  const groupStarts = new Set<string>(); // rolloutIds recorded on their group
  for (const e of history) {
    const d = e.data as Record<string, unknown>;
    const at = `#${e.sequence} ${e.type}`;
    const jobId = String(d['jobId'] ?? '');
    const hostsOf = (job: string) => deployed.get(job) ?? new Set<string>();
    switch (e.type) {
      case 'JobCreated':
        jobsAlive.add(e.aggregateId);
        break;
      case 'JobRemoved':
        if (hostsOf(jobId).size > 0) problems.push(`${at}: ${jobId} removed while deployed on ${[...hostsOf(jobId)].join(',')}`);
        jobsAlive.delete(jobId);
        break;
      case 'HostRegistered':
        hostsRegistered.add(e.aggregateId);
        break;
      case 'HostDeregistered':
        hostsRegistered.delete(e.aggregateId);
        for (const [job, on] of deployed) if (on.has(e.aggregateId)) problems.push(`${at}: ${e.aggregateId} deregistered with ${job} still deployed`);
        break;
      case 'JobDeployed':
        if (!jobsAlive.has(jobId)) problems.push(`${at}: ${jobId} deployed but it does not exist`);
        if (!hostsRegistered.has(e.aggregateId)) problems.push(`${at}: deployed on ${e.aggregateId}, which is not registered`);
        deployed.set(jobId, hostsOf(jobId).add(e.aggregateId));
        break;
      case 'JobUndeployed':
        hostsOf(jobId).delete(e.aggregateId);
        break;
      case 'HostDeploymentsCleared':
        for (const on of deployed.values()) on.delete(e.aggregateId);
        break;
      case 'DeploymentGroupCreated':
        groupsAlive.add(e.aggregateId);
        break;
      case 'DeploymentGroupRemoved':
        groupsAlive.delete(e.aggregateId);
        break;
      case 'RolloutStarted':
        if (!groupsAlive.has(String(d['group']))) problems.push(`${at}: rollout of group ${String(d['group'])}, which does not exist`);
        rolloutsOfAppend.set(e.aggregateId, e);
        break;
      case 'DeploymentGroupRolloutStarted':
        groupStarts.add(String(d['rolloutId']));
        break;
    }
  }
  for (const id of rolloutsOfAppend.keys()) if (!groupStarts.has(id)) problems.push(`rollout ${id} started but its group never recorded it`);
  return problems;
}

it('random interleavings of commands from three writers keep every cross-aggregate rule', async () => {
  const writers = await Promise.all(
    [1, 2, 3].map(async () => new InMemoryScheduler(await JetStreamEventStore.connect({ servers: nats.url })).start()),
  );
  const [first] = writers;
  if (first === undefined) throw new Error('no writer');
  let runs = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(step, { minLength: 2, maxLength: 8 }), { minLength: 3, maxLength: 3 }), async (plans) => {
        const run = `p${runs++}`;
        const store = first.store;
        const from = (await store.lastSequence()) + 1;
        // a common start (both jobs, both hosts, a group), seen by every writer; then all write at once
        await runWriter(first, setup, run);
        const start = await store.lastSequence();
        await Promise.all(writers.map((w) => w.state.projection.waitFor(start)));
        await Promise.all(writers.map((writer, i) => runWriter(writer, plans[i] ?? [], run)));
        const history: StoredEvent[] = [];
        for await (const e of store.readAll(from)) history.push(e);
        expect(violations(history)).toEqual([]);
        const replay = createBerthProjection();
        for (const e of history) replay.apply(e);
        expect(replay.anomalies().anomalies).toEqual([]);
      }),
      { numRuns: 60 },
    );
  } finally {
    for (const w of writers) {
      await w.stop();
      await w.store.close();
    }
  }
});
