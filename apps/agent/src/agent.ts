import {
  type ContainerRuntime,
  DockerRuntime,
  SimulatedRuntime,
  type SimulationTimer,
  realTimer,
} from '@berth/container-runtime';
import { BERTH_VERSION, readPrepareImageMessage, type DesiredState, type DesiredTask, type RegisterHostMessage } from '@berth/contracts';
import { TASK_STATES, type TaskStatus } from '@berth/domain';
import { type HealthServer, type Logger, createMetricsRegistry, redactNatsUrl, startHealthServer } from '@berth/service';
import { randomBytes } from 'node:crypto';
import { cpus, hostname, totalmem, type as osType } from 'node:os';
import { measureHostStats } from './host-stats';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AgentConfig } from './config';
import { readDesiredState } from './desired-state-reader';
import { createHealthChecker } from './health-checker';
import { ImagePreparer } from './image-preparer';
import { jobContainerSpec } from './job-container-spec';
import { NatsLink } from './nats-link';
import { resolvePorts } from './port-allocator';
import { Reconciler } from './reconciler';
import { type TaskRecord, StateDir } from './state-dir';
import { StatusReporter } from './status-reporter';
import { type RestartDelays, TaskSupervisor } from './task-supervisor';


/** Agent housekeeping: reap and re-check every 30 s (Helios's reconcile loop). */
const RECONCILE_INTERVAL_MS = 30_000;

export interface AgentDependencies {
  readonly logger: Logger;
  /** Defaults to Docker at `config.dockerHost`, or SimulatedRuntime with `config.simulated`. */
  readonly runtime?: ContainerRuntime;
  readonly timer?: SimulationTimer;
  readonly registry?: Registry;
  /** Serve /healthz /readyz /metrics (default true). */
  readonly http?: boolean;
  readonly delays?: Partial<RestartDelays>;
  /** The NATS server is one the agent must not run on (too old); main exits with the error's exitCode. */
  readonly onFatal?: (err: Error) => void;
}

/**
 * One agent: its state dir, the runtime, a reconciler over task supervisors,
 * the status reporter and the NATS link. Local work never waits on NATS.
 */
export class Agent {
  readonly agentId: string;
  readonly host: string;
  readonly runtime: ContainerRuntime;
  private readonly records: Record<string, TaskRecord>;
  /** Job id → why the task in the latest desired state cannot run. */
  private problems: ReadonlyMap<string, string> = new Map();
  private readonly reconciler: Reconciler;
  private readonly reporter: StatusReporter;
  private readonly link: NatsLink;
  private readonly images: ImagePreparer;
  private readonly listeners = new Set<(status: TaskStatus) => void>();
  private readonly intervals: NodeJS.Timeout[] = [];
  private health: HealthServer | undefined;
  private runtimeReachable = false;
  private stopped = false;
  readonly registry: Registry;
  private readonly reconnects: Counter;
  private readonly exits: Counter;

