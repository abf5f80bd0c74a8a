import { EVENTS_STREAM, EVENTS_SUBJECT_WILDCARD, SchedulerCommand } from '@berth/contracts';
import { JetStreamEventStore } from '@berth/event-store';
import type { DeploymentGroupStatus } from '@berth/read-model';
import { SchedulerClient } from '@berth/scheduler-client';
import { FakeAgents, startNatsServer, type NatsServer } from '@berth/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { loadSchedulerConfig } from '../config';
import { startScheduler, type RunningScheduler } from '../scheduler';
import { silentLogger } from './in-memory-scheduler';

export interface SchedulerTestEnvOptions {
  /** the client's actor on the events its commands cause */
  readonly actor: string;
  /** scheduler flags besides --nats and --http-port (e.g. --host-down-after 1) */
  readonly schedulerArgs?: readonly string[];
}

/**
 * The scheduler integration specs' common ground: a real nats-server, an
 * in-process scheduler (more can be started, e.g. a standby), a client, the
 * event store and FakeAgents, over one connection. `stop()` ends them in the
 * order that lets jest exit: agents, schedulers, store, connection, server.
 */
export class SchedulerTestEnv {
  /** schedulers started here and not stopped yet, oldest first */
  readonly running: RunningScheduler[] = [];

  private constructor(
    readonly nats: NatsServer,
    readonly nc: NatsConnection,
    readonly store: JetStreamEventStore,
    readonly client: SchedulerClient,
    readonly agents: FakeAgents,
    private readonly schedulerArgs: readonly string[],
  ) {}

  static async start(options: SchedulerTestEnvOptions): Promise<SchedulerTestEnv> {
    const nats = await startNatsServer();
    const nc = await connect({ servers: nats.url });
    const store = await JetStreamEventStore.connect({ nc });
    const env = new SchedulerTestEnv(nats, nc, store, new SchedulerClient(nc, { actor: options.actor }), new FakeAgents(nc), options.schedulerArgs ?? []);
    await env.startScheduler();
    return env;
  }

  /** the oldest scheduler still running */
  get scheduler(): RunningScheduler {
    const first = this.running[0];
    if (!first) throw new Error('no scheduler is running');
    return first;
  }

  async startScheduler(): Promise<RunningScheduler> {
    const scheduler = await startScheduler(loadSchedulerConfig(['--nats', this.nats.url, '--http-port', '0', ...this.schedulerArgs], {}), silentLogger);
    this.running.push(scheduler);
    return scheduler;
  }

  async stopScheduler(scheduler: RunningScheduler): Promise<void> {
    this.running.splice(this.running.indexOf(scheduler), 1);
    await scheduler.stop();
  }

  /** CREATE_JOB; the job's full id */
  async createJob(job: Record<string, unknown>): Promise<string> {
    return (await this.client.call<{ jobId: string }>(SchedulerCommand.CREATE_JOB, { job })).jobId;
  }

  /** Hosts labelled role=<group> (registered by FakeAgents) and a deployment group selecting them. */
  async fleet(group: string, hosts: readonly string[]): Promise<void> {
    for (const host of hosts) await this.agents.register(host, { role: group });
    await this.client.call(SchedulerCommand.CREATE_DEPLOYMENT_GROUP, { name: group, selectors: [`role=${group}`] });
  }

  /** ROLLING_UPDATE; the rollout's id */
  async rollingUpdate(group: string, job: string, options: object = {}): Promise<string> {
    return (await this.client.call<{ rolloutId: string }>(SchedulerCommand.ROLLING_UPDATE, { group, job, options })).rolloutId;
  }

  groupStatus(name: string): Promise<DeploymentGroupStatus> {
    return this.client.call<DeploymentGroupStatus>(SchedulerCommand.DEPLOYMENT_GROUP_STATUS, { name });
  }

  /** messages in BERTH_EVENTS: what a refused command must leave unchanged */
  /** Messages holding events (appends) in the stream; the leader's fence messages, which expire, are not counted. */
  async eventCount(): Promise<number> {
    const { subjects } = (await (await jetstreamManager(this.nc)).streams.info(EVENTS_STREAM, { subjects_filter: EVENTS_SUBJECT_WILDCARD })).state;
    return Object.values(subjects ?? {}).reduce((sum, n) => sum + n, 0);
  }

  async stop(): Promise<void> {
    this.agents.stop();
    for (const scheduler of [...this.running]) await this.stopScheduler(scheduler);
    await this.store.close();
    await this.nc.drain();
    await this.nats.stop();
  }
}
