/*
 * Takeover benchmark: how long after a kill -9 of the leading scheduler the
 * standby serves commands, on one nats-server (R1) and on a 3-node cluster
 * (R3) in the same run, for each lease TTL.
 *
 *   npm run bench -- takeover
 *
 * Env: BENCH_TAKEOVER_KILLS (kills per configuration, default 5),
 * BENCH_LEASE_TTLS (seconds, default "5,2"; 5 is the scheduler's default).
 *
 * Two scheduler processes (the bundle npm start runs) per configuration: the
 * leader is killed with SIGKILL, the time runs from its exit to the first
 * command answered (a `jobs` query every 50 ms, each allowed 500 ms; only the
 * leader serves commands), then a fresh standby replaces the killed one and
 * the next kill follows. The baseline in the same run is the lease TTL itself:
 * a standby may take over only once the dead leader's key expired.
 */
import { SchedulerCommand } from '@berth/contracts';
import { SchedulerClient } from '@berth/scheduler-client';
import { startNatsCluster, startNatsServer, type ServiceProcess } from '@berth/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startBundledProcess } from '../lib/bundled-process';
import { printTable } from '../lib/table';

const KILLS = Number(process.env['BENCH_TAKEOVER_KILLS'] ?? 5);
const TTLS = (process.env['BENCH_LEASE_TTLS'] ?? '5,2').split(',').map(Number);

interface Setup {
  readonly label: string;
  readonly servers: string;
  readonly replicas: number;
  stop(): Promise<void>;
}

function startScheduler(setup: Setup, ttl: number, n: number): ServiceProcess {
  return startBundledProcess('scheduler', ['--nats', setup.servers, '--replicas', String(setup.replicas), '--http-port', '0', '--lease-ttl', String(ttl)], {
    LOG_LEVEL: 'info',
    BERTH_BENCH_INSTANCE: String(n),
  });
}

async function firstAnswer(client: SchedulerClient, since: number, limitMs: number): Promise<number> {
  for (;;) {
    const r = await client.request(SchedulerCommand.LIST_JOBS, {}, { timeoutMs: 500 });
    if (r.ok) return performance.now() - since;
    if (performance.now() - since > limitMs) throw new Error(`no leader answered within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** KILLS kills of the leader; the takeover times in ms */
async function measure(setup: Setup, ttl: number): Promise<number[]> {
  const nc: NatsConnection = await connect({ servers: setup.servers.split(',') });
  const client = new SchedulerClient(nc, { actor: 'bench-takeover' });
  let n = 0;
  const running: ServiceProcess[] = [];
  const times: number[] = [];
  try {
    const first = startScheduler(setup, ttl, n++);
    running.push(first);
    await first.waitForOutput(/serving as leader/, 60_000);
    let leader = first;
    let standby = startScheduler(setup, ttl, n++);
    running.push(standby);
    await standby.waitForOutput(/standing by/, 60_000);
    for (let kill = 0; kill < KILLS; kill++) {
      process.kill(leader.pid, 'SIGKILL');
      await leader.exited;
      const killedAt = performance.now();
      times.push(await firstAnswer(client, killedAt, ttl * 1000 + 15_000));
      await standby.waitForOutput(/serving as leader/, 5_000);
      running.splice(running.indexOf(leader), 1);
      leader = standby;
      standby = startScheduler(setup, ttl, n++);
      running.push(standby);
      await standby.waitForOutput(/standing by/, 60_000);
      process.stdout.write(`  ${setup.label} ttl ${ttl} s, kill ${kill + 1}: ${Math.round(times[times.length - 1] ?? 0)} ms\n`);
    }
  } finally {
    for (const p of running) await p.stop();
    await nc.close();
  }
  return times;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

async function main(): Promise<void> {
  const setups: (() => Promise<Setup>)[] = [
    async () => {
      const server = await startNatsServer();
      return { label: '1 server, R1', servers: server.url, replicas: 1, stop: () => server.stop() };
    },
    async () => {
      const cluster = await startNatsCluster({ size: 3 });
      return { label: '3-node cluster, R3', servers: cluster.servers, replicas: 3, stop: () => cluster.stop() };
    },
  ];
  const rows: string[][] = [];
  for (const make of setups) {
    for (const ttl of TTLS) {
      // a fresh server (or cluster) per configuration: no lease or stream left from the last
      const setup = await make();
      try {
        const times = await measure(setup, ttl);
        rows.push([
          setup.label,
          `${ttl}`,
          String(times.length),
          String(Math.round(median(times))),
          String(Math.round(Math.min(...times))),
          String(Math.round(Math.max(...times))),
          'the dead leader\'s key expires after the TTL (from its last renewal, every TTL/3)',
        ]);
      } finally {
        await setup.stop();
      }
    }
  }
  printTable(['nats', 'lease TTL s', 'kills', 'median ms', 'min ms', 'max ms', 'note'], rows);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
