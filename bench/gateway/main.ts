/*
 * Gateway benchmark.
 *
 *   npm run bench -- gateway
 *
 * 1. Fan-out: BENCH_SUBSCRIBERS (default 1,000) graphql-ws clients subscribe
 *    to one rollout's progress (rolloutProgress), the rollout (10 fake hosts,
 *    parallelism 1) is resumed, and every update at every client is matched
 *    with the moment the same rollout event was appended (a core NATS
 *    subscription to berth.evt.rollout.> in this process sees it as the
 *    server stores it). Latency append → delivery: p50/p99/max; target p99 <
 *    100 ms. Gateway RSS (VmRSS of the gateway process) before, with the
 *    subscribers, after.
 * 2. Reads: BENCH_JOBS (default 10,000) jobs created through the scheduler,
 *    then `jobs(first: 100)` queries/s over GraphQL (concurrency 4, 5 s),
 *    against two baselines measured in the same run: a trivial GraphQL query
 *    (`{ version }`, same HTTP + auth + Apollo path) and a raw NATS
 *    request/reply to a trivial responder.
 *
 * The scheduler and the gateway run as their own processes (as npm start
 * runs them); the fake agents, the clients and the counters run here.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SchedulerCommand } from '@berth/contracts';
import { SchedulerClient } from '@berth/scheduler-client';
import { FakeAgents, startNatsServer, startService } from '@berth/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startSchedulerProcess, waitForScheduler } from '../lib/scheduler-process';
import { printTable, printTargets } from '../lib/table';

const SUBSCRIBERS = Number(process.env['BENCH_SUBSCRIBERS'] ?? 1000);
const JOBS = Number(process.env['BENCH_JOBS'] ?? 10_000);
const HOSTS = Array.from({ length: 10 }, (_, i) => `gw-bench-${i + 1}`);
const TOKEN = 'bench-admin-token-0123456789';
const QUERY_SECONDS = 5;

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:')) ?? 'VmRSS: 0 kB';
  return Math.round(Number(line.replace(/\D+/g, '')) / 1024);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ query, variables }) });
  const answer = (await res.json()) as { data?: T; errors?: unknown[] };
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  return answer.data as T;
}

/** Runs `op` with `concurrency` loops for `seconds`; operations per second. */
async function throughput(seconds: number, concurrency: number, op: () => Promise<unknown>): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      await op();
      done++;
    }
  }));
  return done / seconds;
}

interface Update {
  readonly event: string | null;
  readonly status: string;
}

