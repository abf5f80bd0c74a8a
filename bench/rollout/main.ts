/*
 * Rollout benchmark: one deployment group over 1,000 and 10,000 simulated
 * hosts, rolling updates at parallelism 100 and 1,000; time from the
 * rolling-update request to the group's DeploymentGroupRolloutFinished, and
 * BERTH_EVENTS appends per second, next to the same number of raw NATS
 * request/replies (sequential, a trivial responder) in the same run on the
 * same nats-server (file storage, sync_interval: always).
 *
 *   npm run bench -- rollout
 *
 * Env: BENCH_FLEETS (default "1000,10000"), BENCH_PARALLELISM (default
 * "100,1000"), BENCH_REPLICAS (default "1,3": the whole run on one
 * nats-server, then again on a 3-node loopback cluster with every stream R3,
 * printed side by side), BENCH_HEARTBEAT_SECONDS (each host's heartbeat period, default
 * 30; the scheduler's --host-down-after is 4 periods, at least 120 s),
 * BENCH_SCHEDULER_NODE_ARGS (node flags for the scheduler, e.g. "--cpu-prof
 * --cpu-prof-dir=/tmp/prof"; see bench/lib/scheduler-process.ts).
 *
 * The scheduler runs as its own process (the bundle npm start runs). The
 * agents are simulated in this process over one NATS connection, speaking the
 * real agent protocol: register (request/reply), heartbeat (each host once
 * every HEARTBEAT_PERIOD_MS, spread evenly), one wildcard subscription to
 * `berth.host.*.desired`, and a TaskStatusReport RUNNING into BERTH_STATUS for
 * every START task that appears in a host's desired state.
 *
 * Each fleet first gets v1 (an initial deploy, timed too), then one update per
 * parallelism (v2, v3, …): an update undeploys the old job and deploys the new
 * one on every host.
 */
import { performance } from 'node:perf_hooks';
import {
  EVENTS_STREAM,
  EVENTS_SUBJECT_WILDCARD,
  SchedulerCommand,
  agentSubjects,
  decodeSubjectToken,
  eventSubject,
  type DesiredState,
  type TaskStatusReport,
} from '@berth/contracts';
import { SchedulerClient } from '@berth/scheduler-client';
import { startNatsCluster, startNatsServer, type ServiceProcess } from '@berth/testing';
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startBundledProcess } from '../lib/bundled-process';
import { waitForScheduler } from '../lib/scheduler-process';
import { printTable, printTargets, targetCell } from '../lib/table';

const FLEETS = (process.env['BENCH_FLEETS'] ?? '1000,10000').split(',').map(Number);
const PARALLELISM = (process.env['BENCH_PARALLELISM'] ?? '100,1000').split(',').map(Number);
/** one run per entry, same fleets and rollouts: 1 = one nats-server, 3 = a 3-node cluster with R3 streams */
const REPLICAS = (process.env['BENCH_REPLICAS'] ?? '1,3').split(',').map(Number);
const HEARTBEAT_PERIOD_MS = Number(process.env['BENCH_HEARTBEAT_SECONDS'] ?? 30) * 1000;
const HOST_DOWN_AFTER_S = Math.max(120, (4 * HEARTBEAT_PERIOD_MS) / 1000);
const REGISTER_IN_FLIGHT = 64;
const ROLLOUT_TIMEOUT_MS = 90_000;
/** the group aggregate's name in subjects (libs/read-model Aggregate.DEPLOYMENT_GROUP) */
const GROUP_AGGREGATE = 'deployment-group';

/**
 * The agents of many hosts in one process: one connection, one wildcard
 * subscription for every host's desired state, heartbeats spread over the
 * period, a RUNNING report for every START task not reported yet.
 */
class SimulatedFleet {
  private readonly js: JetStreamClient;
  private readonly hosts: string[] = [];
  private readonly reported = new Map<string, Set<string>>();
  private readonly pending = new Set<Promise<unknown>>();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private nextBeat = 0;
  reports = 0;
  /** status publishes JetStream did not acknowledge (the report is lost: this fleet, unlike an agent, does not re-report) */
  failedReports = 0;

