import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliRun } from './support/berth-cli';
import { startStack, type Stack } from './support/stack';

/**
 * A deploy pipeline through the `berth` CLI on the real stack (nats-server,
 * scheduler, gateway and three agents on the simulated runtime, all as
 * processes): validate and set deploy.yaml, mark a job for deployment, pass
 * the gate, advance past the canary's manual trigger, and see it complete
 * with every group on the new job.
 */
const HOSTS = ['release-e2e-1', 'release-e2e-2', 'release-e2e-3'];
let stack: Stack;

const berth = (...args: string[]): Promise<CliRun> => stack.cli.run(...args);
const eventually = (args: string[], accept: (run: CliRun) => boolean): Promise<CliRun> => stack.cli.eventually(args, accept, { timeoutMs: 30_000, context: () => stack.logs() });

beforeAll(async () => {
  stack = await startStack({ name: 'cli-release-e2e', hosts: HOSTS, labels: (host) => [`role=${host.endsWith('-1') ? 'rel-canary' : 'rel-main'}`] });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

it('validates and sets a pipeline, then drives a release through its gate and manual trigger to complete', async () => {
  expect((await berth('create', '-q', 'relapp:1', 'local/busybox:1', '--', 'sleep', '600')).code).toBe(0);
  for (const [group, role] of [['relapp.canary', 'rel-canary'], ['relapp.main', 'rel-main']] as const) {
    expect((await berth('create-deployment-group', group, `role=${role}`)).code).toBe(0);
  }
  const dir = join(stack.workDir, 'soa', 'relapp');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'deploy.yaml');
  writeFileSync(file, 'pipeline:\n- gate: itest\n- step: "{service}.canary"\n  trigger_next_step_manually: true\n- step: relapp.nowhere\n');
  const invalid = await berth('validate', '-f', file);
  expect(invalid.code).toBe(1);
  expect(invalid.stdout).toBe(`${file}:5: pipeline[2]: unknown deployment group "relapp.nowhere" (use "gate:" for a check that is not a deployment)\n`);
  // pipeline set refuses what validate rejects, with the same problems, and stores nothing
  const refused = await berth('pipeline', 'set', 'relapp', '-f', file);
  expect(refused).toMatchObject({ code: 1, stdout: '' });
  expect(refused.stderr).toBe(`${invalid.stdout}Pipeline of relapp not set: 1 problem (as \`berth validate\` finds); fix them, or set it anyway with --force\n`);
  expect((await berth('pipeline', 'show', 'relapp')).stderr).toContain('PIPELINE_NOT_FOUND');

  writeFileSync(file, 'pipeline:\n- gate: itest\n- step: "{service}.canary"\n  trigger_next_step_manually: true\n- step: relapp.main\n');
  expect(await berth('validate', '-f', file)).toMatchObject({ code: 0, stdout: `${file}: valid pipeline for relapp\n` });
  expect(await berth('pipeline', 'set', 'relapp', '-f', file)).toMatchObject({ code: 0, stdout: 'Pipeline of relapp set (revision 1)\n' });

  const marked = await berth('--json', 'mark-for-deployment', 'relapp', '1');
  expect(marked.code).toBe(0);
  const release = JSON.parse(marked.stdout) as { releaseId: string; status: string };
  expect(release.status).toBe('deploying');

  expect((await berth('release', 'gate', 'relapp', 'itest', 'pass', '-m', 'green')).code).toBe(0);
  await eventually(['releases', 'relapp'], (run) => run.stdout.includes(`waiting for: berth release advance ${release.releaseId}`));
  expect((await berth('release', 'advance', release.releaseId.slice(0, 8))).code).toBe(0);
  const shown = await eventually(['release', 'show', release.releaseId], (run) => run.stdout.includes('Status:   complete'));
  expect(shown.stdout).toMatch(/1\s+itest\s+gate\s+SUCCEEDED - green/);
  expect(shown.stdout).toMatch(/2 \(manual next\)\s+relapp\.canary\s+group\s+SUCCEEDED/);
  expect(shown.stdout).toMatch(/3\s+relapp\.main\s+group\s+SUCCEEDED/);
  const main = await berth('deployment-group-status', 'relapp.main');
  expect(main.stdout).toContain('Status: DONE');
}, 120_000);
