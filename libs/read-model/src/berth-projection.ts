import {
  deploymentDecider,
  deploymentGroupDecider,
  hostDecider,
  jobDecider,
  pipelineDecider,
  releaseDecider,
  releasePlanDecider,
  freezeDecider,
  apiTokenDecider,
  type ApiTokenState,
  rolloutDecider,
  type DeploymentGroup,
  type DeploymentGroupState,
  type DeploymentState,
  type HostObservation,
  type JobOnHost,
  type TaskStatus,
  type Rollout,
  type RolloutState,
  type HostDeployment,
  type HostState,
  type Job,
  type JobState,
  type RegisteredHost,
  type PipelineState,
  type Release,
  type ReleaseState,
  type ServicePipeline,
  type ReleasePlan,
  type ReleasePlanState,
  type Freeze,
  type FreezeState,
  apiTokenEventCatalog,
  deploymentEventCatalog,
  deploymentGroupEventCatalog,
  evolveTotally,
  freezeEventCatalog,
  hostEventCatalog,
  jobEventCatalog,
  pipelineEventCatalog,
  referenceProblem,
  REFERENCE_EVENT_TYPES,
  releaseEventCatalog,
  releasePlanEventCatalog,
  rolloutEventCatalog,
  type Anomaly,
  type Decider,
  type DomainEvent,
  type EventCatalog,
  type ReferenceLookup,
  isMarkerAggregate,
} from '@berth/domain';
import type { StoredEvent } from '@berth/contracts';
import { AggregateProjection, toDomainEvent } from '@berth/event-store';
import { AnomalyLog, type AnomalyLogState } from './anomaly-log';

/** Aggregate kinds as they appear in subjects (`berth.evt.<kind>.<id>`). */
export const Aggregate = { JOB: 'job', HOST: 'host', DEPLOYMENT: 'deployment', DEPLOYMENT_GROUP: 'deployment-group', ROLLOUT: 'rollout', PIPELINE: 'pipeline', RELEASE: 'release', RELEASE_PLAN: 'release-plan', FREEZE: 'freeze', API_TOKEN: 'api-token' } as const;

const DECIDERS = {
  [Aggregate.JOB]: jobDecider,
  [Aggregate.HOST]: hostDecider,
  [Aggregate.DEPLOYMENT]: deploymentDecider,
  [Aggregate.DEPLOYMENT_GROUP]: deploymentGroupDecider,
  [Aggregate.ROLLOUT]: rolloutDecider,
  [Aggregate.PIPELINE]: pipelineDecider,
  [Aggregate.RELEASE]: releaseDecider,
  [Aggregate.RELEASE_PLAN]: releasePlanDecider,
  [Aggregate.FREEZE]: freezeDecider,
  [Aggregate.API_TOKEN]: apiTokenDecider,
};

type BerthDeciders = typeof DECIDERS;
type EventOf<D> = D extends Decider<unknown, infer E, unknown> ? E : never;
type StateOf<D> = D extends Decider<unknown, infer _E, infer S> ? S : never;

/** Each aggregate's event catalog (shapes and misfits), beside its decider. */
export const EVENT_CATALOGS: { readonly [K in keyof BerthDeciders]: EventCatalog<EventOf<BerthDeciders[K]> & DomainEvent, StateOf<BerthDeciders[K]>> } = {
  [Aggregate.JOB]: jobEventCatalog,
  [Aggregate.HOST]: hostEventCatalog,
  [Aggregate.DEPLOYMENT]: deploymentEventCatalog,
  [Aggregate.DEPLOYMENT_GROUP]: deploymentGroupEventCatalog,
  [Aggregate.ROLLOUT]: rolloutEventCatalog,
  [Aggregate.PIPELINE]: pipelineEventCatalog,
  [Aggregate.RELEASE]: releaseEventCatalog,
  [Aggregate.RELEASE_PLAN]: releasePlanEventCatalog,
  [Aggregate.FREEZE]: freezeEventCatalog,
  [Aggregate.API_TOKEN]: apiTokenEventCatalog,
};

/** Every event type the projection knows (for metric labels: any other is `unknown`). */
export const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set(Object.values(EVENT_CATALOGS).flatMap((catalog) => Object.keys(catalog.shapes)));

/** The event being applied, and what applying it found; shared by the projection and its total deciders. */
class ApplyContext {
  event: StoredEvent | undefined;
  /** the event was not applied (or must not reach listeners): a duplicate, malformed, unknown */
  rejected = false;
  /** already reported (a broken envelope): evolve's verdict adds nothing */
  silent = false;
  report: (event: StoredEvent, reason: string) => void = () => undefined;
}

