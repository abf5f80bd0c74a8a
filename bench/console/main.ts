/*
 * Console benchmark: the deployment group page following a rolling update of
 * 1,000 hosts at parallelism 100 in headless Chromium (Debian's chromium via
 * playwright-core), against the real stack: nats-server, scheduler and gateway
 * processes (the gateway serving the built console), the hosts played in this
 * process by FakeAgents over the real agent protocol (RUNNING as soon as a task
 * appears in a host's desired state).
 *
 *   npm run bench -- console
 *
 * Env: BENCH_HOSTS (default 1000), BENCH_PARALLELISM (default 100),
 * BENCH_GATEWAY_NODE_ARGS (node flags for the gateway, e.g. '--cpu-prof
 * --cpu-prof-dir=/tmp/prof').
 *
 * Event-to-pixel: for every append to the rollout's subject (stream sequence
 * from an ordered consumer, time = the event's own `time`, stamped by the
 * scheduler before the append), the first frame after the page painted a grid
 * reflecting that sequence (a MutationObserver on the grid's data-sequence,
 * then requestAnimationFrame). Baseline, same run: the same delay to a plain
 * graphql-ws client in Node subscribed to the same rolloutProgress.
 * Main thread: Chrome's TaskDuration (CDP Performance.getMetrics) over the
 * rollout, long tasks (> 50 ms), and frames dropped (rAF gaps over 1.5 frames).
 */
import { EVENTS_STREAM, eventSubject } from '@berth/contracts';
import { FakeAgents, REPO_ROOT, startChromium, startNatsServer, type NatsServer, type ServiceProcess } from '@berth/testing';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startGatewayProcess } from '../lib/gateway-process';
import { startSchedulerProcess } from '../lib/scheduler-process';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const HOSTS = Number(process.env['BENCH_HOSTS'] ?? 1000);
const PARALLELISM = Number(process.env['BENCH_PARALLELISM'] ?? 100);
const CONSOLE_DIR = resolve(REPO_ROOT, 'dist/apps/console');
const GROUP = 'bench-group';
const P99_TARGET_MS = 250;

const now = () => performance.timeOrigin + performance.now();

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** For each append, the delay until the first observation whose sequence covers it. */
function delays(appends: readonly { seq: number; time: number }[], seen: readonly { seq: number; at: number }[]): { values: number[]; missed: number } {
  const values: number[] = [];
  let missed = 0;
  for (const a of appends) {
    const first = seen.find((s) => s.seq >= a.seq && s.at >= a.time);
    if (first) values.push(first.at - a.time);
    else missed++;
  }
  return { values, missed };
}

