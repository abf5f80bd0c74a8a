/*
 * Audit log benchmark: the gateway's memory as its event log grows, and
 * audit reads that reach events no longer held whole in memory.
 *
 *   npm run bench -- audit
 *
 * BENCH_AUDIT_EVENTS (default 500,000) events of a rollout's shape (2 per
 * append, 10,000 hosts, a correlation id of its own per append as each
 * scheduler command has; of an aggregate the projections do not fold, so
 * only the audit log grows) are appended to a real nats-server. Two gateway processes follow the stream:
 *   - baseline: --audit-memory-events above the event count, so every event
 *     is kept whole, as the gateway kept them all before the EventLog;
 *   - the default kind of setting, --audit-memory-events 1000.
 * For each: RSS once caught up, less the RSS of a gateway started on the
 * empty stream (measured first), per event; and over GraphQL (median of 20)
 * `events(first: 100)` for the newest page, the oldest page, a type filter,
 * and every event of one host's aggregate.
 * Targets: < 200 bytes of RSS per event with 1,000 kept whole (a fifth of
 * the baseline's; the columns themselves take ~44 B, the rest is the
 * collector's headroom after catching up); a page of 100 events read back
 * from JetStream in < 100 ms.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NewEvent } from '@berth/contracts';
import { JetStreamEventStore } from '@berth/event-store';
import { startNatsServer, type NatsServer } from '@berth/testing';
import { startGatewayProcess } from '../lib/gateway-process';
import { graphqlClient, medianTimeMs } from '../lib/graphql';
import { rssMb } from '../lib/measure';
import { printTable, printTargets, targetCell } from '../lib/table';

const EVENTS = Number(process.env['BENCH_AUDIT_EVENTS'] ?? 500_000);
const PER_APPEND = 2;
const RUNS = 20;
const TOKEN = 'bench-audit-token-0123456789';
const TYPES = ['DeploymentChanged', 'TaskStatusChanged', 'RolloutHostChanged'];
/** an aggregate the read model's projections do not fold: only the audit log grows */
const AGGREGATE = 'audit-bench';

function rolloutEvent(i: number): NewEvent {
  const host = `host-${i % 10_000}`;
  const time = new Date(1.8e12 + i).toISOString();
  return {
    id: `ev-${i}-${Math.random().toString(36).slice(2)}`,
    type: TYPES[i % 3] as string,
    schemaVersion: 1,
    time,
    actor: 'scheduler',
    // one command, one correlation id, one append: as the scheduler's commands make them
    correlationId: `${Math.floor(i / PER_APPEND)}-0f3c-4a2e-9d5b-7c1e2f3a4b5c`,
    causationId: `cmd-${i}`,
    data: { host, jobId: 'web:1:0a1b2c3d', status: 'RUNNING', time, ports: { http: 8080 } },
  };
}

async function fill(nats: NatsServer): Promise<void> {
  const store = await JetStreamEventStore.connect({ servers: nats.url });
  try {
    const appends = EVENTS / PER_APPEND;
    for (let a = 0; a < appends; a += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, appends - a) }, (_, k) => {
          const first = (a + k) * PER_APPEND;
          return store.append(AGGREGATE, `host-${(a + k) % 10_000}`, 'any', Array.from({ length: PER_APPEND }, (_, j) => rolloutEvent(first + j)));
        }),
      );
      if (a % 10_000 === 0) process.stdout.write(`\rappended ${(a * PER_APPEND).toLocaleString('en')} events`);
    }
    console.log(`\rappended ${EVENTS.toLocaleString('en')} events`);
  } finally {
    await store.close();
  }
}

const gql = graphqlClient(TOKEN);
const timeMs = (run: () => Promise<unknown>): Promise<number> => medianTimeMs(RUNS, run);

interface Measured {
  readonly rssMb: number;
  readonly startS: number;
  readonly reads: readonly { readonly label: string; readonly events: number; readonly ms: number }[];
}

/** A gateway process, once it serves (it has folded the whole stream by then), and the seconds that took. */
async function startGateway(nats: NatsServer, tokens: string, memoryEvents: number) {
  const started = performance.now();
  const gateway = startGatewayProcess(['--nats', nats.url, '--port', '0', '--tokens-file', tokens, '--audit-memory-events', String(memoryEvents)], { LOG_LEVEL: 'info' });
  try {
    const url = (JSON.parse(await gateway.waitForOutput(/gateway serving/, 600_000)) as { url: string }).url;
    return { gateway, url, startS: (performance.now() - started) / 1000 };
  } catch (err) {
    await gateway.stop();
    throw err;
  }
}