/** What a rollout needs of the agent's last report: the state, and with an exit the code, throttle, error and last output. */
function lastStatusFacts(status: TaskStatus): Pick<JobOnHost, 'state' | 'throttled' | 'exitCode' | 'containerError' | 'logTail'> {
  return {
    state: status.state,
    ...(status.throttled === 'NO' ? {} : { throttled: status.throttled }),
    ...(status.exitCode === undefined ? {} : { exitCode: status.exitCode }),
    ...(status.containerError === undefined ? {} : { containerError: status.containerError }),
    // an agent's report, as stored: only a list of strings is output to show
    ...(Array.isArray(status.logTail) && status.logTail.every((line) => typeof line === 'string') ? { logTail: status.logTail } : {}),
  };
}

/** The deciders with `evolve` made total: what it cannot apply is reported on the context and leaves the state as it was. */
function totalDeciders(context: ApplyContext): BerthDeciders {
  const total = <K extends keyof BerthDeciders>(kind: K): BerthDeciders[K] => {
    const decider = DECIDERS[kind] as unknown as Decider<unknown, DomainEvent, unknown>;
    const catalog = EVENT_CATALOGS[kind] as unknown as EventCatalog<DomainEvent, unknown>;
    const evolve = (state: unknown, event: DomainEvent): unknown => {
      const stored = context.event;
      const verdict = evolveTotally(decider.evolve, catalog, state, event, stored?.aggregateId);
      if (verdict.reason !== undefined && stored !== undefined && !context.silent) context.report(stored, verdict.reason);
      if (!verdict.applied) context.rejected = true;
      return verdict.state;
    };
    return { ...decider, evolve } as unknown as BerthDeciders[K];
  };
  return Object.fromEntries(Object.keys(DECIDERS).map((kind) => [kind, total(kind as keyof BerthDeciders)])) as BerthDeciders;
}

/** What is wrong with a stored event's envelope: where it belongs (`address`), or what it says (`content`). */
function envelopeProblems(stored: StoredEvent): { address: string[]; content: string[] } | undefined {
  const data: unknown = stored.data;
  const dataOk = data === undefined || (typeof data === 'object' && data !== null && !Array.isArray(data));
  // every event of a replay passes here: the common case allocates nothing
  if (typeof stored.aggregate === 'string' && typeof stored.aggregateId === 'string' && typeof stored.type === 'string' && Number.isInteger(stored.version) && Number.isInteger(stored.sequence) && dataOk) return undefined;
  const address = (['aggregate', 'aggregateId'] as const).filter((key) => typeof stored[key] !== 'string').map((key) => `${key} is not a string`);
  if (!Number.isInteger(stored.version)) address.push('version is not an integer');
  if (!Number.isInteger(stored.sequence)) address.push('sequence is not an integer');
  const content = typeof stored.type === 'string' ? [] : ['type is not a string'];
  if (!dataOk) content.push('data is not an object');
  return { address, content };
}

/**
 * Jobs, hosts, deployments, deployment groups, rollouts, pipelines, releases,
 * release plans, freezes and API tokens folded from BERTH_EVENTS with the
 * domain's deciders: the scheduler's state and the gateway's read model are
 * the same projection.
 *
 * Total: no event stops it. An event it cannot apply as written (unknown
 * type or aggregate kind, malformed, a duplicate or out of order, a
 * reference to something gone, an event for an aggregate never created) is
 * an anomaly (see `anomalies`, `onAnomaly`): skipped when it cannot be
 * applied, applied when it can (a deployment of a removed job is kept, and
 * yields no desired task). A listener that throws is an anomaly too; the
 * other listeners and the next events go on. Skipped events reach no listener.
 */
export class BerthProjection extends AggregateProjection<BerthDeciders> {
  private readonly context: ApplyContext;
  private readonly anomalyLog = new AnomalyLog();
  private readonly anomalyListeners = new Set<(anomaly: Anomaly) => void>();

  constructor() {
    const context = new ApplyContext();
    super(totalDeciders(context));
    this.context = context;
    context.report = (event, reason) => this.record(event, reason);
  }

  override apply(stored: StoredEvent): void {
    const context = this.context;
    context.event = stored;
    context.rejected = false;
    try {
      super.apply(this.admit(stored));
      // references to other aggregates, which this event does not change, for what was applied
      if (!context.rejected && REFERENCE_EVENT_TYPES.has(stored.type)) {
        const reference = referenceProblem(toDomainEvent<DomainEvent>(stored), this.lookup);
        if (reference !== undefined) this.record(stored, reference);
      }
    } finally {
      context.event = undefined;
      context.rejected = false;
      context.silent = false;
    }
  }