  constructor(private readonly nc: NatsConnection) {
    this.js = jetstream(nc);
    nc.subscribe('berth.host.*.desired', {
      callback: (_err, msg) => this.onDesired(decodeSubjectToken(msg.subject.split('.')[2] ?? ''), msg.json() as DesiredState),
    });
  }

  async register(names: readonly string[], labels: Record<string, string>): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: REGISTER_IN_FLIGHT }, async () => {
        for (let i = next++; i < names.length; i = next++) {
          const host = names[i] as string;
          const reply = await this.nc.request(agentSubjects(host).register, JSON.stringify({ host, agentId: `agent-${host}`, labels, info: {} }), { timeout: 30_000 });
          const body = reply.json() as { ok: boolean; error?: unknown };
          if (!body.ok) throw new Error(`registration of ${host} failed: ${JSON.stringify(body.error)}`);
          this.reported.set(host, new Set());
          this.hosts.push(host);
        }
      }),
    );
  }

  /** Each host once per period, in slices every 100 ms (a real fleet's heartbeats are not synchronised). */
  startHeartbeats(): void {
    const slices = HEARTBEAT_PERIOD_MS / 100;
    this.heartbeatTimer = setInterval(() => {
      const per = Math.ceil(this.hosts.length / slices);
      const time = new Date().toISOString();
      for (let k = 0; k < per && this.hosts.length > 0; k++) {
        const host = this.hosts[this.nextBeat++ % this.hosts.length] as string;
        this.nc.publish(agentSubjects(host).heartbeat, JSON.stringify({ host, agentId: `agent-${host}`, time }));
      }
    }, 100);
  }

  async stop(): Promise<void> {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await Promise.all(this.pending);
  }

  private onDesired(host: string, desired: DesiredState): void {
    const reported = this.reported.get(host);
    if (reported === undefined) return;
    const wanted = new Set(desired.tasks.filter((task) => task.goal === 'START').map((task) => task.jobId));
    for (const jobId of [...reported]) if (!wanted.has(jobId)) reported.delete(jobId);
    for (const jobId of wanted) {
      if (reported.has(jobId)) continue;
      reported.add(jobId);
      const time = new Date().toISOString();
      const report: TaskStatusReport = {
        host,
        agentId: `agent-${host}`,
        time,
        full: false,
        tasks: [{ jobId, goal: 'START', state: 'RUNNING', throttled: 'NO', ports: {}, containerId: `c-${host}`, time }],
      };
      this.reports++;
      const p = this.js
        .publish(agentSubjects(host).status, JSON.stringify(report))
        .then(
          () => undefined,
          () => void this.failedReports++,
        )
        .finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }
}

interface Row {
  readonly operation: string;
  readonly hosts: number;
  readonly parallelism?: number;
  readonly events: number;
  readonly appends: number;
  readonly ms: number;
  readonly baselineMs?: number;
  readonly target?: string;
  readonly met?: boolean;
}

/**
 * Counts appends (stream messages on event subjects) and the events in them, read from the stream
 * itself: a core subscription would also count publishes JetStream refused (a stale expectation,
 * a refused atomic batch), which are frequent on a cluster.
 */
class EventCounter {
  appends = 0;
  events = 0;
  private position = 0;
  constructor(private readonly nc: NatsConnection) {}
  /** Reads every append stored since the last call. */
  async settle(): Promise<void> {
    const last = (await (await jetstreamManager(this.nc)).streams.info(EVENTS_STREAM)).state.last_seq;
    if (last <= this.position) return;
    const consumer = await jetstream(this.nc).consumers.get(EVENTS_STREAM, {
      filter_subjects: [EVENTS_SUBJECT_WILDCARD],
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: this.position + 1,
    });
    let done = false;
    while (!done) {
      let fetched = 0;
      for await (const m of await consumer.fetch({ max_messages: 5_000, expires: 2_000 })) {
        fetched++;
        if (m.seq > last) {
          done = true;
          continue;
        }
        this.appends++;
        this.events += (m.json() as { events: unknown[] }).events.length;
        if (m.seq >= last || m.info.pending === 0) done = true;
      }
      if (fetched === 0) done = true;
    }
    this.position = last;
  }
  stop(): void {
    // nothing to stop: each settle() reads with its own ordered consumer
  }
}

