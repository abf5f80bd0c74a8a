/*
 * Scheduler benchmark: command latency and throughput through the NATS API,
 * next to a raw NATS request/reply round trip measured in the same run on the
 * same nats-server (file storage, sync_interval: always); restart time
 * (snapshot load + projection rebuild) with and without a snapshot; the paced
 * command latency again with NATS auth on (credentials, permissions, an
 * integration's identified commands), on its own nats-server in the same run.
 *
 *   npm run bench -- scheduler
 *
 * Env: BENCH_PACED_SECONDS (default 5), BENCH_MAX_SECONDS (default 4),
 * BENCH_IN_FLIGHT (default 64), BENCH_HISTORY (events in history for the
 * restart rows, comma-separated; default 100000).
 *
 * The scheduler runs as its own process (the bundle npm start runs, one
 * event loop: one core), started and stopped by pid like `npm start` does;
 * restart times are the ones it logs ("projection caught up": connect,
 * snapshot load, replay).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiRole, EVENTS_STREAM, SchedulerCommand, integrationInboxPrefix, type NewEvent } from '@berth/contracts';
import { NatsAuth } from '@berth/service';
import { JetStreamEventStore } from '@berth/event-store';
import { SchedulerClient } from '@berth/scheduler-client';
import { startNatsServer, type NatsServer, type ServiceProcess } from '@berth/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { startSchedulerProcess } from '../lib/scheduler-process';
import { percentile } from '../lib/measure';
import { printTable, printTargets, targetCell } from '../lib/table';

/** the scheduler's snapshot name (apps/scheduler/src/snapshotter.ts) */
const SCHEDULER_SNAPSHOT = 'scheduler';
const PACED_SECONDS = Number(process.env['BENCH_PACED_SECONDS'] ?? 5);
const MAX_SECONDS = Number(process.env['BENCH_MAX_SECONDS'] ?? 4);
const IN_FLIGHT = Number(process.env['BENCH_IN_FLIGHT'] ?? 64);
const HISTORY = (process.env['BENCH_HISTORY'] ?? '100000').split(',').map(Number);
const RATE = 200;
const EVENTS_PER_APPEND = 100;
const RESTART_HOSTS = 20;

interface Scheduler {
  readonly process: ServiceProcess;
  /** what it logged when its projection caught up */
  readonly rebuildMs: number;
  readonly snapshotSequence: number;
  readonly sequence: number;
}

/** every scheduler process this run started: all are stopped at the end, whatever happened */
const startedProcesses: ServiceProcess[] = [];

async function startScheduler(server: NatsServer, snapshotEvery: number): Promise<Scheduler> {
  const p = startSchedulerProcess(server, ['--snapshot-every', String(snapshotEvery)], 'info');
  startedProcesses.push(p);
  const caughtUp = JSON.parse(await p.waitForOutput(/projection caught up/, 120_000)) as { rebuildMs: number; snapshotSequence: number; sequence: number };
  await p.waitForOutput(/serving as leader/, 30_000);
  return { process: p, ...caughtUp };
}

interface Row {
  readonly operation: string;
  readonly n: number;
  readonly p50?: number;
  readonly p99?: number;
  readonly perSecond?: number;
  readonly ms?: number;
  readonly target?: string;
  readonly met?: boolean;
}

/** Sends `send` at a fixed rate (open loop) for `seconds`; returns each latency in ms. */
async function paced(seconds: number, perSecond: number, send: (i: number) => Promise<void>): Promise<number[]> {
  const count = Math.round(seconds * perSecond);
  const start = performance.now();
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const sent = performance.now();
    pending.push(send(i).then(() => void latencies.push(performance.now() - sent)));
  }
  await Promise.all(pending);
  return latencies.sort((a, b) => a - b);
}

/** `width` workers sending back to back for `seconds`; returns completed operations per second. */
async function closedLoop(seconds: number, width: number, send: (worker: number, i: number) => Promise<void>): Promise<{ n: number; perSecond: number }> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: width }, async (_, w) => {
      for (let i = 0; performance.now() < end; i++) {
        await send(w, i);
        n++;
      }
    }),
  );
  return { n, perSecond: n / ((performance.now() - start) / 1000) };
}

