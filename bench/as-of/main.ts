/*
 * What-ran-where-at-T benchmark: the gateway's `deploymentsAsOf` (and
 * `jobAsOf` / `hostAsOf` with their deployments), which replay the jobs,
 * hosts and deployments up to T into a fresh projection, against the live
 * `jobs` query (`berth status`) over the same state as the baseline.
 *
 *   npm run bench -- as-of
 *
 * BENCH_AS_OF_HOSTS hosts (default 1,000) get BENCH_AS_OF_ROLLOUTS versions
 * of one job in turn (default 10), as rolling updates leave them: per host and
 * version the old job's JobUndeployed and the new one's JobDeployed in one
 * append, then its task states CREATING, STARTING, RUNNING, then the old
 * task's STOPPING and STOPPED (~7 events per host and version: 70,000 by
 * default), in a real nats-server; a gateway process (its bundle) follows
 * the stream. Median of 10 GraphQL calls each, as of the end and as of the
 * middle of the history.
 * Target: deploymentsAsOf of 1,000 hosts over 70,000 events < 2 s.
 *
 * Measured here (2 shared cores, other test runs going): live jobs 110 ms;
 * deploymentsAsOf 1,697 ms as of the end (68,010 events replayed), 546 ms as
 * of the middle; jobAsOf 630 ms; hostAsOf 20 ms (one host's events). The
 * replay costs ~25 µs an event: a gateway that kept snapshots of the status
 * projection every N events would bound it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '@berth/contracts';
import { minimalJob } from '@berth/domain';
import { JetStreamEventStore } from '@berth/event-store';
import { startNatsServer, type NatsServer } from '@berth/testing';
import { startGatewayProcess } from '../lib/gateway-process';
import { graphqlClient, medianTimeMs } from '../lib/graphql';
import { printTable, printTargets, targetCell } from '../lib/table';

const HOSTS = Number(process.env['BENCH_AS_OF_HOSTS'] ?? 1_000);
const ROLLOUTS = Number(process.env['BENCH_AS_OF_ROLLOUTS'] ?? 10);
const RUNS = 10;
const TOKEN = 'bench-as-of-token-0123456789';
const START = Date.parse('2026-01-01T00:00:00Z');

let counter = 0;
/** Events of one version, decided one millisecond apart in stream order: times follow the history. */
function event(type: string, data: Record<string, unknown>): NewEvent {
  counter++;
  const time = new Date(START + counter).toISOString();
  return { id: `as-of-${counter}`, type, schemaVersion: 1, time, actor: 'bench', correlationId: `c-${counter}`, causationId: `c-${counter}`, data: { ...data, time } };
}

const jobId = (version: number): string => `bench-app:${version}:${version.toString(16).padStart(40, '0')}`;
const hostName = (i: number): string => `host-${i}`;

function task(host: string, job: string, state: string, goal = 'START'): NewEvent {
  const status = { jobId: job, goal, state, throttled: 'NO', ports: {}, containerId: `${host}-${job.slice(-4)}`, time: new Date(START + counter + 1).toISOString() };
  return event('TaskStatusChanged', { host, jobId: job, status });
}

/** The history; the time of the middle version's last event. */
async function fill(nats: NatsServer): Promise<{ middle: string; events: number }> {
  const store = await JetStreamEventStore.connect({ servers: nats.url });
  let events = 0;
  let middle = '';
  const append = async (aggregate: string, id: string, batch: NewEvent[]): Promise<void> => {
    await store.append(aggregate, id, 'any', batch);
    events += batch.length;
  };
  try {
    for (let v = 1; v <= ROLLOUTS; v++) await append('job', jobId(v), [event('JobCreated', { job: { ...minimalJob(jobId(v), 'local/busybox:1'), created: START, creatingUser: 'bench' } })]);
    for (let i = 0; i < HOSTS; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, HOSTS - i) }, (_, k) =>
          append('host', hostName(i + k), [event('HostRegistered', { host: hostName(i + k), agentId: `agent-${i + k}`, labels: { role: 'web', rack: String((i + k) % 10) }, info: {} })]),
        ),
      );
    }
    for (let v = 1; v <= ROLLOUTS; v++) {
      for (let i = 0; i < HOSTS; i += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, HOSTS - i) }, async (_, k) => {
            const host = hostName(i + k);
            const switched = [
              ...(v > 1 ? [event('JobUndeployed', { host, jobId: jobId(v - 1) })] : []),
              event('JobDeployed', { host, jobId: jobId(v), goal: 'START', ports: {}, protocols: {}, deploymentGroupName: 'web', token: '' }),
            ];
            await append('deployment', host, switched);
            for (const state of ['CREATING', 'STARTING', 'RUNNING']) await append('deployment', host, [task(host, jobId(v), state)]);
            if (v > 1) for (const state of ['STOPPING', 'STOPPED']) await append('deployment', host, [task(host, jobId(v - 1), state, 'UNDEPLOY')]);
          }),
        );
      }
      if (v === Math.ceil(ROLLOUTS / 2)) middle = new Date(START + counter).toISOString();
      process.stdout.write(`\rversion ${v}/${ROLLOUTS}: ${events.toLocaleString('en')} events`);
    }
    console.log('');
    return { middle, events };
  } finally {
    await store.close();
  }
}

