/*
 * Gateway benchmark.
 *
 *   npm run bench -- gateway
 *
 * 1. Fan-out: BENCH_SUBSCRIBERS (default 1,000) graphql-ws clients, spread
 *    over BENCH_SUBSCRIBER_PROCESSES (default 2) processes of their own
 *    (subscribers.ts), subscribe to a rollout's progress (rolloutProgress),
 *    the rollout (10 fake hosts, parallelism 1) is resumed, and every update
 *    at every client is matched with the moment the same rollout event was
 *    appended (a core NATS subscription to berth.evt.rollout.> in this
 *    process sees it as the server stores it), both on the machine's
 *    monotonic clock. Latency append → delivery: p50/p99/max; target p99 <
 *    100 ms. CPU time each process used during the fan-out (the clients
 *    share this machine's cores with the gateway). Twice, on the same
 *    connections: the first rollout after the gateway started (its code
 *    still cold), then the next one. Gateway RSS (VmRSS of the gateway
 *    process) before, with the subscribers, after.
 * 2. Reads: BENCH_JOBS (default 10,000) jobs created through the scheduler,
 *    then `jobs(first: 100)` queries/s over GraphQL (concurrency 4, 5 s),
 *    against two baselines measured in the same run: a trivial GraphQL query
 *    (`{ version }`, same HTTP + auth + Apollo path) and a raw NATS
 *    request/reply to a trivial responder.
 *
 * The scheduler and the gateway run as their own processes (as npm start
 * runs them); the fake agents and the counters run here.
 * BENCH_GATEWAY_NODE_ARGS / BENCH_SUBSCRIBER_NODE_ARGS pass node flags to
 * those processes (e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof').
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SchedulerCommand } from '@berth/contracts';
import { SchedulerClient } from '@berth/scheduler-client';
import { FakeAgents, startNatsServer } from '@berth/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { nodeArgsFromEnv } from '../lib/bundled-process';
import { startGatewayProcess } from '../lib/gateway-process';
import { graphqlClient } from '../lib/graphql';
import { startSchedulerProcess, waitForScheduler } from '../lib/scheduler-process';
import { cpuMsOf, percentile, rssMb } from '../lib/measure';
import { printTable, printTargets } from '../lib/table';
import { monotonicMs, type ParentMessage, type SubscriberMessage } from './subscribers';

const SUBSCRIBERS = Number(process.env['BENCH_SUBSCRIBERS'] ?? 1000);
const SUBSCRIBER_PROCESSES = Number(process.env['BENCH_SUBSCRIBER_PROCESSES'] ?? 2);
const JOBS = Number(process.env['BENCH_JOBS'] ?? 10_000);
const HOSTS = Array.from({ length: 10 }, (_, i) => `gw-bench-${i + 1}`);
const TOKEN = 'bench-admin-token-0123456789';
const QUERY_SECONDS = 5;
/** node flags for the subscriber processes, likewise */
const SUBSCRIBER_NODE_ARGS = nodeArgsFromEnv('BENCH_SUBSCRIBER_NODE_ARGS');

const gql = graphqlClient(TOKEN);

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

/** One process of BENCH_SUBSCRIBER_PROCESSES holding a share of the subscribers' connections (bench/gateway/subscribers.ts). */
interface Subscribers {
  /** every client subscribes to the rollout; resolves once each has its current state, with the moment each has seen it SUCCEEDED */
  follow(rolloutId: string): Promise<{ readonly done: Promise<void> }>;
  /** what the clients received of the rollout followed last (its subscriptions end) */
  report(): Promise<Extract<SubscriberMessage, { type: 'report' }>>;
  stop(): Promise<void>;
}