/** Resolves with the group's DeploymentGroupRolloutFinished for `rolloutId` (a core subscription to the group's event subject). */
interface GroupRollouts {
  /** the jobs whose rollout the group has started, with its id */
  readonly startedFor: Map<string, string>;
  wait(rolloutId: string): Promise<{ status: string; error?: string }>;
  stop(): void;
}

/** Follows the group's events: rollouts started (by job) and finished. */
function groupRollouts(nc: NatsConnection, group: string): GroupRollouts {
  const startedFor = new Map<string, string>();
  const finished = new Map<string, { status: string; error?: string }>();
  const waiters = new Map<string, (v: { status: string; error?: string }) => void>();
  const sub = nc.subscribe(eventSubject(GROUP_AGGREGATE, group), {
    callback: (_err, msg) => {
      const append = msg.json() as { events: { type: string; data: { rolloutId?: string; jobId?: string; status?: string; error?: string } }[] };
      for (const event of append.events) {
        const body = event.data;
        if (event.type === 'DeploymentGroupRolloutStarted' && body.rolloutId !== undefined && body.jobId !== undefined) startedFor.set(body.jobId, body.rolloutId);
        if (event.type !== 'DeploymentGroupRolloutFinished' || body.rolloutId === undefined) continue;
        const result = { status: body.status ?? '?', ...(body.error === undefined ? {} : { error: body.error }) };
        finished.set(body.rolloutId, result);
        waiters.get(body.rolloutId)?.(result);
      }
    },
  });
  return {
    startedFor,
    wait: (rolloutId) =>
      new Promise((resolve, reject) => {
        const done = finished.get(rolloutId);
        if (done) return resolve(done);
        const timer = setTimeout(() => reject(new Error(`rollout ${rolloutId} not finished within ${ROLLOUT_TIMEOUT_MS} ms`)), ROLLOUT_TIMEOUT_MS);
        waiters.set(rolloutId, (v) => {
          clearTimeout(timer);
          resolve(v);
        });
      }),
    stop: () => sub.unsubscribe(),
  };
}

/**
 * The rollout's id from the answer; when the answer (the rollout with every
 * host's row) is too large for NATS, the scheduler says so and that the
 * command succeeded, and the id comes from the group's DeploymentGroupRolloutStarted.
 */
async function rollingUpdate(client: SchedulerClient, nc: NatsConnection, rollouts: GroupRollouts, body: { group: string; job: string; options: object }): Promise<string> {
  const reply = await client.request<{ rolloutId: string }>(SchedulerCommand.ROLLING_UPDATE, body, { timeoutMs: 60_000 });
  if (reply.ok) return reply.result.rolloutId;
  if (reply.error.details?.['succeeded'] !== true) throw new Error(`rolling-update refused: ${reply.error.code} ${reply.error.message}`);
  console.log(`  (${reply.error.message})`);
  await nc.flush();
  const rolloutId = rollouts.startedFor.get(body.job);
  if (rolloutId === undefined) throw new Error(`no DeploymentGroupRolloutStarted for ${body.job}`);
  return rolloutId;
}

/** `n` raw request/replies one after another, like the scheduler's appends, against a trivial responder. */
async function rawRequests(nc: NatsConnection, n: number): Promise<number> {
  const body = JSON.stringify({ host: 'bench-h0', jobId: 'svc:1', state: 'RUNNING' });
  const start = performance.now();
  for (let i = 0; i < n; i++) await nc.request('bench.echo', body);
  return performance.now() - start;
}

