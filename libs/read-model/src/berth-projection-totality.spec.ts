import type { StoredEvent } from '@berth/contracts';
import {
  deploymentDecider,
  desiredTasksOf,
  hostDecider,
  jobDecider,
  type ApiTokenEvent,
  type DeploymentEvent,
  type DeploymentGroupEvent,
  type DomainEvent,
  type FieldKind,
  type FreezeEvent,
  type HostEvent,
  type Job,
  type JobEvent,
  type PipelineEvent,
  type ReleaseEvent,
  type ReleasePlanEvent,
  type RolloutEvent,
} from '@berth/domain';
import fc from 'fast-check';
import { Aggregate, BerthView, EVENT_CATALOGS, createBerthProjection, type BerthProjection } from './berth-projection';
import { BerthQueries } from './berth-queries';
import { DeploymentGroupQueries } from './deployment-group-queries';
import { JobHistoryIndex } from './job-history-index';
import { ReleaseQueries } from './release-queries';

type AnyBerthEvent =
  | JobEvent
  | HostEvent
  | DeploymentEvent
  | DeploymentGroupEvent
  | RolloutEvent
  | PipelineEvent
  | ReleaseEvent
  | ReleasePlanEvent
  | FreezeEvent
  | ApiTokenEvent;

/**
 * Every event type of the domain's unions: the compiler refuses this table
 * when a type is added to a union and not here, and the first test fails when
 * the projection's catalogs and this table disagree.
 */
const EVERY_EVENT_TYPE: Record<AnyBerthEvent['type'], true> = {
  JobCreated: true, JobRemoved: true,
  HostRegistered: true, HostUpdated: true, HostDeregistered: true, HostUp: true, HostDown: true,
  JobDeployed: true, JobUndeployed: true, GoalChanged: true, TaskStatusChanged: true, HostDeploymentsCleared: true,
  DeploymentGroupCreated: true, DeploymentGroupRemoved: true, DeploymentGroupSelectorsUpdated: true, DeploymentGroupStopped: true,
  DeploymentGroupRolloutStarted: true, DeploymentGroupRolloutFinished: true,
  RolloutStarted: true, PrestageStarted: true, PrestageCompleted: true, HostsObserved: true, BatchStarted: true, HostsHealthy: true,
  HostsFailed: true, HostsSkipped: true, HostsReturned: true, ReturnedHostsStarted: true, CanaryAwaitingPromotion: true,
  RolloutPromoted: true, RolloutPaused: true, RolloutResumed: true, RevertStarted: true, RolloutFailed: true, RolloutReverted: true,
  RolloutSucceeded: true, RolloutRetried: true,
  PipelineSet: true, PipelineRemoved: true,
  ReleaseStarted: true, ReleaseStageStarted: true, ReleaseStepRolloutStarted: true, ReleaseStepSucceeded: true, ReleaseStepFailed: true,
  ReleaseAwaitingTrigger: true, ReleaseAdvanced: true, ReleaseDeployed: true, ReleaseCompleted: true, ReleaseSnoozed: true,
  ReleaseRollbackStarted: true, ReleaseGroupRollbackStarted: true, ReleaseGroupRolledBack: true, ReleaseRolledBack: true,
  ReleaseAbandoned: true, ReleaseFailed: true,
  ReleasePlanStarted: true, PlanServiceStarted: true, PlanServiceFinished: true, ReleasePlanCompleted: true, ReleasePlanFailed: true,
  ReleasePlanAbandoned: true,
  FreezeSet: true, FreezeRemoved: true, FreezeOverridden: true,
  ApiTokenCreated: true, ApiTokenRevoked: true,
};

const TIME = '2026-03-01T10:00:00.000Z';

/** A value of `kind` that refers to nothing that exists. */
function valueOf(kind: FieldKind): unknown {
  return { string: 'ghost', number: 1, boolean: false, object: {}, array: [] }[kind];
}

/** An event of `type` with every required field present and of the right kind, referring to nothing. */
function wellShaped(shape: Readonly<Record<string, FieldKind>>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [path, kind] of Object.entries(shape)) {
    const keys = path.split('.');
    let at = data;
    for (const key of keys.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
    at[keys[keys.length - 1] as string] = path === 'time' ? TIME : valueOf(kind);
  }
  return data;
}