  override onEvent(listener: (event: StoredEvent) => void): () => void {
    return super.onEvent((event) => {
      if (this.context.rejected) return;
      try {
        listener(event);
      } catch (err) {
        this.record(event, `a listener failed on it: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }

  /** Called with each anomaly as it is recorded (for logs and metrics). */
  onAnomaly(listener: (anomaly: Anomaly) => void): () => void {
    this.anomalyListeners.add(listener);
    return () => this.anomalyListeners.delete(listener);
  }

  /** The newest anomalies (oldest first) and how many there were in all. */
  anomalies(): { readonly total: number; readonly anomalies: Anomaly[] } {
    return { total: this.anomalyLog.total, anomalies: this.anomalyLog.list() };
  }

  anomalyState(): AnomalyLogState {
    return this.anomalyLog.toState();
  }

  /** With `restore`: the anomalies recorded up to the snapshot. */
  restoreAnomalies(state: AnomalyLogState | undefined): void {
    this.anomalyLog.restore(state);
  }

  /**
   * The event as the base projection will see it: one it cannot look at goes
   * in as an event of no kind (it only moves the sequence on); duplicates and
   * unknown kinds are recorded here, before the state changes.
   */
  private admit(stored: StoredEvent): StoredEvent {
    const problems = envelopeProblems(stored);
    if (problems !== undefined) {
      const { address, content } = problems;
      this.record(stored, `malformed envelope: ${[...address, ...content].join('; ')}`);
      this.context.rejected = true;
      this.context.silent = true;
      // an event with an address still counts in its aggregate's version (what the next append expects); one without only moves the sequence on
      const sequence = Number.isInteger(stored.sequence) ? stored.sequence : this.sequence;
      return address.length > 0 ? { ...stored, aggregate: '', aggregateId: '', type: String(stored.type), version: 0, sequence } : { ...stored, type: String(stored.type), data: {} };
    }
    if (isMarkerAggregate(stored.aggregate)) {
      // a cross-aggregate rule's marker (libs/domain rules): known, and no state to keep
      this.context.rejected = true;
      this.context.silent = true;
      return stored;
    }
    if (!Object.prototype.hasOwnProperty.call(DECIDERS, stored.aggregate)) {
      this.record(stored, `unknown aggregate kind ${stored.aggregate}`);
      this.context.rejected = true;
      return stored;
    }
    const current = this.viewOf(stored.aggregate, stored.aggregateId).version;
    if (stored.version <= current) {
      this.record(stored, `duplicate or out of order: version ${stored.version}, the aggregate is at ${current}`);
      this.context.rejected = true;
      return stored;
    }
    return stored;
  }

  private readonly lookup: ReferenceLookup = {
    jobExists: (jobId) => (this.get(Aggregate.JOB, jobId).state as JobState).status === 'created',
    hostRegistered: (host) => (this.get(Aggregate.HOST, host).state as HostState).kind === 'registered',
    groupExists: (name) => (this.get(Aggregate.DEPLOYMENT_GROUP, name).state as DeploymentGroupState).kind === 'group',
    hostsOf: (jobId) =>
      [...this.all(Aggregate.DEPLOYMENT)].filter(([, view]) => Object.prototype.hasOwnProperty.call((view.state as DeploymentState).deployments, jobId)).map(([host]) => host),
  };

  private record(stored: StoredEvent, reason: string): void {
    const anomaly: Anomaly = {
      sequence: typeof stored.sequence === 'number' ? stored.sequence : 0,
      aggregate: String(stored.aggregate ?? ''),
      aggregateId: String(stored.aggregateId ?? ''),
      eventType: String(stored.type ?? ''),
      reason,
    };
    this.anomalyLog.record(anomaly);
    for (const listener of this.anomalyListeners) {
      try {
        listener(anomaly);
      } catch {
        // reporting an anomaly must not become one
      }
    }
  }
}

/** A new, empty projection of every Berth aggregate. */
export function createBerthProjection(): BerthProjection {
  return new BerthProjection();
}

/** Read helpers over the projection: what command handlers and queries ask. */
export class BerthView {
  constructor(readonly projection: BerthProjection) {}

  jobs(): Map<string, Job> {
    const jobs = new Map<string, Job>();
    for (const [id, view] of this.projection.all(Aggregate.JOB)) {
      const state = view.state as JobState;
      if (state.status === 'created') jobs.set(id, state.job);
    }
    return jobs;
  }

  job(id: string): Job | undefined {
    const state = this.projection.get(Aggregate.JOB, id).state as JobState;
    return state.status === 'created' ? state.job : undefined;
  }

  host(name: string): RegisteredHost | undefined {
    const state = this.projection.get(Aggregate.HOST, name).state as HostState;
    return state.kind === 'registered' ? state : undefined;
  }

  hosts(): RegisteredHost[] {
    return [...this.projection.all(Aggregate.HOST).values()]
      .map((v) => v.state as HostState)
      .filter((s): s is RegisteredHost => s.kind === 'registered');
  }

  deployments(host: string): DeploymentState {
    return this.projection.get(Aggregate.DEPLOYMENT, host).state as DeploymentState;
  }

  /** host → its deployments, for every host with at least one */
  allDeployments(): [string, DeploymentState][] {
    return [...this.projection.all(Aggregate.DEPLOYMENT)]
      .map(([host, view]) => [host, view.state as DeploymentState] as [string, DeploymentState])
      .filter(([, state]) => Object.keys(state.deployments).length > 0);
  }

  /** The host's deployments as a rollout sees them: desired goal, owning group, last reported state. */
  jobsOnHost(host: string): JobOnHost[] {
    return Object.values(this.deployments(host).deployments).map((d) => ({
      jobId: d.jobId,
      goal: d.goal,
      ...(d.deploymentGroupName === undefined ? {} : { deploymentGroupName: d.deploymentGroupName }),
      ...(d.lastStatus === undefined ? {} : lastStatusFacts(d.lastStatus)),
    }));
  }

  /** What a rollout is told about a host; a host no longer registered counts as DOWN. */
  hostObservation(host: string): HostObservation {
    return { host, status: this.host(host)?.status ?? 'DOWN', jobs: this.jobsOnHost(host) };
  }

  group(name: string): DeploymentGroup | undefined {
    const state = this.projection.get(Aggregate.DEPLOYMENT_GROUP, name).state as DeploymentGroupState;
    return state.kind === 'group' ? state : undefined;
  }

  groups(): DeploymentGroup[] {
    return [...this.projection.all(Aggregate.DEPLOYMENT_GROUP).values()]
      .map((v) => v.state as DeploymentGroupState)
      .filter((s): s is DeploymentGroup => s.kind === 'group');
  }

  rollout(id: string): Rollout | undefined {
    const state = this.projection.get(Aggregate.ROLLOUT, id).state as RolloutState;
    return state.kind === 'rollout' ? state : undefined;
  }

  rollouts(): Rollout[] {
    return [...this.projection.all(Aggregate.ROLLOUT).values()]
      .map((v) => v.state as RolloutState)
      .filter((s): s is Rollout => s.kind === 'rollout');
  }

  pipeline(service: string): ServicePipeline | undefined {
    const state = this.projection.get(Aggregate.PIPELINE, service).state as PipelineState;
    return state.kind === 'pipeline' ? state : undefined;
  }

  pipelines(): ServicePipeline[] {
    return [...this.projection.all(Aggregate.PIPELINE).values()]
      .map((v) => v.state as PipelineState)
      .filter((s): s is ServicePipeline => s.kind === 'pipeline');
  }

  release(id: string): Release | undefined {
    const state = this.projection.get(Aggregate.RELEASE, id).state as ReleaseState;
    return state.kind === 'release' ? state : undefined;
  }

  releases(): Release[] {
    return [...this.projection.all(Aggregate.RELEASE).values()]
      .map((v) => v.state as ReleaseState)
      .filter((s): s is Release => s.kind === 'release');
  }

  releasePlan(id: string): ReleasePlan | undefined {
    const state = this.projection.get(Aggregate.RELEASE_PLAN, id).state as ReleasePlanState;
    return state.kind === 'plan' ? state : undefined;
  }

  releasePlans(): ReleasePlan[] {
    return [...this.projection.all(Aggregate.RELEASE_PLAN).values()]
      .map((v) => v.state as ReleasePlanState)
      .filter((s): s is ReleasePlan => s.kind === 'plan');
  }

  freezes(): Freeze[] {
    return [...this.projection.all(Aggregate.FREEZE).values()]
      .map((v) => v.state as FreezeState)
      .filter((s): s is Freeze => s.kind === 'freeze')
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every API token created by an admin, live or revoked, by subject. */
  apiTokens(): Exclude<ApiTokenState, { kind: 'none' }>[] {
    return [...this.projection.all(Aggregate.API_TOKEN).values()]
      .map((v) => v.state as ApiTokenState)
      .filter((s): s is Exclude<ApiTokenState, { kind: 'none' }> => s.kind !== 'none')
      .sort((a, b) => a.subject.localeCompare(b.subject));
  }
}

/** One deployment as queries show it; UNKNOWN until the agent has reported (as Helios prints it). */
export function deploymentRow(host: string, d: HostDeployment) {
  return {
    host,
    jobId: d.jobId,
    goal: d.goal,
    state: d.lastStatus?.state ?? 'UNKNOWN',
    ports: d.ports,
    ...(d.deploymentGroupName === undefined ? {} : { deploymentGroupName: d.deploymentGroupName }),
    deployedAt: d.deployedAt,
    ...(d.lastStatus === undefined ? {} : { status: d.lastStatus }),
  };
}

export type DeploymentRow = ReturnType<typeof deploymentRow>;