async function runFleet(client: SchedulerClient, nc: NatsConnection, counter: EventCounter, fleet: SimulatedFleet, size: number, rows: Row[]): Promise<void> {
  const group = `fleet-${size}`;
  const names = Array.from({ length: size }, (_, i) => `${group}-host${i + 1}`);
  const registerStart = performance.now();
  await fleet.register(names, { fleet: String(size) });
  console.log(`${size.toLocaleString('en-US')} hosts registered in ${((performance.now() - registerStart) / 1000).toFixed(1)} s`);
  await client.call(SchedulerCommand.CREATE_DEPLOYMENT_GROUP, { name: group, selectors: [`fleet=${size}`] });
  const finished = groupRollouts(nc, group);
  try {
    const plans: { label: string; parallelism: number }[] = [
      { label: 'initial deploy', parallelism: Math.max(...PARALLELISM) },
      ...PARALLELISM.map((parallelism) => ({ label: 'update', parallelism })),
    ];
    for (const [i, plan] of plans.entries()) {
      const { jobId } = await client.call<{ jobId: string }>(SchedulerCommand.CREATE_JOB, { job: { id: `${group}-svc:${i + 1}`, image: 'local/busybox:1' } });
      await counter.settle();
      const before = { events: counter.events, appends: counter.appends };
      const start = performance.now();
      const rolloutId = await rollingUpdate(client, nc, finished, { group, job: jobId, options: { parallelism: plan.parallelism, timeout: 60 } });
      const result = await finished.wait(rolloutId).catch((err: unknown) => ({ status: 'NOT FINISHED', error: String(err) }));
      const ms = performance.now() - start;
      await counter.settle();
      const events = counter.events - before.events;
      const appends = counter.appends - before.appends;
      if (result.status !== 'DONE') {
        // measured and reported, not thrown: the table still shows the rows before it
        console.log(`  ${plan.label} at parallelism ${plan.parallelism}: ${result.status} after ${(ms / 1000).toFixed(1)} s: ${(result.error ?? '').slice(0, 300)}`);
        rows.push({ operation: `${plan.label} (${result.status}, skipping the rest of this fleet)`, hosts: size, parallelism: plan.parallelism, events, appends, ms });
        return;
      }
      const baselineMs = await rawRequests(nc, appends);
      const isTarget = size === 10_000 && plan.parallelism === 1_000 && plan.label === 'update';
      rows.push({
        operation: `${plan.label} ${plan.label === 'update' ? `v${i} → v${i + 1}` : 'v1'}`,
        hosts: size,
        parallelism: plan.parallelism,
        events,
        appends,
        ms,
        baselineMs,
        ...(isTarget ? { target: '≤ 15000 ms', met: ms <= 15_000 } : {}),
      });
      console.log(`  ${plan.label} at parallelism ${plan.parallelism}: DONE in ${(ms / 1000).toFixed(2)} s, ${events} events in ${appends} appends; ${fleet.failedReports} status reports lost so far`);
    }
  } finally {
    finished.stop();
  }
}

/** Where a run's NATS is: one server (R1) or a cluster whose streams are created with `replicas` copies. */
interface BenchNats {
  readonly label: string;
  readonly servers: string;
  readonly replicas: number;
  readonly version: string;
  stop(): Promise<void>;
}

async function startBenchNats(replicas: number): Promise<BenchNats> {
  if (replicas === 1) {
    const server = await startNatsServer();
    return { label: 'R1', servers: server.url, replicas, version: server.version, stop: () => server.stop() };
  }
  const cluster = await startNatsCluster({ size: replicas });
  const version = (await cluster.nodes[0]?.monitor<{ version: string }>('/varz'))?.version ?? '?';
  return { label: `R${replicas}`, servers: cluster.servers, replicas, version, stop: () => cluster.stop() };
}