interface Sample {
  readonly aggregate: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly shape: Readonly<Record<string, FieldKind>>;
}

/** One well-shaped event of every type of every aggregate, from the projection's catalogs. */
const SAMPLES: Sample[] = Object.entries(EVENT_CATALOGS).flatMap(([aggregate, catalog]) =>
  Object.entries(catalog.shapes as Record<string, Readonly<Record<string, FieldKind>>>).map(([type, shape]) => ({ aggregate, type, data: wellShaped(shape), shape })),
);

/** Appends events the way the store delivers them: each its own sequence, versions counted per aggregate unless given. */
class History {
  private sequence = 0;
  private readonly versions = new Map<string, number>();
  readonly events: StoredEvent[] = [];

  add(aggregate: string, aggregateId: string, event: DomainEvent | { type: string; [key: string]: unknown }, version?: number): StoredEvent {
    const key = `${aggregate}/${aggregateId}`;
    const next = version ?? (this.versions.get(key) ?? 0) + 1;
    this.versions.set(key, Math.max(next, this.versions.get(key) ?? 0));
    const { type, ...data } = event as { type: string };
    const stored: StoredEvent = {
      id: `e${this.sequence + 1}`,
      type,
      schemaVersion: 1,
      aggregate,
      aggregateId,
      time: TIME,
      actor: 'test',
      correlationId: 'c',
      causationId: 'k',
      data,
      sequence: ++this.sequence,
      version: next,
    };
    this.events.push(stored);
    return stored;
  }
}

function decided<E>(events: readonly E[]): E {
  const [event] = events;
  if (event === undefined) throw new Error('the decider decided nothing');
  return event;
}

/** A valid job, host and deployment, decided by the domain's deciders. */
function validLife(history: History, name: string): { job: Job; host: string } {
  const created = decided(jobDecider.decide({ type: 'CreateJob', job: { id: `${name}:1`, image: 'busybox:1' }, time: TIME }, jobDecider.initialState));
  if (created.type !== 'JobCreated') throw new Error('expected JobCreated');
  const host = `${name}-host`;
  history.add(Aggregate.JOB, created.job.id, created);
  history.add(Aggregate.HOST, host, decided(hostDecider.decide({ type: 'RegisterHost', host, agentId: `a-${host}`, labels: {}, info: {}, time: TIME }, hostDecider.initialState)));
  const deploy = { type: 'Deploy' as const, host, hostRegistered: true, job: created.job, portRange: { from: 20000, to: 20010 }, time: TIME };
  history.add(Aggregate.DEPLOYMENT, host, decided(deploymentDecider.decide(deploy, deploymentDecider.initialState)));
  return { job: created.job, host };
}

function applyAll(projection: BerthProjection, events: readonly StoredEvent[]): void {
  for (const event of events) projection.apply(event);
}

/** Every read the scheduler and gateway make of a projection; none may throw on what the history left. */
function readEverything(projection: BerthProjection): void {
  const view = new BerthView(projection);
  for (const [, state] of view.allDeployments()) desiredTasksOf(state, view.jobs());
  for (const host of view.hosts()) view.hostObservation(host.host);
  const queries = new BerthQueries(projection);
  queries.jobs();
  queries.hosts();
  const groups = new DeploymentGroupQueries(projection);
  groups.groups();
  groups.rollouts();
  new ReleaseQueries(projection).releases();
  view.releasePlans();
  view.freezes();
  view.apiTokens();
  view.pipelines();
}