function expectOk(r: { ok: boolean; error?: { code: string; message: string } }): void {
  if (!r.ok) throw new Error(`command failed: ${r.error?.code} ${r.error?.message}`);
}

async function setUpFleet(client: SchedulerClient, hosts: number, prefix: string): Promise<string[]> {
  const jobIds: string[] = [];
  for (let h = 0; h < hosts; h++) {
    await client.call(SchedulerCommand.REGISTER_HOST, { host: `${prefix}-h${h}`, agentId: `${prefix}-a${h}` });
    const { jobId } = await client.call<{ jobId: string }>(SchedulerCommand.CREATE_JOB, { job: { id: `${prefix}-j${h}:1`, image: 'local/busybox:1' } });
    jobIds.push(jobId);
  }
  return jobIds;
}

/** deploy on even i, undeploy on odd: each command writes one event to the host's deployment aggregate */
function toggle(client: SchedulerClient, prefix: string, jobIds: readonly string[]) {
  return async (slot: number, i: number): Promise<void> => {
    const body = { job: jobIds[slot] as string, host: `${prefix}-h${slot}` };
    expectOk(await client.request(i % 2 === 0 ? SchedulerCommand.DEPLOY : SchedulerCommand.UNDEPLOY, body));
  };
}

function statusEvent(host: string, jobId: string, n: number): NewEvent {
  const time = new Date(1_790_000_000_000 + n).toISOString();
  const state = n % 2 === 0 ? 'RUNNING' : 'HEALTHCHECKING';
  return {
    id: randomUUID(),
    type: 'TaskStatusChanged',
    schemaVersion: 1,
    time,
    actor: `agent:${host}`,
    correlationId: randomUUID(),
    causationId: randomUUID(),
    data: { host, jobId, status: { jobId, goal: 'START', state, throttled: 'NO', ports: {}, containerId: `c${n}`, time } },
  };
}

async function streamEnd(nc: NatsConnection): Promise<number> {
  return (await (await jetstreamManager(nc)).streams.info(EVENTS_STREAM)).state.last_seq;
}

/** Appends `events` task-status events in appends of EVENTS_PER_APPEND, one writer per host (no conflicts). */
async function fillHistory(store: JetStreamEventStore, jobIds: readonly string[], events: number): Promise<void> {
  const appends = Math.ceil(events / EVENTS_PER_APPEND);
  let next = 0;
  await Promise.all(
    jobIds.map(async (jobId, h) => {
      for (let a = next++; a < appends; a = next++) {
        const batch = Array.from({ length: EVENTS_PER_APPEND }, (_, k) => statusEvent(`restart-h${h}`, jobId, a * EVENTS_PER_APPEND + k));
        await store.append('deployment', `restart-h${h}`, 'any', batch);
      }
    }),
  );
}