function forkSubscribers(url: string, count: number): Subscribers {
  const child = fork(join(__dirname, 'subscribers.ts'), [url, TOKEN, String(count)], { execArgv: [...SUBSCRIBER_NODE_ARGS, '-r', join(__dirname, '../../tools/register.cjs')] });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`subscriber process ${child.pid} exited with ${code}`))));
  exited.catch(() => undefined);
  const message = <K extends SubscriberMessage['type']>(type: K) => {
    const answer = Promise.race([
      exited,
      new Promise<Extract<SubscriberMessage, { type: K }>>((resolve) => {
        const on = (m: SubscriberMessage) => {
          if (m.type !== type) return;
          child.off('message', on);
          resolve(m as Extract<SubscriberMessage, { type: K }>);
        };
        child.on('message', on);
      }),
    ]);
    answer.catch(() => undefined);
    return answer;
  };
  const ask = <K extends SubscriberMessage['type']>(request: ParentMessage, type: K) => {
    const answer = message(type);
    child.send(request);
    return answer;
  };
  return {
    follow: async (rolloutId) => {
      const done = message('done').then(() => undefined);
      await ask({ type: 'subscribe', rolloutId }, 'ready');
      return { done };
    },
    report: () => ask({ type: 'report' }, 'report'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' } satisfies ParentMessage);
      await gone;
    },
  };
}

