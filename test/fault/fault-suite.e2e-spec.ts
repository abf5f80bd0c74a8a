import { FaultRig } from './fault-rig';
import { formatTable, runScenario, type ScenarioName } from './fault-scenarios';
import type { ScenarioRow } from './fault-rig';

/*
 * The bounded fault subset that runs in `npm test` (issue 19.4): on a 3-node
 * cluster with R3 streams and two scheduler processes, 3 kill -9s of the
 * leading scheduler, one SIGSTOP of it past its lease, and a kill -9 of the
 * nats-server leading BERTH_EVENTS, each during a rolling update. Each must
 * leave no acknowledged command lost, none stored twice, and every rollout
 * within its invariants. `npm run chaos` runs the full set.
 */

let rig: FaultRig | undefined;
const rows: ScenarioRow[] = [];

beforeAll(async () => {
  rig = await FaultRig.start(9);
}, 120_000);

afterAll(async () => {
  if (rows.length > 0) console.log(`fault suite (bounded)\n${formatTable(rows)}`);
  await rig?.stop();
}, 60_000);

const scenarios: [ScenarioName, string][] = [
  ['leader-kill', 'kill -9 of the leading scheduler, 3 times during rollouts'],
  ['leader-pause', 'SIGSTOP of the leading scheduler past its lease during a rollout'],
  ['nats-node-kill', 'kill -9 of the nats-server leading BERTH_EVENTS during a rollout, then its restart'],
];

describe('faults during rollouts, on a 3-node cluster', () => {
  it.each(scenarios)('%s: %s — nothing acknowledged is lost or duplicated, every rollout holds its invariants and completes', async (name) => {
    const row = await runScenario(rig as FaultRig, name, { leaderKills: 3, natsPauseSeconds: 5 });
    rows.push(row);
    expect(row.acknowledged).toBeGreaterThan(0);
    expect(row.report.lost).toEqual([]);
    expect(row.report.duplicated).toEqual([]);
    expect(row.report.violations).toEqual([]);
  }, 300_000);
});