async function measureRestart(server: NatsServer, nc: NatsConnection, store: JetStreamEventStore, leader: Scheduler, rows: Row[]): Promise<Scheduler> {
  let current = leader;
  const client = new SchedulerClient(nc, { actor: 'bench' });
  const jobIds = await setUpFleet(client, RESTART_HOSTS, 'restart');
  for (let h = 0; h < RESTART_HOSTS; h++) await client.call(SchedulerCommand.DEPLOY, { job: jobIds[h] as string, host: `restart-h${h}` });
  let filled = 0;
  for (const total of HISTORY) {
    const fillStart = performance.now();
    await fillHistory(store, jobIds, total - filled);
    filled = total;
    const end = await streamEnd(nc);
    const fillSeconds = (performance.now() - fillStart) / 1000;
    // the leader snapshots every 1,000 events (10 appends here); wait for the one covering the last full thousand
    const deadline = Date.now() + 60_000;
    while (((await store.loadSnapshot(SCHEDULER_SNAPSHOT))?.sequence ?? 0) < end - 1_000 / EVENTS_PER_APPEND - 1) {
      if (Date.now() > deadline) throw new Error('no recent snapshot');
      await new Promise((r) => setTimeout(r, 50));
    }
    const snapshot = await store.loadSnapshot(SCHEDULER_SNAPSHOT);
    const snapshotBytes = JSON.stringify(snapshot).length;
    console.log(
      `history: ${total.toLocaleString('en-US')} task events in ${end} appends, written in ${fillSeconds.toFixed(1)} s; snapshot ${Math.round(snapshotBytes / 1024)} KiB at sequence ${snapshot?.sequence}`,
    );
    await current.process.stop();
    // the stopped leader may have written more (hosts without agents going DOWN) after `end` was read
    const stoppedAt = await streamEnd(nc);

    for (const withSnapshot of [false, true]) {
      const started = performance.now();
      current = await startScheduler(server, withSnapshot ? 1_000 : 0);
      const servingMs = performance.now() - started;
      // reported, not a reason to stop: the table says what happened
      if (current.sequence < stoppedAt) console.log(`  note: the restarted scheduler's projection reached ${current.sequence}, the stream was at ${stoppedAt}`);
      rows.push({
        operation: `restart, ${total.toLocaleString('en-US')} events, ${withSnapshot ? `snapshot (seq ${current.snapshotSequence}) + tail` : 'full replay, no snapshot'}`,
        n: total,
        ms: current.rebuildMs,
        target: withSnapshot ? '< 3000 ms' : '',
        ...(withSnapshot ? { met: current.rebuildMs < 3_000 } : {}),
      });
      console.log(`  ${withSnapshot ? 'with' : 'without'} snapshot: rebuilt in ${current.rebuildMs} ms; process serving ${servingMs.toFixed(0)} ms after spawn`);
      if (!withSnapshot) await current.process.stop();
    }
  }
  return current;
}

/**
 * deploy/undeploy at RATE/s, round robin over the hosts: a host's next command comes `slots` commands after its previous
 * one, and never before that one is answered (a deploy and the undeploy after it must not race); latency counts from when it is due
 */
async function pacedCommands(client: SchedulerClient, jobIds: readonly string[], slots: number): Promise<number[]> {
  const send = toggle(client, 'bench', jobIds);
  const previous = new Map<number, Promise<void>>();
  return paced(PACED_SECONDS, RATE, (i) => {
    const slot = i % slots;
    const next = (previous.get(slot) ?? Promise.resolve()).then(() => send(slot, Math.floor(i / slots)));
    previous.set(slot, next);
    return next;
  });
}

/**
 * The same paced commands with NATS auth on: its own nats-server (operator, account, full resolver), the scheduler
 * with its credentials, the commands sent by an admin integration on berth.as.admin.bench.<command>.
 */