async function idleRssMb(nats: NatsServer, tokens: string): Promise<number> {
  const { gateway } = await startGateway(nats, tokens, 1000);
  try {
    return rssMb(gateway.pid);
  } finally {
    await gateway.stop();
  }
}

async function measureGateway(nats: NatsServer, tokens: string, memoryEvents: number): Promise<Measured> {
  const { gateway, url, startS } = await startGateway(nats, tokens, memoryEvents);
  try {
    type Page = { events: { items: { position: number }[]; totalCount: number } };
    const page = async (args: string): Promise<number> => {
      const answer = await gql<Page>(url, `{ events(first: 100${args}) { items { position sequence type aggregateId actor data } totalCount } }`);
      if (answer.events.items.length !== 100) throw new Error(`a page of ${answer.events.items.length} events`);
      return answer.events.totalCount;
    };
    const newestAfter = Buffer.from(JSON.stringify({ k: EVENTS - 100 })).toString('base64url');
    const hostEvents = (await gql<Page>(url, `{ events(aggregate: "${AGGREGATE}", id: "host-7", first: 1) { items { position } totalCount } }`)).events.totalCount;
    const reads = [
      { label: 'events: newest 100', events: 100, ms: await timeMs(() => page(`, after: "${newestAfter}"`)) },
      { label: 'events: oldest 100 (50 appends)', events: 100, ms: await timeMs(() => page('')) },
      { label: `events(type: ${TYPES[1]}): oldest 100 (100 appends)`, events: 100, ms: await timeMs(() => page(`, type: "${TYPES[1]}"`)) },
      { label: 'events(aggregate, id): one host, every event', events: hostEvents, ms: await timeMs(() => gql(url, `{ events(aggregate: "${AGGREGATE}", id: "host-7", first: 1000) { items { position sequence type data } } }`)) },
    ];
    return { rssMb: rssMb(gateway.pid), startS, reads };
  } finally {
    await gateway.stop();
  }
}

async function main(): Promise<void> {
  const nats = await startNatsServer();
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-audit-'));
  try {
    const tokens = join(dir, 'tokens.json');
    writeFileSync(tokens, JSON.stringify([{ subject: 'bench', role: 'admin', token: TOKEN }]));
    const idle = await idleRssMb(nats, tokens);
    await fill(nats);
    const whole = await measureGateway(nats, tokens, EVENTS + 1);
    const bounded = await measureGateway(nats, tokens, 1000);
    const perEvent = (m: Measured) => ((m.rssMb - idle) * 1024 * 1024) / EVENTS;

    printTable(
      ['gateway', 'kept whole', 'RSS MB', 'RSS B/event', 'vs baseline', 'start s', 'target'],
      [
        ['empty stream', '0', idle.toFixed(0), '', '', '', ''],
        ['every event whole (baseline: the gateway before)', EVENTS.toLocaleString('en'), whole.rssMb.toFixed(0), perEvent(whole).toFixed(0), '1.00x', whole.startS.toFixed(1), ''],
        [
          '--audit-memory-events 1000',
          '1,000',
          bounded.rssMb.toFixed(0),
          perEvent(bounded).toFixed(0),
          `${(perEvent(bounded) / perEvent(whole)).toFixed(2)}x`,
          bounded.startS.toFixed(1),
          targetCell('< 200 B/event', perEvent(bounded) < 200),
        ],
      ],
    );
    printTable(
      ['audit read over GraphQL', 'events', 'all whole ms', '1,000 whole ms', 'ratio', 'target'],
      whole.reads.map((r, i) => {
        const b = bounded.reads[i] as (typeof bounded.reads)[number];
        const paged = i === 1 || i === 2;
        return [r.label, String(r.events), r.ms.toFixed(1), b.ms.toFixed(1), `${(b.ms / r.ms).toFixed(1)}x`, paged ? targetCell('< 100 ms', b.ms < 100) : ''];
      }),
    );
    console.log(`(${EVENTS.toLocaleString('en')} events in ${(EVENTS / PER_APPEND).toLocaleString('en')} appends; median of ${RUNS}; RSS once caught up)`);
    const slowestPage = Math.max(...bounded.reads.slice(1, 3).map((r) => r.ms));
    printTargets([
      { label: 'gateway RSS per event with 1,000 kept whole', target: `${perEvent(bounded).toFixed(0)} B < 200`, met: perEvent(bounded) < 200 },
      { label: 'a page of 100 events read back from JetStream', target: `${slowestPage.toFixed(1)} ms < 100`, met: slowestPage < 100 },
    ]);
  } finally {
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