const gql = graphqlClient(TOKEN);
const timeMs = (run: () => Promise<unknown>): Promise<number> => medianTimeMs(RUNS, run);

const ROWS = 'host jobId goal state status { state time }';

async function main(): Promise<void> {
  const nats = await startNatsServer();
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-as-of-'));
  try {
    const tokens = join(dir, 'tokens.json');
    writeFileSync(tokens, JSON.stringify([{ subject: 'bench', role: 'admin', token: TOKEN }]));
    const { middle, events } = await fill(nats);
    const gateway = startGatewayProcess(['--nats', nats.url, '--port', '0', '--tokens-file', tokens], { LOG_LEVEL: 'info' });
    try {
      const url = (JSON.parse(await gateway.waitForOutput(/gateway serving/, 600_000)) as { url: string }).url;
      const end = new Date(START + counter + 1000).toISOString();
      type Live = { jobs: { items: { deployments: unknown[] }[] } };
      type AsOf = { deploymentsAsOf: { deployments: unknown[] } };
      const live = await gql<Live>(url, `{ jobs(first: 1000) { items { id deployments { ${ROWS} } } } }`);
      const atEnd = await gql<AsOf>(url, `{ deploymentsAsOf(time: "${end}") { deployments { ${ROWS} } } }`);
      const liveRows = live.jobs.items.flatMap((j) => j.deployments).length;
      if (liveRows !== HOSTS || atEnd.deploymentsAsOf.deployments.length !== HOSTS) throw new Error(`expected ${HOSTS} deployments, got ${liveRows} live and ${atEnd.deploymentsAsOf.deployments.length} as of the end`);
      const rows = [
        { label: 'jobs (live, berth status): baseline', ms: await timeMs(() => gql(url, `{ jobs(first: 1000) { items { id deployments { ${ROWS} } } } }`)) },
        { label: 'deploymentsAsOf(time: end)', ms: await timeMs(() => gql(url, `{ deploymentsAsOf(time: "${end}") { sequence jobs { id deployments { ${ROWS} } } } }`)) },
        { label: 'deploymentsAsOf(time: middle)', ms: await timeMs(() => gql(url, `{ deploymentsAsOf(time: "${middle}") { sequence jobs { id deployments { ${ROWS} } } } }`)) },
        { label: 'deploymentsAsOf(time: end, selectors: rack=3)', ms: await timeMs(() => gql(url, `{ deploymentsAsOf(time: "${end}", selectors: ["rack=3"]) { deployments { ${ROWS} } } }`)) },
        { label: 'jobAsOf(middle version, time: middle)', ms: await timeMs(() => gql(url, `{ jobAsOf(id: "${jobId(Math.ceil(ROLLOUTS / 2))}", time: "${middle}") { status deployments { ${ROWS} } } }`)) },
        { label: 'hostAsOf(host-7, time: middle)', ms: await timeMs(() => gql(url, `{ hostAsOf(name: "host-7", time: "${middle}") { registered deployments { ${ROWS} } } }`)) },
      ];
      const baseline = rows[0]?.ms ?? 1;
      const asOfEnd = rows[1]?.ms ?? 0;
      printTable(
        ['query', 'median ms', 'vs live', 'target'],
        rows.map((r, i) => [r.label, r.ms.toFixed(1), `${(r.ms / baseline).toFixed(1)}x`, i === 1 ? targetCell('< 2,000 ms', r.ms < 2000) : '']),
      );
      console.log(`(${HOSTS.toLocaleString('en')} hosts, ${ROLLOUTS} versions, ${events.toLocaleString('en')} events; median of ${RUNS})`);
      printTargets([{ label: `deploymentsAsOf of ${HOSTS.toLocaleString('en')} hosts over ${events.toLocaleString('en')} events`, target: `${asOfEnd.toFixed(0)} ms < 2,000`, met: asOfEnd < 2000 }]);
    } finally {
      await gateway.stop();
    }
  } finally {
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
