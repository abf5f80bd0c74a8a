/*
 * Release benchmark: a multi-service release of 20 services with a
 * dependency DAG of depth 4 over 1,000 simulated hosts (each service on its
 * own 50-host deployment group), from `release-plan` to the plan's
 * completion, next to the baseline measured in the same run on the same
 * fleet: the same 20 rolling updates (same options: prestage, parallelism)
 * one after another, in dependency order, each waited for before the next.
 * The gain is what running independent services in parallel buys.
 *
 *   npm run bench -- release
 *
 * Env: BENCH_HOSTS (default 1000), BENCH_SERVICES (default 20; a multiple of
 * the depth), BENCH_DEPTH (default 4), BENCH_PARALLELISM (hosts per batch in
 * every group, default 10).
 *
 * The scheduler runs as its own process (the bundle npm start runs); the
 * agents are FakeAgents in this process (the real agent protocol: register,
 * heartbeat, desired state, task reports, PrepareImage answered PULLED).
 */
import { performance } from 'node:perf_hooks';
import { PipelineCommand, SchedulerCommand } from '@berth/contracts';
import { SchedulerClient } from '@berth/scheduler-client';
import { FakeAgents, startNatsServer, type NatsServer, type ServiceProcess } from '@berth/testing';
import { startSchedulerProcess } from '../lib/scheduler-process';
import { connect } from '@nats-io/transport-node';

const HOSTS = Number(process.env['BENCH_HOSTS'] ?? 1000);
const SERVICES = Number(process.env['BENCH_SERVICES'] ?? 20);
const DEPTH = Number(process.env['BENCH_DEPTH'] ?? 4);
const PARALLELISM = Number(process.env['BENCH_PARALLELISM'] ?? 10);
const REGISTER_IN_FLIGHT = 32;
const POLL_MS = 50;
const TIMEOUT_MS = 600_000;

interface Service {
  readonly name: string;
  readonly level: number;
  readonly dependsOn: readonly string[];
}

/** Levels of SERVICES / DEPTH services; each depends on one or two services of the level before. */
function dag(): Service[] {
  const perLevel = Math.ceil(SERVICES / DEPTH);
  return Array.from({ length: SERVICES }, (_, i) => {
    const level = Math.floor(i / perLevel);
    const previous = (k: number) => `svc${(level - 1) * perLevel + (k % perLevel)}`;
    const position = i % perLevel;
    const dependsOn = level === 0 ? [] : [...new Set([previous(position), previous(position + 1)])];
    return { name: `svc${i}`, level, dependsOn };
  });
}

