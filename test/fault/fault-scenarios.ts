import { FaultRig, LEASE_TTL_S, type ScenarioRow } from './fault-rig';

/*
 * The fault scenarios (issue 19.4). Each runs rolling updates on the rig while a
 * writer keeps sending commands, injects its faults at random points of a
 * rollout, waits for the rollout to finish, and checks the whole history.
 * `npm test` runs a bounded subset (fault-suite.e2e-spec.ts); `npm run chaos`
 * runs all of them with more faults and prints the table.
 */

export interface ScenarioOptions {
  /** kill -9s of the leading scheduler */
  readonly leaderKills: number;
  /** how long a SIGSTOPped nats-server stays stopped, s */
  readonly natsPauseSeconds: number;
}

export type ScenarioName = 'leader-kill' | 'leader-pause' | 'nats-node-kill' | 'nats-node-pause' | 'cluster-restart';

const ROLLOUT_TIMEOUT_MS = 90_000;
const PARALLELISM = 3;

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** somewhere in the first batches of a rollout (each takes at least minHealthyTime, 1 s) */
const randomPoint = (): number => 300 + Math.floor(Math.random() * 2_200);

export async function runScenario(rig: FaultRig, name: ScenarioName, options: ScenarioOptions): Promise<ScenarioRow> {
  const writer = rig.startWriter(name);
  const recoveryMs: number[] = [];
  let faults = 0;
  /** `inject` resolves with when its fault began */
  const rollout = async (inject: () => Promise<number>): Promise<void> => {
    const rolloutId = await rig.rollingUpdate(PARALLELISM);
    await pause(randomPoint());
    const at = await inject();
    faults++;
    recoveryMs.push(await rig.awaitAcknowledgedAfter(writer, at, 60_000));
    await rig.rolloutDone(rolloutId, ROLLOUT_TIMEOUT_MS);
  };
  try {
    switch (name) {
      case 'leader-kill':
        for (let i = 0; i < options.leaderKills; i++) await rollout(() => rig.killLeader());
        break;
      case 'leader-pause':
        await rollout(() => rig.pauseLeader());
        break;
      case 'nats-node-kill':
        await rollout(async () => {
          const node = rig.cluster.nodes[await rig.streamLeaderNode()];
          const at = Date.now();
          await node?.kill('SIGKILL');
          // the rest of the cluster carries on; the node comes back on its own store
          await pause(2_000);
          await node?.start();
          return at;
        });
        break;
      case 'nats-node-pause':
        await rollout(async () => {
          const node = rig.cluster.nodes[await rig.streamLeaderNode()];
          const at = Date.now();
          if (node === undefined) return at;
          process.kill(node.pid, 'SIGSTOP');
          try {
            await pause(options.natsPauseSeconds * 1000);
          } finally {
            process.kill(node.pid, 'SIGCONT');
          }
          return at;
        });
        break;
      case 'cluster-restart':
        await rollout(async () => {
          const at = Date.now();
          await Promise.all(rig.cluster.nodes.map((n) => n.kill('SIGKILL')));
          await Promise.all(rig.cluster.nodes.map((n) => n.start()));
          return at;
        });
        break;
    }
  } finally {
    await writer.stop();
  }
  // a leader serves again within the lease of the last fault's end
  await rig.awaitLeader((LEASE_TTL_S + 20) * 1000);
  const report = await rig.check(writer);
  return {
    scenario: name,
    faults,
    acknowledged: report.acknowledged,
    lost: report.lost.length,
    duplicated: report.duplicated.length,
    violations: report.violations.length,
    recoveryMs,
    report,
  };
}

export function formatTable(rows: readonly ScenarioRow[]): string {
  const header = ['scenario', 'faults', 'acknowledged events checked', 'lost', 'duplicated', 'invariant violations', 'recovery median ms', 'recovery max ms'];
  const median = (xs: readonly number[]): string => {
    if (xs.length === 0) return '';
    const sorted = [...xs].sort((a, b) => a - b);
    return String(sorted[Math.floor(sorted.length / 2)]);
  };
  const lines = rows.map((r) => [r.scenario, String(r.faults), String(r.acknowledged), String(r.lost), String(r.duplicated), String(r.violations), median(r.recoveryMs), r.recoveryMs.length === 0 ? '' : String(Math.max(...r.recoveryMs))]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const row = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [row(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(row)].join('\n');
}