async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (!body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

function buildConsole(): void {
  if (existsSync(resolve(CONSOLE_DIR, 'index.html'))) return;
  const built = spawnSync('npx', ['vite', 'build', '--config', 'apps/console/vite.config.mts', '--logLevel', 'warn'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('vite build of the console failed');
}

async function main(): Promise<void> {
  buildConsole();
  let nats: NatsServer | undefined;
  let scheduler: ServiceProcess | undefined;
  let gateway: ServiceProcess | undefined;
  let nc: NatsConnection | undefined;
  let agents: FakeAgents | undefined;
  let browser: Awaited<ReturnType<typeof startChromium>> | undefined;
  try {
    nats = await startNatsServer();
    scheduler = startSchedulerProcess(nats, [], 'warn');
    gateway = startGatewayProcess(['--nats', nats.url, '--port', '0', '--console-dir', CONSOLE_DIR], { BERTH_AUTH: 'none' });
    await scheduler.waitForOutput(/scheduler serving|"level":40/, 30_000).catch(() => undefined);
    const url = (JSON.parse(await gateway.waitForOutput(/gateway serving/, 30_000)) as { url: string }).url;
    nc = await connect({ servers: nats.url });
    agents = new FakeAgents(nc, { fullReportEveryMs: 5_000 });
    const names = Array.from({ length: HOSTS }, (_, i) => `bench-${String(i + 1).padStart(4, '0')}`);
    const registerStart = performance.now();
    for (let i = 0; i < names.length; i += 50) await Promise.all(names.slice(i, i + 50).map((h) => (agents as FakeAgents).register(h, { role: 'bench' })));
    process.stderr.write(`[bench] ${HOSTS} hosts registered in ${Math.round(performance.now() - registerStart)} ms\n`);
    for (;;) {
      const up = await gql<{ hosts: { items: unknown[] } }>(url, '{ hosts(status: "UP") { items { host } } }');
      if (up.hosts.items.length === HOSTS) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await gql(url, 'mutation($job: JSON!) { createJob(job: $job) { jobId } }', { job: { id: 'bench-app:1', image: 'local/busybox:1' } });
    await gql(url, 'mutation($s: [String!]!) { createDeploymentGroup(name: "bench-group", selectors: $s) { status } }', { s: ['role=bench'] });

    browser = await startChromium({ viewport: { width: 1280, height: 1000 } });
    const page = await browser.context.newPage();
    await page.goto(`${url}/groups/${GROUP}`);
    await page.getByText('No rollout yet.').waitFor();
    // in the page (a string: this project has no DOM types): paints, frames, long tasks
    await page.evaluate(`(() => {
      const w = window;
      w.paints = [];
      w.rafTimes = [];
      w.longTasks = [];
      new MutationObserver(() => {
        const seq = Number(document.querySelector('[data-testid="host-grid"]')?.getAttribute('data-sequence') ?? NaN);
        if (Number.isFinite(seq)) requestAnimationFrame(() => w.paints.push({ seq, at: performance.timeOrigin + performance.now() }));
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-sequence'] });
      const frame = () => {
        w.rafTimes.push(performance.now());
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longTasks.push(e.duration);
      }).observe({ type: 'longtask' });
    })()`);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN;

    // the rollout's appends: stream sequence and event time
    const appends: { seq: number; time: number }[] = [];
    const wsSeen: { seq: number; at: number }[] = [];
    const started = performance.now();
    const busyBefore = await taskSeconds();
    const framesBefore = await page.evaluate<number>('window.rafTimes.length');
    const { rollingUpdate } = await gql<{ rollingUpdate: { rolloutId: string } }>(url, 'mutation($o: RolloutOptions) { rollingUpdate(group: "bench-group", job: "bench-app:1", options: $o) { rolloutId } }', { o: { parallelism: PARALLELISM } });
    const rolloutId = rollingUpdate.rolloutId;
    const consumer = await jetstream(nc).consumers.get(EVENTS_STREAM, { filter_subjects: [eventSubject('rollout', rolloutId)] });
    const messages = await consumer.consume();
    void (async () => {
      for await (const m of messages) {
        const body = m.json() as { events?: { time: string }[] } | { time: string };
        const first = 'events' in body && body.events ? body.events[0] : (body as { time: string });
        if (first) appends.push({ seq: m.seq, time: Date.parse(first.time) });
      }
    })();
    const ws = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: {} });
    const finished = new Promise<string>((done, fail) => {
      ws.subscribe<{ rolloutProgress: { sequence: number; rollout: { finished: boolean; status: string } } }>(
        { query: 'subscription($id: String!) { rolloutProgress(rolloutId: $id) { sequence rollout { finished status progress { healthy } } } }', variables: { id: rolloutId } },
        {
          next: (msg) => {
            const p = msg.data?.rolloutProgress;
            if (!p) return;
            wsSeen.push({ seq: p.sequence, at: now() });
            if (p.rollout.finished) done(p.rollout.status);
          },
          error: fail,
          complete: () => undefined,
        },
      );
    });
    const status = await finished;
    const rolloutMs = performance.now() - started;
    await page.getByTestId('rollout-status').getByText(status).waitFor({ timeout: 30_000 });
    // the last paint's frame
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    const wallMs = performance.now() - started;
    const busyMs = ((await taskSeconds()) - busyBefore) * 1000;
    const page_ = await page.evaluate<{ paints: { seq: number; at: number }[]; frames: number[]; longTasks: number[] }>('({ paints: window.paints, frames: window.rafTimes, longTasks: window.longTasks })');
    await messages.close();
    await ws.dispose();
    const frames = page_.frames.slice(framesBefore);
    let dropped = 0;
    for (let i = 1; i < frames.length; i++) {
      const gap = (frames[i] as number) - (frames[i - 1] as number);
      if (gap > 25) dropped += Math.round(gap / 16.7) - 1;
    }
    const pixel = delays(appends, page_.paints);
    const client = delays(appends, wsSeen);
    const rows = [
      {
        path: 'graphql-ws client in Node (baseline)',
        appends: appends.length,
        updates: wsSeen.length,
        p50: percentile(client.values, 50),
        p99: percentile(client.values, 99),
        max: Math.max(...client.values),
        missed: client.missed,
      },
      {
        path: 'group page in Chromium (event to pixel)',
        appends: appends.length,
        updates: page_.paints.length,
        p50: percentile(pixel.values, 50),
        p99: percentile(pixel.values, 99),
        max: Math.max(...pixel.values),
        missed: pixel.missed,
      },
    ];
    console.log(`\nConsole benchmark: ${HOSTS} hosts, parallelism ${PARALLELISM}, rollout ${status} in ${(rolloutMs / 1000).toFixed(2)} s\n`);
    console.log('| path | rollout appends | updates/paints | p50 ms | p99 ms | max ms | not seen |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.path} | ${r.appends} | ${r.updates} | ${r.p50.toFixed(0)} | ${r.p99.toFixed(0)} | ${r.max.toFixed(0)} | ${r.missed} |`);
    const p99 = rows[1]?.p99 ?? NaN;
    console.log(`\nevent-to-pixel p99 ${p99.toFixed(0)} ms, target < ${P99_TARGET_MS} ms: ${p99 < P99_TARGET_MS ? 'met' : 'NOT met'}`);
    console.log('\n| main thread (rollout window) | value |');
    console.log('|---|---:|');
    console.log(`| wall time | ${wallMs.toFixed(0)} ms |`);
    console.log(`| busy (TaskDuration) | ${busyMs.toFixed(0)} ms (${((busyMs / wallMs) * 100).toFixed(1)} %) |`);
    console.log(`| long tasks > 50 ms | ${page_.longTasks.length} (max ${page_.longTasks.length ? Math.max(...page_.longTasks).toFixed(0) : 0} ms) |`);
    console.log(`| frames | ${frames.length}, dropped ${dropped} |`);
  } finally {
    await browser?.close();
    agents?.stop();
    await nc?.drain();
    await gateway?.stop();
    await scheduler?.stop();
    await nats?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
