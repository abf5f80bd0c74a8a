import { randomUUID } from 'node:crypto';
import { EVENTS_STREAM, SchedulerCommand, type StoredEvent } from '@berth/contracts';
import { JetStreamEventStore } from '@berth/event-store';
import type { DeploymentGroupStatus, RolloutDetail } from '@berth/read-model';
import { SchedulerClient } from '@berth/scheduler-client';
import { FakeAgents, checkHistory, eventually, startNatsCluster, startService, type AcknowledgedCommand, type HistoryReport, type NatsCluster, type ServiceProcess } from '@berth/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

/*
 * The fault suite's rig: a 3-node JetStream cluster (R3 streams), two scheduler
 * processes (leader and standby), simulated agents in this process, a writer that
 * keeps sending commands and records what was acknowledged, and rolling updates
 * for the faults to land in. Faults are real: kill -9 and SIGSTOP by pid.
 * Afterwards checkHistory holds what was acknowledged against the stream.
 */

export const LEASE_TTL_S = 1.5;
const GROUP = 'chaos';

export interface ScenarioRow {
  readonly scenario: string;
  readonly faults: number;
  readonly acknowledged: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly violations: number;
  /** how long after each fault commands were acknowledged again (takeover, or the cluster back), ms */
  readonly recoveryMs: readonly number[];
  readonly report: HistoryReport;
}

interface Writer {
  /** `sentAt`/`at`: when the request went out and when its answer came */
  readonly acknowledged: (AcknowledgedCommand & { readonly sentAt: number; readonly at: number })[];
  readonly unsure: { correlationId: string; eventType: string }[];
  stop(): Promise<void>;
}

export class FaultRig {
  private readonly schedulers: ServiceProcess[] = [];
  private readonly paused = new Set<number>();
  private version = 0;
  private started = 0;

  private constructor(
    readonly cluster: NatsCluster,
    readonly nc: NatsConnection,
    readonly client: SchedulerClient,
    readonly agents: FakeAgents,
    readonly hosts: readonly string[],
  ) {}

  static async start(hostCount: number): Promise<FaultRig> {
    const cluster = await startNatsCluster({ size: 3 });
    let nc: NatsConnection | undefined;
    try {
      // pings as the services' (libs/service natsConnectOptions): a SIGSTOPped server is left within ~10 s
      nc = await connect({ servers: [...cluster.urls], maxReconnectAttempts: -1, reconnectTimeWait: 250, pingInterval: 5_000, maxPingOut: 2 });
      const client = new SchedulerClient(nc, { actor: 'fault-suite', timeoutMs: 3_000 });
      // status reports a killed leader took but never acknowledged come back with the agents' full reports
      const agents = new FakeAgents(nc, { fullReportEveryMs: 1_000 });
      const hosts = Array.from({ length: hostCount }, (_, i) => `chaos-${i + 1}`);
      const rig = new FaultRig(cluster, nc, client, agents, hosts);
      rig.startScheduler();
      await rig.awaitLeader(30_000);
      rig.startScheduler();
      for (const host of hosts) await agents.register(host, { role: GROUP });
      await client.call(SchedulerCommand.CREATE_DEPLOYMENT_GROUP, { name: GROUP, selectors: [`role=${GROUP}`] });
      return rig;
    } catch (err) {
      await nc?.close();
      await cluster.stop();
      throw err;
    }
  }

  /** A scheduler process on the cluster, R3 assets, a short lease. */
  startScheduler(): ServiceProcess {
    const name = `scheduler-${++this.started}`;
    // one URL: the client learns the others from the cluster and reconnects across them
    const p = startService(name, 'apps/scheduler/src/main.ts', ['--nats', this.cluster.urls[0] as string, '--http-port', '0', '--lease-ttl', String(LEASE_TTL_S), '--replicas', '3'], { LOG_LEVEL: 'info' });
    this.schedulers.push(p);
    return p;
  }

  /** The scheduler process that serves as leader now (by its presence), waiting for one up to `timeoutMs`. */
  async awaitLeader(timeoutMs: number): Promise<ServiceProcess> {
    let found: ServiceProcess | undefined;
    await eventually(
      async () => {
        const presences = await this.client.schedulers(300).catch(() => []);
        const leader = presences.find((p) => p.role === 'leader' && !this.paused.has(p.pid));
        found = this.schedulers.find((s) => s.pid === leader?.pid);
        return found !== undefined;
      },
      { timeoutMs, what: 'a scheduler serving as leader' },
    );
    return found as ServiceProcess;
  }