async function measureWithAuth(off: number[], slots: number, rows: Row[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-auth-'));
  const auth = NatsAuth.init(join(dir, 'keys'));
  const schedulerCreds = join(dir, 'scheduler.creds');
  writeFileSync(schedulerCreds, auth.issue({ kind: 'scheduler' }).creds, { mode: 0o600 });
  const benchCreds = auth.issue({ kind: 'integration', name: 'bench', role: ApiRole.ADMIN }).creds;
  const server = await startNatsServer({ auth });
  let nc: NatsConnection | undefined;
  const p = startSchedulerProcess(server, ['--nats-creds', schedulerCreds, '--snapshot-every', '1000'], 'info');
  startedProcesses.push(p);
  try {
    await p.waitForOutput(/serving as leader/, 60_000);
    nc = await connect({ servers: server.url, authenticator: credsAuthenticator(new TextEncoder().encode(benchCreds)), inboxPrefix: integrationInboxPrefix('bench') });
    const client = new SchedulerClient(nc, { identity: { name: 'bench', role: ApiRole.ADMIN } });
    const on = await pacedCommands(client, await setUpFleet(client, slots, 'bench'), slots);
    const within = (q: number) => percentile(on, q) <= percentile(off, q) * 1.1;
    rows.push({
      operation: `scheduler deploy/undeploy, ${RATE}/s paced, NATS auth on (integration credentials)`,
      n: on.length,
      p50: percentile(on, 50),
      p99: percentile(on, 99),
      target: 'p50, p99 <= 1.1 x auth off',
      met: within(50) && within(99),
    });
  } finally {
    await p.stop();
    await nc?.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  const responderNc = await connect({ servers: server.url });
  const store = await JetStreamEventStore.connect({ servers: server.url });
  const rows: Row[] = [];
  let scheduler: Scheduler | undefined;
  try {
    console.log(`nats-server ${server.version} (sync_interval: always); scheduler in its own process; ${IN_FLIGHT} in flight for the maximum`);
    // baseline: a trivial responder on its own connection, like the scheduler's
    const reply = JSON.stringify({ ok: true, result: { status: 'DEPLOYED', sequence: 1 } });
    responderNc.subscribe('bench.echo', { callback: (_e, m) => void m.respond(reply) });
    await responderNc.flush();
    const body = JSON.stringify({ actor: 'bench', job: 'bench-j0:1', host: 'bench-h0' });

    scheduler = await startScheduler(server, 1_000);
    const client = new SchedulerClient(nc, { actor: 'bench' });
    const slots = Math.max(IN_FLIGHT, 1);
    const jobIds = await setUpFleet(client, slots, 'bench');

    const raw = await paced(PACED_SECONDS, RATE, async () => void (await nc.request('bench.echo', body)));
    rows.push({ operation: `raw NATS request/reply, ${RATE}/s paced`, n: raw.length, p50: percentile(raw, 50), p99: percentile(raw, 99) });
    const send = toggle(client, 'bench', jobIds);
    const cmd = await pacedCommands(client, jobIds, slots);
    rows.push({
      operation: `scheduler deploy/undeploy, ${RATE}/s paced`,
      n: cmd.length,
      p50: percentile(cmd, 50),
      p99: percentile(cmd, 99),
      target: 'p50 < 5, p99 < 25',
      met: percentile(cmd, 50) < 5 && percentile(cmd, 99) < 25,
    });

    const rawMax = await closedLoop(MAX_SECONDS, IN_FLIGHT, async () => void (await nc.request('bench.echo', body)));
    rows.push({ operation: `raw NATS request/reply, max (${IN_FLIGHT} in flight)`, n: rawMax.n, perSecond: rawMax.perSecond });
    // each worker toggles its own job on its own host: no optimistic-concurrency retries
    // continue each host's deploy/undeploy alternation where the paced run left it
    const counters = Array.from({ length: slots }, (_, w) => Math.floor(PACED_SECONDS * RATE / slots) + (w < (PACED_SECONDS * RATE) % slots ? 1 : 0));
    const cmdMax = await closedLoop(MAX_SECONDS, IN_FLIGHT, async (w) => {
      const n = counters[w] ?? 0;
      counters[w] = n + 1;
      await send(w, n);
    });
    rows.push({ operation: `scheduler deploy/undeploy, max (${IN_FLIGHT} in flight)`, n: cmdMax.n, perSecond: cmdMax.perSecond });
    const queryMax = await closedLoop(MAX_SECONDS, IN_FLIGHT, async (w) =>
      expectOk(await client.request(SchedulerCommand.JOB_STATUS, { job: jobIds[w] as string })),
    );
    rows.push({ operation: `scheduler job-status query, max (${IN_FLIGHT} in flight)`, n: queryMax.n, perSecond: queryMax.perSecond });

    await measureWithAuth(cmd, slots, rows);
    scheduler = await measureRestart(server, nc, store, scheduler, rows);
    printRows(rows);
    printTargets(rows.flatMap((r) => (r.met === undefined ? [] : [{ label: r.operation, target: r.target ?? '', met: r.met }])));
  } finally {
    await Promise.all([scheduler?.process, ...startedProcesses].map((p) => p?.stop()));
    await store.close();
    await responderNc.close();
    await nc.close();
    await server.stop();
  }
}

function printRows(rows: readonly Row[]): void {
  const f = (v: number | undefined, digits: number) => (v === undefined ? '' : v.toFixed(digits));
  printTable(
    ['operation', 'n', 'p50 ms', 'p99 ms', 'per s', 'time ms', 'target'],
    rows.map((r) => [
      r.operation,
      String(r.n),
      f(r.p50, 2),
      f(r.p99, 2),
      r.perSecond === undefined ? '' : Math.round(r.perSecond).toLocaleString('en-US'),
      f(r.ms, 0),
      targetCell(r.target, r.met),
    ]),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