/** Every fleet and rollout on one NATS (a fresh server or cluster, a fresh scheduler process). */
async function runOn(nats: BenchNats): Promise<Row[]> {
  const servers = nats.servers.split(',');
  const nc = await connect({ servers });
  const agentsNc = await connect({ servers, name: 'simulated-agents' });
  const responderNc = await connect({ servers });
  const rows: Row[] = [];
  let scheduler: ServiceProcess | undefined;
  let fleet: SimulatedFleet | undefined;
  let counter: EventCounter | undefined;
  let stopping = false;
  try {
    responderNc.subscribe('bench.echo', { callback: (_e, m) => void m.respond('{"ok":true,"result":{"sequence":1}}') });
    await responderNc.flush();
    scheduler = startBundledProcess('scheduler', ['--nats', nats.servers, '--replicas', String(nats.replicas), '--http-port', '0', '--host-down-after', String(HOST_DOWN_AFTER_S)], { LOG_LEVEL: 'warn' });
    const client = new SchedulerClient(nc, { actor: 'bench' });
    await waitForScheduler(client, scheduler);
    const started = scheduler;
    void started.exited.then((code) => {
      if (!stopping) console.error(`scheduler exited (code ${code}) during the benchmark:\n${started.output().slice(-4000)}`);
    });
    console.log(`${nats.label}: nats-server ${nats.version} (sync_interval: always${nats.replicas > 1 ? `, ${nats.replicas} nodes on loopback, streams R${nats.replicas}` : ''}); scheduler in its own process; agents simulated in this one`);
    counter = new EventCounter(nc);
    fleet = new SimulatedFleet(agentsNc);
    fleet.startHeartbeats();
    for (const size of FLEETS) await runFleet(client, nc, counter, fleet, size, rows);
  } finally {
    stopping = true;
    counter?.stop();
    await fleet?.stop();
    await scheduler?.stop();
    await responderNc.close();
    await agentsNc.close();
    await nc.close();
  }
  return rows;
}

async function main(): Promise<void> {
  const runs: { label: string; rows: Row[] }[] = [];
  for (const replicas of REPLICAS) {
    const nats = await startBenchNats(replicas);
    try {
      runs.push({ label: nats.label, rows: await runOn(nats) });
    } finally {
      await nats.stop();
    }
  }
  const first = runs[0];
  if (!first) return;
  printRows(first.rows, runs.slice(1));
  printTargets(first.rows.flatMap((r) => (r.met === undefined ? [] : [{ label: `${r.hosts} hosts at parallelism ${r.parallelism} (${first.label})`, target: r.target ?? '', met: r.met }])));
}

/** The first run's rows; each further run (R3) adds its time to DONE and events/s beside them, row by row. */
function printRows(rows: readonly Row[], others: readonly { label: string; rows: readonly Row[] }[]): void {
  const base = REPLICAS.length > 1 ? ` R${REPLICAS[0]}` : '';
  const header = [
    'rollout',
    'hosts',
    'parallelism',
    `events${base}`,
    ...others.map((o) => `events ${o.label}`),
    `appends${base}`,
    `time to DONE${base} ms`,
    ...others.map((o) => `time to DONE ${o.label} ms`),
    `events/s${base}`,
    ...others.map((o) => `events/s ${o.label}`),
    'raw req/reply × appends ms',
    'target',
  ];
  const rate = (r: Row | undefined): string => (r === undefined ? '' : Math.round(r.events / (r.ms / 1000)).toLocaleString('en-US'));
  printTable(
    header,
    rows.map((r, i) => [
      r.operation,
      r.hosts.toLocaleString('en-US'),
      r.parallelism === undefined ? '' : r.parallelism.toLocaleString('en-US'),
      r.events.toLocaleString('en-US'),
      ...others.map((o) => o.rows[i]?.events.toLocaleString('en-US') ?? ''),
      r.appends.toLocaleString('en-US'),
      r.ms.toFixed(0),
      ...others.map((o) => o.rows[i]?.ms.toFixed(0) ?? ''),
      rate(r),
      ...others.map((o) => rate(o.rows[i])),
      r.baselineMs === undefined ? '' : r.baselineMs.toFixed(0),
      targetCell(r.target, r.met),
    ]),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