  /** Sends create-job commands one after another until stopped, recording each answer. */
  startWriter(prefix: string): Writer {
    const acknowledged: (AcknowledgedCommand & { sentAt: number; at: number })[] = [];
    const unsure: { correlationId: string; eventType: string }[] = [];
    let stopped = false;
    const loop = (async () => {
      for (let i = 0; !stopped; i++) {
        const correlationId = `${prefix}-${i}-${randomUUID().slice(0, 8)}`;
        const sentAt = Date.now();
        const response = await this.client
          .request<{ sequence: number }>(SchedulerCommand.CREATE_JOB, { correlationId, job: { id: `${correlationId}:1`, image: 'local/busybox:1' } }, { timeoutMs: 1_000 })
          .catch((err: unknown) => ({ ok: false as const, error: { code: 'UNAVAILABLE', message: String(err) } }));
        if (response.ok) acknowledged.push({ correlationId, eventType: 'JobCreated', sequence: response.result.sequence, sentAt, at: Date.now() });
        // refused or unanswered: it may or may not be stored, but never twice
        else unsure.push({ correlationId, eventType: 'JobCreated' });
        // about 40 commands a second: plenty to check, and room left for the rollouts on a 2-core machine
        await new Promise((r) => setTimeout(r, response.ok ? 20 : 50));
      }
    })();
    return {
      acknowledged,
      unsure,
      stop: async () => {
        stopped = true;
        await loop;
      },
    };
  }

  /** Starts a rolling update of the group to a new job version; resolves with the rollout's id. */
  async rollingUpdate(parallelism: number): Promise<string> {
    this.version++;
    // called between faults, on a healthy control plane: no retry (a retried create could find its own job)
    const { jobId } = await this.client.call<{ jobId: string }>(SchedulerCommand.CREATE_JOB, { job: { id: `${GROUP}:${this.version}`, image: 'local/busybox:1' } }, { timeoutMs: 10_000 });
    const { rolloutId } = await this.client.call<{ rolloutId: string }>(
      SchedulerCommand.ROLLING_UPDATE,
      { group: GROUP, job: jobId, options: { parallelism, minHealthyTime: 1, timeout: 60 } },
      { timeoutMs: 10_000 },
    );
    return rolloutId;
  }

  async rolloutDone(rolloutId: string, timeoutMs: number): Promise<RolloutDetail> {
    let last: RolloutDetail | undefined;
    await eventually(
      async () => {
        last = (await this.client.call<{ rollout: RolloutDetail }>(SchedulerCommand.INSPECT_ROLLOUT, { id: rolloutId }).catch(() => undefined))?.rollout ?? last;
        const group = await this.client.call<DeploymentGroupStatus>(SchedulerCommand.DEPLOYMENT_GROUP_STATUS, { name: GROUP }).catch(() => undefined);
        return last?.status === 'SUCCEEDED' && group?.status === 'DONE';
      },
      { timeoutMs, what: () => `rollout ${rolloutId} SUCCEEDED (last seen: ${JSON.stringify(last?.status ?? 'nothing')})` },
    );
    return last as RolloutDetail;
  }

  /** kill -9 of the leading scheduler, and a new standby in its place (two run at all times); resolves with when it was killed. */
  async killLeader(): Promise<number> {
    const leader = await this.awaitLeader(20_000);
    process.kill(leader.pid, 'SIGKILL');
    const at = Date.now();
    await leader.exited;
    this.startScheduler();
    return at;
  }

  /** SIGSTOP of the leading scheduler until another one serves and past its lease, then SIGCONT; resolves with when it was stopped. */
  async pauseLeader(): Promise<number> {
    const leader = await this.awaitLeader(20_000);
    process.kill(leader.pid, 'SIGSTOP');
    const at = Date.now();
    this.paused.add(leader.pid);
    try {
      await this.awaitLeader((LEASE_TTL_S + 15) * 1000);
    } finally {
      process.kill(leader.pid, 'SIGCONT');
      this.paused.delete(leader.pid);
    }
    return at;
  }

  /** The node leading BERTH_EVENTS (the one whose loss costs an election), else the first. */
  async streamLeaderNode(): Promise<number> {
    const info = await (await jetstreamManager(this.nc)).streams.info(EVENTS_STREAM);
    const index = this.cluster.nodes.findIndex((n) => n.name === info.cluster?.leader);
    return index < 0 ? 0 : index;
  }

  /** How long after `since` the first command sent after it was acknowledged: when the control plane answered again. */
  static recoveredAfter(writer: Writer, since: number): number | undefined {
    const first = writer.acknowledged.find((a) => a.sentAt > since);
    return first === undefined ? undefined : first.at - since;
  }

  async awaitAcknowledgedAfter(writer: Writer, since: number, timeoutMs: number): Promise<number> {
    await eventually(async () => FaultRig.recoveredAfter(writer, since) !== undefined, { timeoutMs, what: 'a command acknowledged after the fault' });
    return FaultRig.recoveredAfter(writer, since) as number;
  }

  /** The whole history, checked against what `writer` saw. */
  async check(writer: Writer): Promise<HistoryReport> {
    const store = await JetStreamEventStore.connect({ nc: this.nc });
    try {
      const events: StoredEvent[] = [];
      for await (const e of store.readAll()) events.push(e);
      return checkHistory(events, writer.acknowledged, writer.unsure);
    } finally {
      await store.close();
    }
  }

  async stop(): Promise<void> {
    this.agents.stop();
    for (const pid of this.paused) process.kill(pid, 'SIGCONT');
    for (const s of this.schedulers) await s.stop();
    await this.nc.close();
    await this.cluster.stop();
  }
}
