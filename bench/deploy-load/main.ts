/*
 * Deploys under live agents (issue 20).
 *
 *   npm run bench -- deploy-load
 *
 * The scheduler and the gateway run as their own processes (their bundles, as
 * `npm start` runs them). BENCH_CLIENTS (default 16) GraphQL clients send
 * deploy / undeploy mutations for BENCH_DURATION seconds (default 10), each
 * client toggling its own (job, host) pairs so that no two clients touch the
 * same deployment: BENCH_JOBS (default 8) jobs on BENCH_HOSTS (default 20)
 * hosts. Twice, in the same run:
 *   - the baseline: hosts registered with no agent behind them;
 *   - live agents: simulated agents (FakeAgents, in this process) that answer
 *     every desired-state change with a status report and heartbeat every 500 ms.
 * Reported: mutations/s, p50/p99 latency, refusals by error code, and the
 * gateway's and scheduler's RSS before and after. BENCH_SCHEDULER_NODE_ARGS /
 * BENCH_GATEWAY_NODE_ARGS pass node flags (e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof').
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SchedulerCommand } from '@berth/contracts';
import { SchedulerClient } from '@berth/scheduler-client';
import { FakeAgents, startNatsServer } from '@berth/testing';
import { connect } from '@nats-io/transport-node';
import { startGatewayProcess } from '../lib/gateway-process';
import { percentile, rssMb } from '../lib/measure';
import { startSchedulerProcess, waitForScheduler } from '../lib/scheduler-process';
import { printTable, printTargets } from '../lib/table';

const TOKEN = 'bench-admin-token-deploy-load-0123';
const CLIENTS = Number(process.env['BENCH_CLIENTS'] ?? 16);
const SECONDS = Number(process.env['BENCH_DURATION'] ?? 10);
const JOBS = Number(process.env['BENCH_JOBS'] ?? 8);
const HOSTS = Number(process.env['BENCH_HOSTS'] ?? 20);

interface Phase {
  readonly name: string;
  readonly n: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly refusals: ReadonlyMap<string, number>;
}

async function gql(url: string, query: string, variables: Record<string, unknown> = {}): Promise<{ data?: unknown; errors?: { extensions?: { code?: string } }[] }> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
}

const DEPLOY = 'mutation($job: String!, $host: String!) { deploy(job: $job, host: $host) { sequence } }';
const UNDEPLOY = 'mutation($job: String!, $host: String!) { undeploy(job: $job, host: $host) { sequence } }';

/** CLIENTS closed loops for SECONDS, each toggling its own (job, host) pairs. */
async function phase(name: string, url: string, jobs: readonly string[], hosts: readonly string[]): Promise<Phase> {
  const pairs = hosts.flatMap((host) => jobs.map((job) => ({ job, host, deployed: false })));
  const latencies: number[] = [];
  const refusals = new Map<string, number>();
  const started = performance.now();
  const end = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      const mine = pairs.filter((_, i) => i % CLIENTS === c);
      for (let k = 0; performance.now() < end && mine.length > 0; k++) {
        const pair = mine[k % mine.length] as (typeof pairs)[number];
        const t = performance.now();
        const answer = await gql(url, pair.deployed ? UNDEPLOY : DEPLOY, { job: pair.job, host: pair.host });
        latencies.push(performance.now() - t);
        const code = answer.errors?.[0]?.extensions?.code;
        if (code === undefined) pair.deployed = !pair.deployed;
        else refusals.set(code, (refusals.get(code) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { name, n: latencies.length, perSecond: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), refusals };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-deploy-load-'));
  const tokens = join(dir, 'tokens.json');
  writeFileSync(tokens, JSON.stringify([{ subject: 'bench', role: 'admin', token: TOKEN }]));
  const nats = await startNatsServer();
  const scheduler = startSchedulerProcess(nats, [], 'warn');
  const gateway = startGatewayProcess(['--nats', nats.url, '--port', '0', '--tokens-file', tokens]);
  const nc = await connect({ servers: nats.url });
  const agents = new FakeAgents(nc);
  try {
    const client = new SchedulerClient(nc, { actor: 'bench', timeoutMs: 30_000 });
    await waitForScheduler(client, scheduler);
    const url = (JSON.parse(await gateway.waitForOutput(/gateway serving/, 60_000)) as { url: string }).url;
    console.log(`nats-server ${nats.version} (sync_interval: always); scheduler and gateway bundles in their own processes; ${CLIENTS} GraphQL clients, ${JOBS} jobs x ${HOSTS} hosts, ${SECONDS} s a phase`);
    const jobs: string[] = [];
    for (let j = 0; j < JOBS; j++) jobs.push((await client.call<{ jobId: string }>(SchedulerCommand.CREATE_JOB, { job: { id: `load-${j}:1`, image: 'local/busybox:1' } })).jobId);
    const quiet = Array.from({ length: HOSTS }, (_, i) => `quiet-${i + 1}`);
    for (const host of quiet) await client.call(SchedulerCommand.REGISTER_HOST, { host, agentId: `agent-${host}` });
    const live = Array.from({ length: HOSTS }, (_, i) => `live-${i + 1}`);
    for (const host of live) await agents.register(host, { role: 'load' });
    const rssBefore = { gateway: rssMb(gateway.pid), scheduler: rssMb(scheduler.pid) };

    const phases = [await phase('no agents (baseline)', url, jobs, quiet), await phase('live agents reporting', url, jobs, live)];
    const rssAfter = { gateway: rssMb(gateway.pid), scheduler: rssMb(scheduler.pid) };
    const baseline = phases[0] as Phase;
    printTable(
      ['deploy/undeploy mutations through GraphQL', 'n', 'per s', 'vs baseline', 'p50 ms', 'p99 ms', 'refused'],
      phases.map((p) => [
        p.name,
        String(p.n),
        p.perSecond.toFixed(0),
        p === baseline ? 'baseline' : `${Math.round((100 * p.perSecond) / baseline.perSecond)} %`,
        p.p50.toFixed(1),
        p.p99.toFixed(1),
        [...p.refusals].map(([code, n]) => `${code} ${n}`).join(', ') || '0',
      ]),
    );
    console.log(`\nRSS MB: gateway ${rssBefore.gateway.toFixed(0)} → ${rssAfter.gateway.toFixed(0)}, scheduler ${rssBefore.scheduler.toFixed(0)} → ${rssAfter.scheduler.toFixed(0)}`);
    const withAgents = phases[1] as Phase;
    printTargets([
      { label: 'live agents: mutations/s', target: '>= 500/s', met: withAgents.perSecond >= 500 },
      { label: 'live agents: p99', target: '< 100 ms', met: withAgents.p99 < 100 },
    ]);
  } finally {
    agents.stop();
    await nc.close();
    await gateway.stop();
    await scheduler.stop();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