/** One subscriber: the local receive time of every update. */
function subscribe(url: string, rolloutId: string): { client: Client; updates: { update: Update; at: number }[]; first: Promise<void> } {
  const client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${TOKEN}` } });
  const updates: { update: Update; at: number }[] = [];
  const first = new Promise<void>((resolve, reject) => {
    client.subscribe<{ rolloutProgress: { event: string | null; rollout: { status: string } } }>(
      { query: 'subscription($id: String!) { rolloutProgress(rolloutId: $id) { event rollout { status } } }', variables: { id: rolloutId } },
      {
        next: (msg) => {
          const p = msg.data?.rolloutProgress;
          if (p) updates.push({ update: { event: p.event, status: p.rollout.status }, at: performance.now() });
          resolve();
        },
        error: reject,
        complete: () => undefined,
      },
    );
  });
  return { client, updates, first };
}

async function waitUntil(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-gateway-'));
  const tokens = join(dir, 'tokens.json');
  writeFileSync(tokens, JSON.stringify([{ subject: 'bench', role: 'admin', token: TOKEN }]));
  const nats = await startNatsServer();
  const scheduler = startSchedulerProcess(nats, [], 'warn');
  const gateway = startService('gateway', 'apps/gateway/src/main.ts', ['--nats', nats.url, '--port', '0', '--tokens-file', tokens]);
  const nc: NatsConnection = await connect({ servers: nats.url });
  const agents = new FakeAgents(nc);
  const clients: Client[] = [];
  try {
    const schedulerClient = new SchedulerClient(nc, { actor: 'bench', timeoutMs: 30_000 });
    await waitForScheduler(schedulerClient, scheduler);
    const url = (JSON.parse(await gateway.waitForOutput(/gateway serving/, 60_000)) as { url: string }).url;
    for (const host of HOSTS) await agents.register(host, { role: 'gw-bench' });
    const rssIdle = rssMb(gateway.pid);

    // --- 1. fan-out of one rollout's progress
    await gql(url, 'mutation($job: JSON!) { createJob(job: $job) { sequence } }', { job: { id: 'gw-bench:1', image: 'local/busybox:1', command: ['sleep', '300'] } });
    await gql(url, 'mutation { createDeploymentGroup(name: "gw-bench", selectors: ["role=gw-bench"]) { sequence } }');
    const started = await gql<{ rollingUpdate: { rolloutId: string } }>(url, 'mutation { rollingUpdate(group: "gw-bench", job: "gw-bench:1", options: { parallelism: 1 }) { rolloutId } }');
    const rolloutId = started.rollingUpdate.rolloutId;
    await gql(url, `mutation { pause(rollout: "${rolloutId}") { sequence } }`);

    const subs: ReturnType<typeof subscribe>[] = [];
    for (let i = 0; i < SUBSCRIBERS; i += 50) {
      const batch = Array.from({ length: Math.min(50, SUBSCRIBERS - i) }, () => subscribe(url, rolloutId));
      subs.push(...batch);
      clients.push(...batch.map((s) => s.client));
      await Promise.all(batch.map((s) => s.first));
    }
    const rssSubscribed = rssMb(gateway.pid);

    const appended = new Map<string, number[]>();
    const core = nc.subscribe('berth.evt.rollout.>', {
      callback: (_err, msg) => {
        // one message per append, holding all its events
        const at = performance.now();
        for (const { type } of (msg.json() as { events: { type: string }[] }).events) appended.set(type, [...(appended.get(type) ?? []), at]);
      },
    });
    for (const s of subs) s.updates.length = 0;
    await gql(url, `mutation { resume(rollout: "${rolloutId}") { sequence } }`);
    await waitUntil('every subscriber saw the rollout finish', () => subs.every((s) => s.updates.some((u) => u.update.status === 'SUCCEEDED')), 120_000);
    core.unsubscribe();

    const latencies: number[] = [];
    for (const s of subs) {
      const seen = new Map<string, number>();
      for (const { update, at } of s.updates) {
        if (update.event === null) continue;
        const k = seen.get(update.event) ?? 0;
        seen.set(update.event, k + 1);
        const t = appended.get(update.event)?.[k];
        if (t !== undefined) latencies.push(at - t);
      }
    }
    latencies.sort((a, b) => a - b);
    const events = [...appended.values()].reduce((n, ts) => n + ts.length, 0);
    await Promise.all(clients.map((c) => c.dispose()));
    clients.length = 0;
    const rssAfterFanOut = rssMb(gateway.pid);

    // --- 2. jobs query throughput with JOBS jobs
    let next = 0;
    let lastSequence = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      for (let i = next++; i < JOBS; i = next++) {
        const r = await schedulerClient.call<{ sequence: number }>(SchedulerCommand.CREATE_JOB, { job: { id: `load-${String(i).padStart(5, '0')}:1`, image: 'local/busybox:1' } });
        lastSequence = Math.max(lastSequence, r.sequence);
      }
    }));
    const total = await gql<{ jobs: { totalCount: number } }>(url, 'query($s: Int) { jobs(first: 1, atLeastSequence: $s) { totalCount } }', { s: lastSequence });
    const rssJobs = rssMb(gateway.pid);
    const page = () => gql(url, '{ jobs(first: 100) { items { id name version } nextCursor } }');
    const trivial = () => gql(url, '{ version }');
    nc.subscribe('bench.echo', {
      callback: (_err, msg) => {
        msg.respond('{}');
      },
    });
    const raw = () => nc.request('bench.echo', '{}', { timeout: 5_000 });
    const jobsQps = await throughput(QUERY_SECONDS, 4, page);
    const trivialQps = await throughput(QUERY_SECONDS, 4, trivial);
    const rawQps = await throughput(QUERY_SECONDS, 4, raw);

    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const fmt = (n: number) => n.toFixed(1);
    printTable(
      ['measure', 'value', 'note'],
      [
        ['rolloutProgress subscribers', String(subs.length), `rollout events after resume: ${events}`],
        ['deliveries measured', String(latencies.length), 'append → delivery, every client'],
        ['latency p50 (ms)', fmt(p50), ''],
        ['latency p99 (ms)', fmt(p99), 'target < 100'],
        ['latency max (ms)', fmt(latencies[latencies.length - 1] ?? NaN), ''],
        ['gateway RSS idle (MB)', String(rssIdle), ''],
        ['gateway RSS with subscribers (MB)', String(rssSubscribed), `${SUBSCRIBERS} graphql-ws connections`],
        ['gateway RSS after fan-out (MB)', String(rssAfterFanOut), 'clients closed'],
        [`gateway RSS with ${total.jobs.totalCount} jobs (MB)`, String(rssJobs), ''],
        [`jobs(first: 100) q/s, ${total.jobs.totalCount} jobs`, fmt(jobsQps), 'GraphQL over HTTP, concurrency 4'],
        ['baseline: { version } q/s', fmt(trivialQps), 'same HTTP + auth + Apollo path'],
        ['baseline: raw NATS request/reply /s', fmt(rawQps), 'trivial responder'],
        ['jobs page vs trivial query', `${fmt((100 * jobsQps) / trivialQps)} %`, ''],
      ],
    );
    printTargets([{ label: `rolloutProgress p99 over ${subs.length} subscribers`, target: `p99 < 100 ms (was ${fmt(p99)} ms)`, met: p99 < 100 }]);
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    agents.stop();
    await gateway.stop();
    await scheduler.stop();
    await nc.drain();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
