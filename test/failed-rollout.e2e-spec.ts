/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT, eventually, getDockerEngine, startChromium, type DockerEngineLease, type HeadlessChromium } from '@berth/testing';
import type { Page } from 'playwright-core';
import { E2E_TOKENS } from './support/api-tokens';
import type { BerthCli, CliRun } from './support/berth-cli';
import { removeContainersOf, startStack, type Stack } from './support/stack';

/**
 * Issue 21.2, a failed rollout well told. On the REAL Docker engine (the
 * point is what a container that exits with code 3 does to a rollout), three
 * agents share one engine; a job whose container runs `exit 3` is rolled out
 * twice: once plainly (the rollout FAILS on its first host), once with
 * --auto-revert (it is REVERTED to the job before). Each time the CLI's live
 * output, `berth rollouts`, GraphQL and the web console in a real headless
 * Chromium (served by the gateway from dist/apps/console) must show the host
 * as failed with exit code 3, and the reverted rollout as reverted, never as
 * done (`3/3`, a green "100% — 3/3 healthy").
 */
const HOSTS = ['exit3-e2e-1', 'exit3-e2e-2', 'exit3-e2e-3'];
const GROUP = 'exit3-group';
const CONSOLE_DIR = resolve(REPO_ROOT, 'dist/apps/console');
const SHOTS = resolve(REPO_ROOT, 'dist/test-output/e2e');
let docker: DockerEngineLease;
let stack: Stack;
let cli: BerthCli;
let browser: HeadlessChromium;
let page: Page;
const logs = (): string => stack.logs();

beforeAll(async () => {
  if (!existsSync(join(CONSOLE_DIR, 'index.html'))) throw new Error(`the console is not built in ${CONSOLE_DIR}: run nx build console (the e2e test target depends on it)`);
  docker = await getDockerEngine();
  stack = await startStack({
    name: 'failed-rollout-e2e',
    hosts: HOSTS,
    labels: ['role=exit3-e2e'],
    // an init forwards SIGTERM to `sleep`, so undeploying the good job does not sit out the kill timeout
    runtimeArgs: () => ['--docker-host', docker.dockerHost, '--docker-init', 'true'],
  });
  cli = stack.cli;
  browser = await startChromium();
  page = await browser.context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (docker) await removeContainersOf(docker, HOSTS);
  await docker?.release();
});