async function until<T>(what: string, poll: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const value = await poll();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function groupDone(client: SchedulerClient, group: string): Promise<void> {
  await until(`group ${group}`, async () => {
    const status = await client.call<{ status: string; error?: string }>(SchedulerCommand.DEPLOYMENT_GROUP_STATUS, { name: group });
    if (status.status === 'FAILED') throw new Error(`group ${group} FAILED: ${status.error ?? ''}`);
    return status.status === 'DONE' ? true : undefined;
  });
}

async function setUp(client: SchedulerClient, agents: FakeAgents, services: readonly Service[]): Promise<void> {
  const perGroup = Math.floor(HOSTS / services.length);
  const hosts = Array.from({ length: HOSTS }, (_, i) => ({ host: `dc-host${i + 1}`, group: `dc.svc${Math.min(Math.floor(i / perGroup), services.length - 1)}` }));
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: REGISTER_IN_FLIGHT }, async () => {
      for (let i = next++; i < hosts.length; i = next++) await agents.register(hosts[i]?.host ?? '', { group: hosts[i]?.group ?? '' });
    }),
  );
  console.log(`${HOSTS.toLocaleString('en-US')} hosts registered in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const s of services) {
    for (const version of ['1', '2', '3']) await client.call(SchedulerCommand.CREATE_JOB, { job: { id: `${s.name}:${version}`, image: `local/${s.name}:${version}` } });
    await client.call(SchedulerCommand.CREATE_DEPLOYMENT_GROUP, { name: `dc.${s.name}`, selectors: [`group=dc.${s.name}`], defaults: { parallelism: PARALLELISM, prestage: true } });
  }
  // v1 everywhere, all groups at once (setup, not measured)
  for (const s of services) await client.call(SchedulerCommand.ROLLING_UPDATE, { group: `dc.${s.name}`, job: `${s.name}:1` });
  for (const s of services) await groupDone(client, `dc.${s.name}`);
}

/** The baseline: each service's rolling update to v2, one after another in dependency order. */
async function sequentialRollouts(client: SchedulerClient, services: readonly Service[]): Promise<{ totalMs: number; perService: number[] }> {
  const perService: number[] = [];
  for (const s of [...services].sort((a, b) => a.level - b.level)) {
    const started = performance.now();
    await client.call(SchedulerCommand.ROLLING_UPDATE, { group: `dc.${s.name}`, job: `${s.name}:2` });
    await groupDone(client, `dc.${s.name}`);
    perService.push(performance.now() - started);
  }
  return { totalMs: perService.reduce((a, b) => a + b, 0), perService };
}

/** The same services to v3 as one release plan with the DAG. */
async function releasePlan(client: SchedulerClient, services: readonly Service[]): Promise<number> {
  const source = JSON.stringify({ services: services.map((s) => ({ service: s.name, job: '3', group: `dc.${s.name}`, dependsOn: s.dependsOn })) });
  const started = performance.now();
  const { planId } = await client.call<{ planId: string }>(PipelineCommand.START_RELEASE_PLAN, { source }, { timeoutMs: 30_000 });
  await until('release plan', async () => {
    const { plan } = await client.call<{ plan: { status: string; error?: string } }>(PipelineCommand.INSPECT_RELEASE_PLAN, { id: planId });
    if (plan.status === 'failed' || plan.status === 'abandoned') throw new Error(`release plan ${plan.status}: ${plan.error ?? ''}`);
    return plan.status === 'complete' ? true : undefined;
  });
  return performance.now() - started;
}

async function waitForScheduler(client: SchedulerClient): Promise<void> {
  await until('scheduler', async () => ((await client.request(SchedulerCommand.LIST_JOBS, {}, { timeoutMs: 1_000 })).ok ? true : undefined));
}

async function main(): Promise<void> {
  const server: NatsServer = await startNatsServer();
  const nc = await connect({ servers: server.url });
  const agentsNc = await connect({ servers: server.url, name: 'simulated-agents' });
  let scheduler: ServiceProcess | undefined;
  let agents: FakeAgents | undefined;
  try {
    scheduler = startSchedulerProcess(server, ['--host-down-after', '120'], 'warn');
    const client = new SchedulerClient(nc, { actor: 'bench' });
    await waitForScheduler(client);
    console.log(`nats-server ${server.version} (sync_interval: always); scheduler in its own process; ${HOSTS} FakeAgents in this one`);
    agents = new FakeAgents(agentsNc);
    const services = dag();
    await setUp(client, agents, services);
    const baseline = await sequentialRollouts(client, services);
    const planMs = await releasePlan(client, services);
    const hostsPerGroup = Math.floor(HOSTS / SERVICES);
    const rows = [
      [`${SERVICES} rolling updates one after another (baseline)`, `${SERVICES} × ${hostsPerGroup}`, String(DEPTH), baseline.totalMs.toFixed(0), '1.00×'],
      ['release plan, DAG in parallel', `${SERVICES} × ${hostsPerGroup}`, String(DEPTH), planMs.toFixed(0), `${(baseline.totalMs / planMs).toFixed(2)}×`],
    ];
    const header = ['operation', 'services × hosts', 'DAG depth', 'time ms', 'speed-up'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const fmt = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
    console.log(`\n${fmt(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
    for (const row of rows) console.log(fmt(row));
    const sorted = [...baseline.perService].sort((a, b) => a - b);
    console.log(`\none rolling update of ${hostsPerGroup} hosts at parallelism ${PARALLELISM} with prestage: median ${(sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(0)} ms`);
  } finally {
    agents?.stop();
    await scheduler?.stop();
    await agentsNc.close();
    await nc.close();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