interface FanOut {
  /** append → delivery, every client, sorted */
  readonly latencies: readonly number[];
  readonly events: number;
  readonly appendSpanMs: number;
  readonly deliverySpanMs: number;
  /** CPU time used during the fan-out, per process */
  readonly cpu: Readonly<Record<'gateway' | 'scheduler' | 'nats' | 'bench' | 'subscribers', number>>;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-gateway-'));
  const tokens = join(dir, 'tokens.json');
  writeFileSync(tokens, JSON.stringify([{ subject: 'bench', role: 'admin', token: TOKEN }]));
  const nats = await startNatsServer();
  const scheduler = startSchedulerProcess(nats, [], 'warn');
  const gateway = startGatewayProcess(['--nats', nats.url, '--port', '0', '--tokens-file', tokens]);
  const nc: NatsConnection = await connect({ servers: nats.url });
  const agents = new FakeAgents(nc);
  const subscriberProcesses: Subscribers[] = [];
  try {
    const schedulerClient = new SchedulerClient(nc, { actor: 'bench', timeoutMs: 30_000 });
    await waitForScheduler(schedulerClient, scheduler);
    const url = (JSON.parse(await gateway.waitForOutput(/gateway serving/, 60_000)) as { url: string }).url;
    for (const host of HOSTS) await agents.register(host, { role: 'gw-bench' });
    const rssIdle = Math.round(rssMb(gateway.pid));

    // --- 1. fan-out of rollouts' progress: the first after the gateway started, then another on the same connections
    await gql(url, 'mutation { createDeploymentGroup(name: "gw-bench", selectors: ["role=gw-bench"]) { sequence } }');
    const shares = Array.from({ length: SUBSCRIBER_PROCESSES }, (_, i) => Math.floor(SUBSCRIBERS / SUBSCRIBER_PROCESSES) + (i < SUBSCRIBERS % SUBSCRIBER_PROCESSES ? 1 : 0)).filter((n) => n > 0);
    for (const count of shares) subscriberProcesses.push(forkSubscribers(url, count));

    /** A paused 10-host rolling update to `job`, followed by every subscriber, resumed and measured until every client saw it SUCCEEDED. */
    const measureRollout = async (job: string): Promise<FanOut> => {
      await gql(url, 'mutation($job: JSON!) { createJob(job: $job) { sequence } }', { job: { id: job, image: 'local/busybox:1', command: ['sleep', '300'] } });
      const started = await gql<{ rollingUpdate: { rolloutId: string } }>(url, `mutation { rollingUpdate(group: "gw-bench", job: "${job}", options: { parallelism: 1 }) { rolloutId } }`);
      const rolloutId = started.rollingUpdate.rolloutId;
      await gql(url, `mutation { pause(rollout: "${rolloutId}") { sequence } }`);
      const following = await Promise.all(subscriberProcesses.map((p) => p.follow(rolloutId)));

      const appended = new Map<string, number[]>();
      const core = nc.subscribe(`berth.evt.rollout.${rolloutId}`, {
        callback: (_err, msg) => {
          // one message per append, holding all its events
          const at = monotonicMs();
          for (const { type } of (msg.json() as { events: { type: string }[] }).events) appended.set(type, [...(appended.get(type) ?? []), at]);
        },
      });
      await nc.flush();
      const cpuBefore = { gateway: cpuMsOf(gateway.pid), scheduler: cpuMsOf(scheduler.pid), nats: cpuMsOf(nats.pid), bench: process.cpuUsage() };
      await gql(url, `mutation { resume(rollout: "${rolloutId}") { sequence } }`);
      await Promise.race([Promise.all(following.map((f) => f.done)), new Promise((_, reject) => setTimeout(() => reject(new Error('every subscriber saw the rollout finish: not within 120 s')), 120_000).unref())]);
      core.unsubscribe();
      const benchCpu = process.cpuUsage(cpuBefore.bench);
      const reports = await Promise.all(subscriberProcesses.map((p) => p.report()));
      const cpu = {
        gateway: cpuMsOf(gateway.pid) - cpuBefore.gateway,
        scheduler: cpuMsOf(scheduler.pid) - cpuBefore.scheduler,
        nats: cpuMsOf(nats.pid) - cpuBefore.nats,
        bench: (benchCpu.user + benchCpu.system) / 1000,
        subscribers: reports.reduce((ms, r) => ms + r.cpuMs, 0),
      };

      const latencies: number[] = [];
      const appendTimes = [...appended.values()].flat();
      const firstAppend = Math.min(...appendTimes);
      let lastDelivery = 0;
      for (const [p, report] of reports.entries()) {
        const seen = new Map<string, number>();
        for (const [client, event, at] of report.deliveries) {
          const key = `${p}/${client}/${event}`;
          const k = seen.get(key) ?? 0;
          seen.set(key, k + 1);
          const t = appended.get(event)?.[k];
          if (t !== undefined) latencies.push(at - t);
          lastDelivery = Math.max(lastDelivery, at);
        }
      }
      latencies.sort((a, b) => a - b);
      return { latencies, events: appendTimes.length, appendSpanMs: Math.max(...appendTimes) - firstAppend, deliverySpanMs: lastDelivery - firstAppend, cpu };
    };
    const cold = await measureRollout('gw-bench:1');
    const rssSubscribed = Math.round(rssMb(gateway.pid));
    const warm = await measureRollout('gw-bench:2');
    await Promise.all(subscriberProcesses.map((p) => p.stop()));
    subscriberProcesses.length = 0;
    const rssAfterFanOut = Math.round(rssMb(gateway.pid));

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
    const rssJobs = Math.round(rssMb(gateway.pid));
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

    const fmt = (n: number) => n.toFixed(1);
    const both = (label: string, f: (r: FanOut) => string, note = ''): string[] => [label, f(cold), f(warm), note];
    const p99 = (r: FanOut) => percentile(r.latencies, 99);
    printTable(
      [`rolloutProgress, ${SUBSCRIBERS} subscribers`, 'first rollout', 'next rollout', 'note'],
      [
        both('rollout events', (r) => String(r.events), '10 hosts, parallelism 1'),
        both('appended over (ms)', (r) => fmt(r.appendSpanMs)),
        both('deliveries measured', (r) => String(r.latencies.length), `every client, ${shares.length} client processes`),
        both('latency p50 (ms)', (r) => fmt(percentile(r.latencies, 50)), 'append → delivery'),
        both('latency p99 (ms)', (r) => fmt(p99(r)), 'target < 100'),
        both('latency max (ms)', (r) => fmt(r.latencies[r.latencies.length - 1] ?? NaN)),
        both('first append → last delivery (ms)', (r) => fmt(r.deliverySpanMs)),
        both('CPU, gateway (ms)', (r) => String(r.cpu.gateway)),
        both('CPU, client processes (ms)', (r) => fmt(r.cpu.subscribers), 'on the same 2 cores'),
        both('CPU, scheduler + nats-server + bench (ms)', (r) => fmt(r.cpu.scheduler + r.cpu.nats + r.cpu.bench)),
        both('gateway CPU per delivery (µs)', (r) => fmt((1000 * r.cpu.gateway) / Math.max(1, r.latencies.length)), 'one update to one subscriber'),
      ],
    );
    printTable(
      ['measure', 'value', 'note'],
      [
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
    printTargets([
      { label: `rolloutProgress p99 over ${SUBSCRIBERS} subscribers, first rollout after the gateway started`, target: `p99 < 100 ms (was ${fmt(p99(cold))} ms)`, met: p99(cold) < 100 },
      { label: `rolloutProgress p99 over ${SUBSCRIBERS} subscribers, next rollout`, target: `p99 < 100 ms (was ${fmt(p99(warm))} ms)`, met: p99(warm) < 100 },
    ]);
  } finally {
    await Promise.all(subscriberProcesses.map((p) => p.stop()));
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