async function createJob(id: string, ...command: string[]): Promise<string> {
  const created = await cli.run('create', '-q', id, docker.testImage, '--network-mode', 'host', '--', ...command);
  expect(created).toMatchObject({ code: 0, stderr: '' });
  return created.stdout.trim();
}

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${stack.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${E2E_TOKENS.admin}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (!body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

interface RolloutAnswer {
  readonly status: string;
  readonly progress: { readonly healthy: number; readonly upToDate: number; readonly failed: number; readonly total: number; readonly failedBeforeRevert: number };
  readonly hosts: { host: string; state: string; failure: { reason: string; message: string } | null; failureBeforeRevert: { reason: string; message: string } | null }[];
}

async function rolloutOverGraphql(id: string): Promise<RolloutAnswer> {
  const data = await gql<{ rollout: { rollout: RolloutAnswer } }>(
    'query($id: String!) { rollout(id: $id) { rollout { status progress { healthy upToDate failed total failedBeforeRevert } hosts { host state failure { reason message } failureBeforeRevert { reason message } } } } }',
    { id },
  );
  return data.rollout.rollout;
}

function hostLines(run: CliRun | string): string[] {
  const text = typeof run === 'string' ? run : run.stdout;
  return text.split('\n').filter((l) => /^exit3-e2e-\d /.test(l));
}

/** Every grid the group page paints from now on (`host=cell` tokens), and every progress text. */
async function recordPaints(): Promise<void> {
  await page.evaluate(() => {
    const seen = { grids: [] as string[], bars: [] as string[] };
    (window as unknown as { paints: typeof seen }).paints = seen;
    new MutationObserver(() => {
      const cells = document.querySelector('[data-testid="host-grid"]')?.getAttribute('data-cells');
      if (cells && seen.grids.at(-1) !== cells) seen.grids.push(cells);
      const bar = document.querySelector('[data-testid="rollout-progress"]')?.textContent;
      if (bar && seen.bars.at(-1) !== bar) seen.bars.push(bar);
    }).observe(document.body, { subtree: true, attributes: true, childList: true, characterData: true });
  });
}

const paints = (): Promise<{ grids: string[]; bars: string[] }> => page.evaluate(() => (window as unknown as { paints: { grids: string[]; bars: string[] } }).paints);

async function expectText(testId: string, pattern: RegExp, timeout = 20_000): Promise<string> {
  try {
    await page.waitForFunction(([id, source]) => new RegExp(source).test(document.querySelector(`[data-testid="${id}"]`)?.textContent ?? ''), [testId, pattern.source] as const, { timeout });
  } catch {
    throw new Error(`[data-testid=${testId}] never matched ${pattern}; it shows: ${await page.getByTestId(testId).textContent({ timeout: 1000 }).catch(() => '(absent)')}`);
  }
  return (await page.getByTestId(testId).textContent()) ?? '';
}

it('a job whose container exits with code 3 fails its rolling update, and with --auto-revert is reverted: the CLI, berth rollouts, GraphQL and the console all tell it', async () => {
  const good = await createJob('exit3:1', 'sleep', '600');
  const crashing = await createJob('exit3:2', 'sh', '-c', 'exit 3');
  const crashingToo = await createJob('exit3:3', 'sh', '-c', 'echo bad config >&2; exit 3');
  expect((await cli.run('create-deployment-group', GROUP, 'role=exit3-e2e')).code).toBe(0);
  expect(await cli.run('rolling-update', 'exit3:1', GROUP, '-t', '60')).toMatchObject({ code: 0, stderr: '' });

  // the console, signed in, on the group page before the failing rollout starts
  await page.goto(`${stack.gatewayUrl}/groups/${GROUP}`);
  await page.locator('input[name="token"]').fill(E2E_TOKENS.admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectText('rollout-status', /^SUCCEEDED$/);
  await recordPaints();

  // 1. no revert: the first host's container exits with code 3 and the rollout FAILS on it, well before the 120 s timeout
  const [first] = HOSTS as [string, ...string[]];
  const failing = cli.start('rolling-update', 'exit3:2', GROUP, '-t', '120');
  const failed = await failing.exited;
  expect(failed.code).toBe(1);
  // with Helios's minHealthyTime 0 the container's first RUNNING may count (a `-> RUNNING` line) before it exits: the exit fails it all the same
  expect(hostLines(failed).filter((l) => !l.startsWith(`${first} -> RUNNING `))).toEqual([
    expect.stringMatching(new RegExp(`^${first} -> FAILED \\(1/3\\): failed: job ${crashing} EXITED with exit code 3`)),
  ]);
  expect(failed.stdout).toMatch(/\nFailed: 1 host\(s\) failed, more than the 0 tolerated: .*exit code 3/);
  expect(failed.stderr).toMatch(/^Error: ROLLOUT_FAILED: /);
  const afterFailure = JSON.parse((await cli.run('--json', 'rollouts', GROUP)).stdout) as { rolloutId: string; status: string }[];
  const failedId = afterFailure.at(-1)?.rolloutId ?? '?';
  expect(afterFailure.map((r) => r.status)).toEqual(['SUCCEEDED', 'FAILED']);
  const failedRow = (await cli.run('rollouts', GROUP)).stdout.split('\n').find((l) => l.startsWith(failedId));
  expect(failedRow).toMatch(new RegExp(` {4}FAILED {4,}0/3 \\(1 failed\\) {4}.* {4}1 host\\(s\\) failed, more than the 0 tolerated: ${first}: job ${crashing} EXITED with exit code 3`));
  const overGraphql = await rolloutOverGraphql(failedId);
  expect(overGraphql.status).toBe('FAILED');
  expect(overGraphql.hosts.find((h) => h.host === first)).toMatchObject({ state: 'FAILED', failure: { reason: 'failed', message: expect.stringContaining('EXITED with exit code 3') } });
  // the console: the rollout FAILED, its host a failed cell, named with its exit code
  await expectText('rollout-status', /^FAILED$/);
  await expectText('failed-hosts', new RegExp(`^${first} failed: job ${crashing.replace(/\./g, '\\.')} EXITED with exit code 3`));
  expect((await page.getByTestId('host-grid').getAttribute('data-cells'))?.split(' ')).toContain(`${first}=failed`);
  await page.screenshot({ path: join(SHOTS, 'failed-rollout-exit-3.png'), fullPage: true });

  // 2. --auto-revert: back to exit3:1, the last stable job
  await recordPaints();
  const reverting = cli.start('rolling-update', 'exit3:3', GROUP, '-t', '120', '--auto-revert');
  const reverted = await reverting.exited;
  expect(reverted.code).toBe(1);
  const lines = hostLines(reverted);
  const failedLines = lines.filter((l) => / -> FAILED /.test(l));
  expect(failedLines).toEqual([expect.stringMatching(new RegExp(`^exit3-e2e-\\d -> FAILED \\(\\d/3\\): failed: job ${crashingToo} EXITED with exit code 3`))]);
  expect(reverted.stdout).toContain(`\nReverting to ${good}: `);
  // after the FAILED line, only the revert's lines
  expect(lines.slice(lines.indexOf(failedLines[0] ?? '') + 1).every((l) => l.includes(` -> RUNNING on ${good} (`))).toBe(true);
  expect(reverted.stdout).toMatch(new RegExp(`\\nReverted to ${good}: 1 host\\(s\\) failed, more than the 0 tolerated: .*exit code 3`));

  const rollouts = JSON.parse((await cli.run('--json', 'rollouts', GROUP)).stdout) as { rolloutId: string; status: string; progress: { failedBeforeRevert: number } }[];
  const revertedId = rollouts.at(-1)?.rolloutId ?? '?';
  expect(rollouts.map((r) => r.status)).toEqual(['SUCCEEDED', 'FAILED', 'REVERTED']);
  expect(rollouts.at(-1)?.progress.failedBeforeRevert).toBe(1);
  const revertedRow = (await cli.run('rollouts', GROUP)).stdout.split('\n').find((l) => l.startsWith(revertedId)) ?? '';
  expect(revertedRow).toMatch(/ {4}REVERTED {4,}reverted \(1 failed\) {4}.* {4}1 host\(s\) failed, more than the 0 tolerated: exit3-e2e-\d: job exit3:3:\w+ EXITED with exit code 3/);
  expect(revertedRow).not.toContain('3/3');
  const details = await cli.run('rollout', revertedId);
  expect(details.stdout).toContain('Progress: reverted (1 failed)');
  const failedHost = /^(exit3-e2e-\d) -> FAILED/.exec(failedLines[0] ?? '')?.[1] ?? '?';
  expect(details.stdout.split('\n').find((l) => l.startsWith(`${failedHost} `))).toMatch(/EXITED with exit code 3.*\(before the revert\)$/);

  const afterRevert = await rolloutOverGraphql(revertedId);
  expect(afterRevert.status).toBe('REVERTED');
  expect(afterRevert.progress.failedBeforeRevert).toBe(1);
  expect(afterRevert.hosts.find((h) => h.host === failedHost)?.failureBeforeRevert).toMatchObject({ reason: 'failed', message: expect.stringContaining(`job ${crashingToo} EXITED with exit code 3`) });

  // the console: REVERTED, a bar that says so (never "100% — 3/3 healthy"), the failed host with its exit code
  await expectText('rollout-status', /^REVERTED$/);
  expect(await expectText('rollout-progress', /^Reverted to /)).toBe(`Reverted to ${good} — 1 failed on ${crashingToo}`);
  expect(await page.getByTestId('rollout-progress').getAttribute('class')).toContain('progress-reverted');
  await expectText('failed-hosts', new RegExp(`^${failedHost} failed: .*EXITED with exit code 3.*\\(before the revert\\)$`));
  expect((await page.getByTestId('host-grid').getAttribute('data-cells'))?.split(' ')).toContain(`${failedHost}=failed`);
  const painted = await paints();
  expect(painted.bars.filter((bar) => /healthy/.test(bar) && /^100%/.test(bar))).toEqual([]);
  await page.screenshot({ path: join(SHOTS, 'reverted-rollout-exit-3.png'), fullPage: true });

  // and the group is back on the good job everywhere, in Docker itself
  await eventually(async () => {
    const running = await docker.docker.listContainers({ filters: { label: ['berth.host'] } });
    const ours = running.filter((c) => HOSTS.includes(c.Labels['berth.host'] ?? ''));
    return ours.length === 3 && ours.every((c) => c.Labels['berth.job-id'] === good);
  }, { timeoutMs: 60_000, what: logs });
}, 300_000);

it('issue 21.6: a rolling update to a group that matches no host warns (CLI and console), and group listings show host counts', async () => {
  expect((await cli.run('create-deployment-group', 'exit3-typo', 'role=exit3-e2f')).code).toBe(0);
  const empty = await cli.run('rolling-update', 'exit3:1', 'exit3-typo');
  expect(empty.code).toBe(0);
  expect(empty.stderr).toMatch(/^Warning: deployment group exit3-typo matches no host \(role=exit3-e2f\): nothing was deployed; hosts that match later get exit3:1:[0-9a-f]{40}\./);
  expect((await cli.run('rollouts', 'exit3-typo')).stdout).toMatch(/ {4}SUCCEEDED {4,}0\/0 \(no hosts\) {4}/);
  const long = (await cli.run('list-deployment-groups', '--long')).stdout.split('\n');
  expect(long.find((l) => l.startsWith('exit3-group '))).toMatch(/^exit3-group\s+3\s+3\s+/);
  expect(long.find((l) => l.startsWith('exit3-typo '))).toMatch(/^exit3-typo\s+0\s+0\s+/);
  expect((await cli.run('inspect-deployment-group', 'exit3-typo')).stdout.trimEnd().split('\n').at(-1)).toBe('Hosts: none match');

  await page.goto(`${stack.gatewayUrl}/groups`);
  const row = (name: string) => page.locator('tr', { has: page.getByRole('link', { name, exact: true }) }).getByTestId('group-hosts');
  await row('exit3-group').getByText('3 (3 UP)').waitFor({ timeout: 15_000 });
  await row('exit3-typo').getByText('none match').waitFor();
  await page.getByRole('link', { name: 'exit3-typo', exact: true }).click();
  await expectText('no-hosts', /^No host matches role = exit3-e2f: a rolling update deploys nothing now/);
  expect(await expectText('rollout-progress', /^No host in the group/)).toBe('No host in the group: nothing to deploy');
  expect(await page.getByTestId('rollout-progress').getAttribute('class')).toContain('progress-empty');
  await page.screenshot({ path: join(SHOTS, 'group-matching-no-host.png'), fullPage: true });
});