describe('BerthProjection is total', () => {
  it('knows every event type of the domain, and only those', () => {
    expect(SAMPLES.map((s) => s.type).sort()).toEqual(Object.keys(EVERY_EVENT_TYPE).sort());
  });

  it.each(SAMPLES.map((s) => [s.type, s] as const))('%s referring to nothing that exists: no throw, an anomaly, and later events still apply', (type, sample) => {
    const projection = createBerthProjection();
    const history = new History();
    const poison = history.add(sample.aggregate, 'ghost', { type, ...sample.data });
    expect(() => projection.apply(poison)).not.toThrow();
    const creates = ['JobCreated', 'HostRegistered', 'DeploymentGroupCreated', 'RolloutStarted', 'PipelineSet', 'ReleaseStarted', 'ReleasePlanStarted', 'FreezeSet', 'ApiTokenCreated', 'HostDeploymentsCleared'];
    // an event that needs something to exist first is an anomaly; one that creates may still fail to apply (its values refer to nothing)
    if (!creates.includes(type)) expect(projection.anomalies().anomalies).toEqual([expect.objectContaining({ sequence: poison.sequence, aggregate: sample.aggregate, aggregateId: 'ghost', eventType: type })]);
    expect(projection.sequence).toBe(poison.sequence);
    expect(() => readEverything(projection)).not.toThrow();

    const { job, host } = validLife(history, 'after');
    applyAll(projection, history.events.slice(1));
    const view = new BerthView(projection);
    expect(view.job(job.id)).toEqual(job);
    expect(desiredTasksOf(view.deployments(host), view.jobs()).map((t) => t.jobId)).toEqual([job.id]);
  });

  it.each(SAMPLES.filter((s) => Object.keys(s.shape).length > 0).map((s) => [s.type, s] as const))('%s missing each of its fields (an old shape): skipped as malformed, never thrown', (type, sample) => {
    for (const path of Object.keys(sample.shape)) {
      const projection = createBerthProjection();
      const data = structuredClone(sample.data);
      const keys = path.split('.');
      let at = data;
      for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
      delete at[keys[keys.length - 1] as string];
      const event = new History().add(sample.aggregate, 'ghost', { type, ...data });
      expect(() => projection.apply(event)).not.toThrow();
      expect(projection.anomalies().anomalies).toEqual([expect.objectContaining({ eventType: type, reason: expect.stringContaining(`${path} is missing`) })]);
      expect(projection.get(sample.aggregate as typeof Aggregate.JOB, 'ghost').state).toEqual(createBerthProjection().get(sample.aggregate as typeof Aggregate.JOB, 'ghost').state);
    }
  });

  it('keeps a deployment of a removed job, yields no desired task for it, and records the anomaly', () => {
    const projection = createBerthProjection();
    const history = new History();
    const { job, host } = validLife(history, 'web');
    history.add(Aggregate.DEPLOYMENT, host, { type: 'JobUndeployed', host, jobId: job.id, time: TIME });
    history.add(Aggregate.JOB, job.id, { type: 'JobRemoved', jobId: job.id });
    const poison = history.add(Aggregate.DEPLOYMENT, host, { type: 'JobDeployed', host, jobId: job.id, goal: 'START', ports: {}, protocols: {}, token: '', time: TIME });
    const other = decided(jobDecider.decide({ type: 'CreateJob', job: { id: 'db:1', image: 'busybox:1' }, time: TIME }, jobDecider.initialState));
    if (other.type !== 'JobCreated') throw new Error('expected JobCreated');
    history.add(Aggregate.JOB, other.job.id, other);
    history.add(Aggregate.DEPLOYMENT, host, { type: 'JobDeployed', host, jobId: other.job.id, goal: 'START', ports: {}, protocols: {}, token: '', time: TIME });

    applyAll(projection, history.events);
    const view = new BerthView(projection);
    expect(Object.keys(view.deployments(host).deployments).sort()).toEqual([other.job.id, job.id].sort());
    expect(desiredTasksOf(view.deployments(host), view.jobs()).map((t) => t.jobId)).toEqual([other.job.id]);
    expect(projection.anomalies()).toEqual({
      total: 1,
      anomalies: [{ sequence: poison.sequence, aggregate: Aggregate.DEPLOYMENT, aggregateId: host, eventType: 'JobDeployed', reason: `deployed job ${job.id} is unknown (never created, or removed)` }],
    });
    expect(() => new BerthQueries(projection).host(host)).not.toThrow();
  });

  it('records a removed job still deployed, a duplicate, an unknown type and aggregate kind, and a broken envelope, then goes on', () => {
    const projection = createBerthProjection();
    const history = new History();
    const { job, host } = validLife(history, 'web');
    const removed = history.add(Aggregate.JOB, job.id, { type: 'JobRemoved', jobId: job.id });
    const duplicate = { ...history.events[0] as StoredEvent, sequence: removed.sequence + 1 };
    const unknownType = { ...history.add(Aggregate.HOST, host, { type: 'HostRenamed', host, time: TIME }) };
    const unknownKind = history.add('warehouse', 'w1', { type: 'ShelfAdded' });
    const broken = { ...history.add(Aggregate.JOB, 'x', { type: 'JobRemoved', jobId: 'x' }), aggregateId: undefined } as unknown as StoredEvent;
    applyAll(projection, [...history.events.slice(0, 4), duplicate, unknownType, unknownKind, broken]);

    expect(projection.anomalies().anomalies.map((a) => [a.eventType, a.reason])).toEqual([
      ['JobRemoved', `removed job ${job.id} is still deployed on ${host}`],
      ['JobCreated', 'duplicate or out of order: version 1, the aggregate is at 2'],
      ['HostRenamed', 'unknown event type HostRenamed'],
      ['ShelfAdded', 'unknown aggregate kind warehouse'],
      ['JobRemoved', 'malformed envelope: aggregateId is not a string'],
    ]);
    expect(projection.sequence).toBe(broken.sequence);
    const view = new BerthView(projection);
    expect(view.job(job.id)).toBeUndefined();
    expect(view.host(host)?.status).toBe('UP');
    expect(() => readEverything(projection)).not.toThrow();
  });

  it('lets no throwing listener stop the others, nor the next events; skipped events reach no listener', () => {
    const projection = createBerthProjection();
    const history = new JobHistoryIndex();
    const seen: string[] = [];
    projection.onEvent(() => {
      throw new Error('boom');
    });
    projection.onEvent((e) => history.apply(e));
    projection.onEvent((e) => seen.push(e.type));
    const events = new History();
    const { job, host } = validLife(events, 'web');
    events.add(Aggregate.DEPLOYMENT, host, { type: 'TaskStatusChanged', host, jobId: job.id });
    events.add(Aggregate.DEPLOYMENT, host, { type: 'TaskStatusChanged', host, jobId: job.id, status: { jobId: job.id, goal: 'START', state: 'RUNNING', throttled: 'NO', ports: {}, time: TIME } });
    applyAll(projection, events.events);
    expect(seen).toEqual(['JobCreated', 'HostRegistered', 'JobDeployed', 'TaskStatusChanged']);
    expect(history.history(job.id).map((h) => h.state)).toEqual(['RUNNING']);
    const reasons = projection.anomalies().anomalies.map((a) => a.reason);
    expect(reasons.filter((r) => r === 'a listener failed on it: boom')).toHaveLength(4);
    expect(reasons).toContain('malformed event: status is missing, not object; status.state is missing, not string; status.time is missing, not string');
  });

  it('survives any shuffle, duplication and mix of events of every type, and a valid history after them applies as if alone', () => {
    const valid = new History();
    const life = validLife(valid, 'web');
    const alone = createBerthProjection();
    applyAll(alone, valid.events);
    const expected = new BerthView(alone);

    const eventArb = fc.oneof(
      fc.constantFrom(...SAMPLES).map((s) => ({ kind: 'sample' as const, sample: s })),
      fc.constantFrom(...valid.events).map((e) => ({ kind: 'valid' as const, event: e })),
    );
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 40 }), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 40 }), (mix, versions) => {
        const projection = createBerthProjection();
        let sequence = 0;
        const ids = ['ghost', 'web:1', 'web-host'];
        mix.forEach((item, i) => {
          const aggregateId = ids[i % ids.length] as string;
          const event: StoredEvent =
            item.kind === 'valid'
              ? { ...item.event, sequence: ++sequence }
              : { ...valid.events[0] as StoredEvent, type: item.sample.type, aggregate: item.sample.aggregate, aggregateId, data: item.sample.data, sequence: ++sequence, version: (versions[i] ?? 0) + projection.get(item.sample.aggregate as typeof Aggregate.JOB, aggregateId).version };
          projection.apply(event);
        });
        expect(() => readEverything(projection)).not.toThrow();
        expect(projection.sequence).toBe(sequence);

        // the same valid life under fresh names applies fully after whatever came before
        const later = new History();
        const fresh = validLife(later, 'later');
        for (const e of later.events) projection.apply({ ...e, sequence: ++sequence });
        const view = new BerthView(projection);
        expect(view.job(fresh.job.id)).toEqual({ ...expected.job(life.job.id), id: fresh.job.id });
        expect(desiredTasksOf(view.deployments(fresh.host), view.jobs()).map((t) => t.jobId)).toEqual([fresh.job.id]);
        expect(projection.sequence).toBe(sequence);
      }),
      { numRuns: 300 },
    );
  });
});