  private constructor(
    private readonly config: AgentConfig,
    private readonly deps: AgentDependencies,
    private readonly stateDir: StateDir,
  ) {
    this.host = config.name;
    this.agentId = config.id !== '' ? config.id : (stateDir.readAgentId() ?? randomBytes(8).toString('hex'));
    stateDir.writeAgentId(this.agentId);
    this.runtime = deps.runtime ?? createRuntime(config, deps.logger);
    this.records = stateDir.readTasks();
    const timer = deps.timer ?? realTimer;
    this.registry = deps.registry ?? createMetricsRegistry('agent');
    this.reconnects = new Counter({ name: 'berth_agent_nats_reconnects_total', help: 'NATS reconnections', registers: [this.registry] });
    this.exits = new Counter({ name: 'berth_agent_container_exits_total', help: 'containers that exited on their own', registers: [this.registry] });
    const supervisors = (): Iterable<TaskSupervisor> => this.reconciler.tasks.values();
    new Gauge({
      name: 'berth_agent_tasks',
      help: 'tasks on this host by state',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const counts = new Map<string, number>(TASK_STATES.map((s) => [s, 0]));
        for (const s of supervisors()) counts.set(s.status.state, (counts.get(s.status.state) ?? 0) + 1);
        for (const [state, n] of counts) this.set({ state }, n);
      },
    });
    this.reporter = new StatusReporter({
      host: this.host,
      agentId: this.agentId,
      timer,
      publish: (report) => this.link.publishStatus(report),
      snapshot: () => this.statuses(),
      logger: deps.logger,
    });
    this.reconciler = new Reconciler({
      runtime: this.runtime,
      agentId: this.agentId,
      logger: deps.logger,
      knownContainers: () => this.knownContainers(),
      createSupervisor: (task, adopt) => this.supervise(task, adopt, timer),
      // the same status, observed now, for the new deployment (nothing changed on the host, so no transition would report it)
      onRedeployed: (supervisor) => this.reporter.update({ ...supervisor.status, time: new Date(timer.now()).toISOString() }),
      onUndeployed: (jobId) => {
        delete this.records[jobId];
        this.persistTasks();
      },
    });
    this.images = new ImagePreparer({ runtime: this.runtime, now: () => timer.now(), logger: deps.logger });
    this.link = new NatsLink({
      servers: config.nats,
      connection: config,
      host: this.host,
      agentId: this.agentId,
      heartbeatMs: config.heartbeatInterval * 1000,
      hostStats: () => measureHostStats(),
      logger: deps.logger,
      registration: () => this.registration(),
      onDesired: (state) => this.receiveDesired(state),
      onPrepareImage: (message) => void this.prepareImage(message),
      onSession: () => this.reporter.requestFull(),
      onReconnect: () => this.reconnects.inc(),
      onRefused: (err) => {
        deps.logger.fatal({ err }, 'refusing to run on this NATS server');
        deps.onFatal?.(err);
      },
    });
  }

  /** Takes the state dir lock (throws StateDirLockedError), resumes from the cached desired state, then connects. */
  static async start(config: AgentConfig, deps: AgentDependencies): Promise<Agent> {
    const stateDir = StateDir.open(config.stateDir);
    try {
      const agent = new Agent(config, deps, stateDir);
      await agent.boot();
      return agent;
    } catch (err) {
      stateDir.release();
      throw err;
    }
  }

  /** Every supervised task's current status. */
  statuses(): TaskStatus[] {
    return [...this.reconciler.tasks.values()].map((s) => s.status).filter((s) => s.state !== 'UNKNOWN');
  }

  /** Called with every task status change. Returns an unsubscribe function. */
  onStatus(listener: (status: TaskStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get ready(): boolean {
    return this.runtimeReachable && this.link.ready;
  }

  get healthUrl(): string | undefined {
    return this.health?.url;
  }

  /** Stops supervising and disconnects; containers keep running (the agent stopping does not stop jobs). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const handle of this.intervals) clearInterval(handle);
    this.reconciler.close();
    this.reporter.close();
    await this.link.close();
    await this.health?.close();
    this.stateDir.release();
  }

  private async boot(): Promise<void> {
    const { logger } = this.deps;
    try {
      await this.runtime.ping();
      this.runtimeReachable = true;
    } catch (err) {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, 'container runtime unreachable; tasks will fail and retry');
    }
    const cached = readDesiredState(this.stateDir.readDesired());
    if (cached !== undefined && cached.state.host === this.host) {
      logger.info({ revision: cached.state.revision, tasks: cached.state.tasks.length }, 'resuming from the cached desired state');
      this.reconciler.setDesired(cached.state);
      this.problems = cached.problems;
      await this.reconciler.reconcile();
    }
    this.intervals.push(
      setInterval(() => void this.housekeeping(), RECONCILE_INTERVAL_MS),
      setInterval(() => this.reporter.requestFull(), this.config.fullReportInterval * 1000),
    );
    if (this.deps.http !== false) {
      this.health = await startHealthServer({ host: this.config.httpHost, port: this.config.httpPort, registry: this.registry, isReady: () => this.ready });
    }
    this.link.start();
    logger.info({ host: this.host, agentId: this.agentId, nats: redactNatsUrl(this.config.nats), stateDir: this.stateDir.dir, health: this.health?.url }, 'agent started');
  }

  private async housekeeping(): Promise<void> {
    try {
      await this.runtime.ping();
      this.runtimeReachable = true;
    } catch {
      this.runtimeReachable = false;
    }
    await this.reconciler.reconcile();
  }

  private receiveDesired(received: unknown): void {
    if (this.stopped) return;
    const reading = readDesiredState(received);
    if (reading === undefined) {
      this.deps.logger.warn({}, 'ignoring a desired state message that is not one');
      return;
    }
    const { state } = reading;
    if (state.host !== this.host) return;
    if (reading.dropped > 0 || reading.problems.size > 0) {
      this.deps.logger.warn({ revision: state.revision, dropped: reading.dropped, problems: Object.fromEntries(reading.problems) }, 'desired state has tasks that cannot run');
    }
    if (!this.reconciler.setDesired(state)) return;
    this.problems = reading.problems;
    this.stateDir.writeDesired(received as DesiredState);
    void this.reconciler.reconcile();
  }

  /** Pulls the image of a prestaging rollout and reports the outcome; a lost report is re-asked for by the scheduler. */
  private async prepareImage(received: unknown): Promise<void> {
    const request = readPrepareImageMessage(received);
    if (this.stopped || request === undefined || request.host !== this.host) {
      if (request === undefined) this.deps.logger.warn({}, 'ignoring a PrepareImage message that is not one');
      return;
    }
    const status = await this.images.prepare(request);
    try {
      await this.link.publishStatus({ host: this.host, agentId: this.agentId, time: status.time, full: false, tasks: [], images: [status] });
    } catch (err) {
      this.deps.logger.warn({ image: status.image, err: err instanceof Error ? err.message : String(err) }, 'image status not reported');
    }
  }

  private supervise(task: DesiredTask, adopt: string | undefined, timer: SimulationTimer): TaskSupervisor {
    const inUse = new Set<number>();
    for (const other of this.reconciler.tasks.values()) for (const port of Object.values(other.ports)) inUse.add(port);
    const ports = resolvePorts(task.job, task.ports, this.records[task.jobId]?.ports, inUse, this.config.portRange);
    const problem = this.problems.get(task.jobId);
    const supervisor = new TaskSupervisor(
      { jobId: task.jobId, job: task.job, goal: task.goal, ports, ...(problem !== undefined ? { problem } : {}) },
      {
        runtime: this.runtime,
        timer,
        logger: this.deps.logger,
        delays: this.deps.delays,
        healthChecker: createHealthChecker(this.runtime),
        buildSpec: (t) =>
          jobContainerSpec(t.job, {
            agentId: this.agentId,
            host: this.host,
            agentEnv: this.config.env,
            ports: t.ports,
            nameSuffix: randomBytes(4).toString('hex'),
            init: this.config.init || undefined,
            dns: this.config.dns,
            extraHosts: this.config.addHost,
          }),
        onStatus: (status) => this.taskChanged(status),
      },
      adopt,
    );
    this.records[task.jobId] = { ...this.records[task.jobId], ports };
    supervisor.start();
    return supervisor;
  }

  private taskChanged(status: TaskStatus): void {
    if (this.stopped) return;
    if (status.state === 'EXITED') this.exits.inc();
    const previous = this.records[status.jobId];
    this.records[status.jobId] = {
      ports: status.ports,
      containerId: status.containerId ?? previous?.containerId,
      lastStatus: status,
    };
    this.persistTasks();
    this.reporter.update(status);
    for (const listener of this.listeners) listener(status);
  }

  private knownContainers(): Record<string, string> {
    const known: Record<string, string> = {};
    for (const [jobId, record] of Object.entries(this.records)) if (record.containerId !== undefined) known[jobId] = record.containerId;
    return known;
  }

  private persistTasks(): void {
    try {
      this.stateDir.writeTasks(this.records);
    } catch (err) {
      this.deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'cannot write the state dir');
    }
  }

  private async registration(): Promise<RegisterHostMessage> {
    let dockerVersion: string | undefined;
    if (this.runtime instanceof DockerRuntime) {
      dockerVersion = await this.runtime.docker.version().then(
        (v) => v.Version,
        () => undefined,
      );
    }
    return {
      host: this.host,
      agentId: this.agentId,
      labels: this.config.labels,
      info: {
        hostname: hostname(),
        ...(dockerVersion !== undefined ? { dockerVersion } : {}),
        agentVersion: BERTH_VERSION,
        cpus: cpus().length,
        memoryBytes: totalmem(),
        osType: osType(),
        env: this.config.env,
      },
      portRange: this.config.portRange,
    };
  }
}

function createRuntime(config: AgentConfig, logger: Logger): ContainerRuntime {
  if (config.simulated) {
    logger.warn({}, 'SIMULATED RUNTIME: --simulated is set, no containers will run on this host (for demos and fleet benchmarks only)');
    return new SimulatedRuntime({ startDelayMs: 100 });
  }
  return new DockerRuntime({ dockerHost: config.dockerHost === '' ? undefined : config.dockerHost });
}
