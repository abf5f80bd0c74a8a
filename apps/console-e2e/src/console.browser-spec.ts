import { FakeAgents, REPO_ROOT, eventually, startChromium, startNatsServer, startService, type HeadlessChromium, type NatsServer, type ServiceProcess } from '@berth/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';

/**
 * The web console in a real headless Chromium against the real stack:
 * nats-server, scheduler and gateway as processes (the gateway serving the
 * built console), 20 hosts played by FakeAgents over the real agent protocol.
 * The test plays those agents' task reports itself, so it knows what the grid
 * must show next and waits for the browser to show it; the hosts of the
 * releases, release plan and freezes test report RUNNING by themselves (the
 * pipelines test then sets a pipeline for the release plan's service; the
 * last test starts a release of the releases test's service from the form).
 */
const CONSOLE_DIR = resolve(REPO_ROOT, 'dist/apps/console');
const SHOTS = resolve(REPO_ROOT, 'dist/test-output/console-e2e');
const HOSTS = Array.from({ length: 20 }, (_, i) => `web-${String(i + 1).padStart(2, '0')}`);
const GROUP = 'console-group';
/** the gateway's API tokens: an admin signs in to act, a read-only viewer must not see the actions */
const TOKENS = { admin: 'console-e2e-admin-token-0123456789', read: 'console-e2e-read-token-0123456789' } as const;
let tokensDir: string;

let nats: NatsServer;
let scheduler: ServiceProcess;
let gateway: ServiceProcess;
let nc: NatsConnection;
let agents: FakeAgents;
let browser: HeadlessChromium;
let page: Page;
let url: string;

interface RolloutView {
  readonly status: string;
  readonly finished: boolean;
  readonly hosts: { host: string; state: string; canary: boolean }[];
}

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.admin}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (!body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function currentRollout(): Promise<RolloutView | undefined> {
  const list = await gql<{ rollouts: { items: { rolloutId: string }[] } }>('query($g: String) { rollouts(group: $g) { items { rolloutId } } }', { g: GROUP });
  const last = list.rollouts.items.at(-1);
  if (!last) return undefined;
  const data = await gql<{ rollout: { rollout: RolloutView } }>('query($id: String!) { rollout(id: $id) { rollout { status finished hosts { host state canary } } } }', { id: last.rolloutId });
  return data.rollout.rollout;
}

/** The grid's per-host states as the page last painted them (`host=state`, `*` for canaries). */
async function gridCells(): Promise<Map<string, string>> {
  const attr = await page.getByTestId('host-grid').getAttribute('data-cells');
  return new Map((attr ?? '').split(' ').filter(Boolean).map((token) => token.replace('*', '').split('=') as [string, string]));
}

async function waitForCell(host: string, state: string): Promise<void> {
  await page.waitForFunction(
    ([h, s]) => (document.querySelector('[data-testid="host-grid"]')?.getAttribute('data-cells') ?? '').split(' ').some((t) => t.replace('*', '') === `${h}=${s}`),
    [host, state] as const,
    { timeout: 15_000 },
  );
}

beforeAll(async () => {
  if (!existsSync(join(CONSOLE_DIR, 'index.html'))) throw new Error(`the console is not built in ${CONSOLE_DIR}: run nx build console (the test target depends on it)`);
  mkdirSync(SHOTS, { recursive: true });
  nats = await startNatsServer();
  scheduler = startService('scheduler', 'apps/scheduler/src/main.ts', ['--nats', nats.url, '--http-port', '0']);
  tokensDir = mkdtempSync(join(tmpdir(), 'berth-console-e2e-'));
  const tokensFile = join(tokensDir, 'tokens.json');
  writeFileSync(tokensFile, JSON.stringify([
    { subject: 'console-admin', role: 'admin', token: TOKENS.admin },
    { subject: 'console-viewer', role: 'read', token: TOKENS.read },
  ]));
  gateway = startService('gateway', 'apps/gateway/src/main.ts', ['--nats', nats.url, '--port', '0', '--tokens-file', tokensFile, '--console-dir', CONSOLE_DIR]);
  await scheduler.waitForOutput(/scheduler serving/);
  url = (JSON.parse(await gateway.waitForOutput(/gateway serving/)) as { url: string }).url;
  nc = await connect({ servers: nats.url });
  agents = new FakeAgents(nc, { fullReportEveryMs: 1000 });
  for (const host of HOSTS) {
    agents.setOutcome(host, 'silent'); // the test reports each task state itself
    await agents.register(host, { role: 'console-e2e' });
  }
  await eventually(async () => (await gql<{ hosts: { items: unknown[] } }>('{ hosts(status: "UP") { items { host } } }')).hosts.items.length === HOSTS.length, { timeoutMs: 20_000 });
  browser = await startChromium();
  page = await browser.context.newPage();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  agents?.stop();
  await nc?.drain();
  await gateway?.stop();
  await scheduler?.stop();
  await nats?.stop();
  if (tokensDir) rmSync(tokensDir, { recursive: true, force: true });
});

/** A link of the top navigation bar (pages have their own links too, e.g. breadcrumbs). */
async function nav(name: string): Promise<void> {
  await page.locator('header nav').getByRole('link', { name }).click();
}

async function signIn(token: string): Promise<void> {
  await page.locator('input[name="token"]').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

it('creates a job, rolls it out to 20 hosts on the live group page with a canary promoted, and shows the events in the audit page', async () => {
  // sign in: a wrong token is refused with its code, the admin token lets in
  await page.goto(`${url}/jobs`);
  await signIn('not-a-token');
  await page.locator('form[aria-label="sign in"] [role="alert"][data-code="UNAUTHENTICATED"]').waitFor();
  await signIn(TOKENS.admin);
  await expectText('who', /^console-admin \(admin\)$/);

  // create a job
  await page.locator('textarea[name="job"]').fill(JSON.stringify({ id: 'console-app:1', image: 'local/busybox:1', command: ['sleep', '600'] }));
  await page.getByRole('button', { name: 'Create job' }).click();
  const created = await page.getByTestId('job-created').textContent({ timeout: 10_000 });
  const jobId = /console-app:1:[0-9a-f]{40}/.exec(created ?? '')?.[0];
  expect(jobId).toBeDefined();
  // the list shows it (first page, no cursor)
  await page.getByRole('table').getByRole('link', { name: jobId }).waitFor();

  // a deployment group from a selector; the page says what to do next
  await nav('Deployment groups');
  await page.locator('input[name="name"]').fill(GROUP);
  await page.locator('input[name="selectors"]').fill('role=console-e2e');
  await page.getByRole('button', { name: 'Create group' }).click();
  await page.getByText('No rollout yet.').waitFor();
  const marker = await page.evaluate(() => ((window as unknown as { marker: number }).marker = Math.random()));
  // every grid paint the page makes from here on, without reloading
  await page.evaluate(() => {
    const seen = new Set<string>();
    (window as unknown as { seenGrids: Set<string> }).seenGrids = seen;
    new MutationObserver(() => {
      const cells = document.querySelector('[data-testid="host-grid"]')?.getAttribute('data-cells');
      if (cells) seen.add(cells);
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-cells'], childList: true });
  });

  // a rolling update with a bad option is refused next to the form, nothing started
  await page.locator('input[name="job"]').fill('console-app:1');
  await page.locator('input[name="parallelism"]').fill('six');
  await page.getByRole('button', { name: 'Start rolling update' }).click();
  await page.locator('form[aria-label="start a rolling update"] [role="alert"][data-code="INVALID_ROLLOUT_OPTIONS"]').waitFor();
  expect(await currentRollout()).toBeUndefined();

  // 2 canaries, then batches of 6
  await page.locator('input[name="parallelism"]').fill('6');
  await page.locator('input[name="canary"]').fill('2');
  await page.getByRole('button', { name: 'Start rolling update' }).click();
  let canaries: string[] = [];
  let lastPageText = '';
  const watchPage = setInterval(() => void page.locator('main').innerText().then((t) => (lastPageText = t), () => undefined), 500);
  await eventually(async () => {
    canaries = ((await currentRollout())?.hosts ?? []).filter((h) => h.state === 'DEPLOYING').map((h) => h.host);
    return canaries.length === 2;
  }, { what: () => `2 canaries deploying; the page shows: ${lastPageText}` });
  clearInterval(watchPage);
  const [first, second] = canaries as [string, string];
  await waitForCell(first, 'deploying');

  // the grid follows each task state the agent reports
  await agents.report(first, jobId as string, 'PULLING_IMAGE');
  await waitForCell(first, 'pulling');
  await agents.report(first, jobId as string, 'HEALTHCHECKING');
  await waitForCell(first, 'healthchecking');
  await agents.report(first, jobId as string, 'RUNNING');
  await waitForCell(first, 'healthy');
  await agents.report(second, jobId as string, 'RUNNING');
  await waitForCell(second, 'healthy');
  await expectText('rollout-status', /AWAITING_PROMOTION/);
  // no pace to extrapolate while it waits for an operator (issue 21.7)
  await expectText('eta', /^waits for promote$/);
  expect([...(await gridCells()).values()].filter((s) => s === 'pending')).toHaveLength(18);
  await page.screenshot({ path: join(SHOTS, 'group-awaiting-promotion.png'), fullPage: true });

  await page.getByRole('button', { name: 'Promote' }).click();
  const reported = new Set(canaries);
  let shot = false;
  await eventually(
    async () => {
      const r = await currentRollout();
      if (r?.finished) return true;
      const batch = (r?.hosts ?? []).filter((h) => h.state === 'DEPLOYING' && !reported.has(h.host)).map((h) => h.host);
      if (batch.length > 0 && !shot) {
        // mid-rollout: canaries healthy, a batch deploying, the rest pending
        for (const host of batch) await waitForCell(host, 'deploying');
        await page.screenshot({ path: join(SHOTS, 'group-mid-rollout.png'), fullPage: true });
        shot = true;
      }
      for (const host of batch) {
        reported.add(host);
        await agents.report(host, jobId as string, 'RUNNING');
      }
      return false;
    },
    { timeoutMs: 45_000, what: () => `the rollout to finish; scheduler log:\n${scheduler.output().slice(-3000)}` },
  );
  expect(shot).toBe(true);
  await expectText('rollout-status', /SUCCEEDED/);
  await expectText('group-status', /DONE/);
  await expectText('cell-counts', /^healthy 20$/);
  expect(await page.getByTestId('rollout-progress').getAttribute('aria-valuenow')).toBe('100');
  expect([...(await gridCells()).keys()].sort()).toEqual(HOSTS);
  await page.screenshot({ path: join(SHOTS, 'group-done.png'), fullPage: true });
  // hovering a cell names its host
  const grid = await page.getByTestId('host-grid').boundingBox();
  await page.mouse.move((grid?.x ?? 0) + 4, (grid?.y ?? 0) + 4);
  await page.waitForFunction(() => /^web-01 healthy — HEALTHY · batch \d+( · canary)?$/.test(document.querySelector('.grid-hover')?.textContent ?? ''), undefined, { timeout: 5_000 });
  // one page load, many paints
  expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(marker);
  expect(await page.evaluate(() => (window as unknown as { seenGrids: Set<string> }).seenGrids.size)).toBeGreaterThanOrEqual(8);

  // the audit page: the rollout's events, filtered, and a live tail
  await nav('Audit');
  const events = page.getByTestId('events');
  for (const type of ['JobCreated', 'DeploymentGroupCreated', 'RolloutStarted', 'RolloutPromoted', 'RolloutSucceeded']) await events.getByText(type, { exact: true }).first().waitFor();
  await page.locator('input[name="aggregate"]').fill('job');
  await page.getByRole('button', { name: 'Apply' }).click();
  // the filtered list replaces the full one: wait for the rollout's events to go, then the job's are all that is left
  await events.getByText('RolloutStarted', { exact: true }).first().waitFor({ state: 'detached', timeout: 10_000 });
  await events.getByText('JobCreated', { exact: true }).first().waitFor();
  await gql('mutation($job: JSON!) { createJob(job: $job) { jobId } }', { job: { id: 'console-live:1', image: 'local/busybox:1' } });
  await events.getByText(/^console-live:1:/).waitFor({ timeout: 10_000 });
  await page.screenshot({ path: join(SHOTS, 'audit.png'), fullPage: true });
  // the token's subject is the actor of what the console did
  await page.locator('input[name="aggregate"]').fill('rollout');
  await page.locator('input[name="type"]').fill('RolloutPromoted');
  await page.getByRole('button', { name: 'Apply' }).click();
  await events.locator('tr', { hasText: 'RolloutPromoted' }).getByText('console-admin', { exact: true }).waitFor();
  // the group as of now, rebuilt from its events
  await page.locator('section[aria-label="state as of a time"] input[name="name"]').fill(GROUP);
  await page.getByRole('button', { name: 'Show' }).click();
  await expectText('as-of', /"status": "DONE"/);
});

it('a read-only token sees the live group page without any action', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(TOKENS.read);
  await expectText('who', /^console-viewer \(read\)$/);
  await nav('Deployment groups');
  await page.getByRole('link', { name: GROUP }).click();
  await expectText('rollout-status', /SUCCEEDED/);
  expect((await gridCells()).size).toBe(HOSTS.length);
  for (const name of ['Promote', 'Pause', 'Resume', 'Fail', 'Retry', 'Start rolling update']) expect(await page.getByRole('button', { name }).count()).toBe(0);
  await nav('Deployment groups');
  await page.getByRole('link', { name: GROUP }).waitFor();
  expect(await page.getByRole('button', { name: 'Create group' }).count()).toBe(0);
  await nav('Jobs');
  await page.getByRole('link', { name: /^console-app:1:/ }).waitFor();
  expect(await page.getByRole('button', { name: 'Create job' }).count()).toBe(0);
});

it('an admin creates an API token on the tokens page; signed in with it, the live group page is cut off (UNAUTHENTICATED) the moment it is revoked', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(TOKENS.admin);
  await expectText('who', /^console-admin \(admin\)$/);
  await nav('API tokens');
  await page.locator('input[name="subject"]').fill('console-e2e-bot');
  await page.locator('select[name="role"]').selectOption('read');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = ((await page.getByTestId('new-token').textContent()) ?? '').trim();
  expect(token.length).toBeGreaterThanOrEqual(32);
  await expectText('tokens', /console-e2e-bot\s*read.*live/);
  await page.screenshot({ path: join(SHOTS, 'tokens.png'), fullPage: true });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(token);
  await expectText('who', /^console-e2e-bot \(read\)$/);
  await nav('Deployment groups');
  await page.getByRole('link', { name: GROUP }).click();
  await expectText('rollout-status', /SUCCEEDED/);
  expect(await page.locator('p.error[data-code="UNAUTHENTICATED"]').count()).toBe(0);

  await gql('mutation($s: String!) { revokeApiToken(subject: $s) { sequence } }', { s: 'console-e2e-bot' });
  // the gateway closes the page's graphql-ws connection (4401) without the page asking anything
  await page.locator('p.error[data-code="UNAUTHENTICATED"]').first().waitFor({ timeout: 15_000 });
  const refused = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ whoAmI { subject } }' }) });
  expect(refused.status).toBe(401);
});

it('releases, release plans and freezes: a release advanced from the releases page runs to complete, a plan shows its views, a freeze is set and removed', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(TOKENS.admin);
  await expectText('who', /^console-admin \(admin\)$/);

  // a service with a two-step pipeline (the canary group waits for a manual advance) and a service for a release plan, on hosts that report RUNNING
  const groups = { 'console-svc-canary': ['svc-canary-1'], 'console-svc-main': ['svc-main-1'], 'console-db': ['db-1', 'db-2'] };
  for (const [group, hosts] of Object.entries(groups)) {
    for (const host of hosts) await agents.register(host, { role: group });
    await gql('mutation($name: String!, $selectors: [String!]!) { createDeploymentGroup(name: $name, selectors: $selectors) { sequence } }', { name: group, selectors: [`role=${group}`] });
  }
  await eventually(async () => (await gql<{ hosts: { items: unknown[] } }>('{ hosts(status: "UP") { items { host } } }')).hosts.items.length === HOSTS.length + 4, { timeoutMs: 20_000 });
  for (const id of ['console-svc:1', 'console-db:1']) await gql('mutation($job: JSON!) { createJob(job: $job) { jobId } }', { job: { id, image: 'local/busybox:1' } });
  await gql('mutation($source: String!) { setPipeline(service: "console-svc", source: $source) { changed } }', {
    source: 'pipeline:\n- step: console-svc-canary\n  trigger_next_step_manually: true\n- step: console-svc-main\n',
  });
  const marked = await gql<{ markForDeployment: { release: { releaseId: string } } }>('mutation { markForDeployment(service: "console-svc", job: "1") { release { releaseId } } }');
  const { releaseId } = marked.markForDeployment.release;

  // the releases page: the release waits for an advance after its canary step; Advance (confirmed) from its row runs it to complete
  await nav('Releases');
  const row = page.locator(`tr[data-release="${releaseId}"]`);
  await row.getByText('waiting for advance').waitFor({ timeout: 15_000 });
  expect(await row.locator('td').nth(3).textContent()).toBe('deploying');
  await page.screenshot({ path: join(SHOTS, 'releases-awaiting-advance.png'), fullPage: true });
  page.once('dialog', (dialog) => void dialog.accept());
  await row.getByRole('button', { name: 'Advance' }).click();
  await row.locator('td', { hasText: /^complete$/ }).waitFor({ timeout: 15_000 });
  expect(await row.getByRole('button').count()).toBe(0);
  expect((await gql<{ release: { release: { status: string } } }>('query($id: String!) { release(id: $id) { release { status } } }', { id: releaseId })).release.release.status).toBe('complete');
  // its page shows the final state and both steps done
  await row.getByRole('link', { name: releaseId.slice(0, 8) }).click();
  await expectText('release-status', /^complete$/);
  await page.getByTestId('release-final').waitFor();
  expect(await page.getByTestId('release-steps').getByText('SUCCEEDED', { exact: true }).count()).toBe(2);
  await page.screenshot({ path: join(SHOTS, 'release-complete.png'), fullPage: true });

  // a release plan: listed on the plans page, its page with the services and the current view
  const started = await gql<{ startReleasePlan: { plan: { planId: string } } }>('mutation($source: String!) { startReleasePlan(source: $source) { plan { planId } } }', {
    source: 'services:\n- service: console-db\n  job: 1\n  group: console-db\n',
  });
  const { planId } = started.startReleasePlan.plan;
  await nav('Releases');
  await page.getByRole('link', { name: 'release plans' }).click();
  await page.getByTestId('plans').getByRole('link', { name: planId.slice(0, 8) }).click();
  await expectText('plan-status', /^complete$/);
  await expectText('plan-services', /console-db.*console-db:1:[0-9a-f]+.*COMPLETE/);
  await expectText('plan-current', /console-db: 2\/2 online · console-db:1:[0-9a-f]+ on 2/);
  await page.screenshot({ path: join(SHOTS, 'plan.png'), fullPage: true });

  // freezes: a window that ends before it starts is refused in the form and nothing is sent; a good one is set, listed in force, and removed
  const freezes = async () => (await gql<{ freezes: { items: { name: string; active: boolean }[] } }>('{ freezes { items { name active } } }')).freezes.items;
  await nav('Freezes');
  await page.getByText('No deploy freezes').waitFor();
  const freezeForm = page.locator('form[aria-label="set a deploy freeze"]');
  const [from, to] = [new Date(Date.now() - 60_000).toISOString(), new Date(Date.now() + 600_000).toISOString()];
  await freezeForm.locator('input[name="name"]').fill('console-freeze');
  await freezeForm.locator('input[name="from"]').fill(to);
  await freezeForm.locator('input[name="to"]').fill(from);
  await freezeForm.locator('input[name="services"]').fill('console-svc');
  await freezeForm.locator('input[name="reason"]').fill('console e2e');
  await freezeForm.getByRole('button', { name: 'Set freeze' }).click();
  await freezeForm.locator('[role="alert"][data-code="INVALID_FREEZE"]').waitFor();
  expect(await freezes()).toEqual([]);
  await freezeForm.locator('input[name="from"]').fill(from);
  await freezeForm.locator('input[name="to"]').fill(to);
  await freezeForm.getByRole('button', { name: 'Set freeze' }).click();
  await expectText('freezes', new RegExp(`console-freeze.*yes, until ${to.replace(/\./g, '\\.')}.*console-svc.*console e2e`));
  expect(await freezes()).toEqual([{ name: 'console-freeze', active: true }]);
  await page.screenshot({ path: join(SHOTS, 'freezes.png'), fullPage: true });
  page.once('dialog', (dialog) => void dialog.accept());
  await page.locator('tr[data-freeze="console-freeze"]').getByRole('button', { name: 'Remove' }).click();
  await page.locator('tr[data-freeze="console-freeze"]').waitFor({ state: 'detached', timeout: 10_000 });
  expect(await freezes()).toEqual([]);
});

it('pipelines: a deploy.yaml with a mistake is refused with the problem on its line (a click selects it), then fixed, saved as typed and listed', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(TOKENS.admin);
  await expectText('who', /^console-admin \(admin\)$/);
  const stored = async () => (await gql<{ pipelines: { items: { service: string; source: string | null }[] } }>('{ pipelines { items { service source } } }')).pipelines.items;

  // console-db (the release plan's service, running in its group console-db) has no pipeline yet: its editor starts from an example
  await nav('Pipelines');
  await page.locator('form[aria-label="write a pipeline"] input[name="service"]').fill('console-db');
  await page.getByRole('button', { name: 'Write its deploy.yaml' }).click();
  await page.getByText('No pipeline for console-db.').waitFor();
  await page.getByRole('note').getByText(/example to adapt/).waitFor();
  const editor = page.locator('form[aria-label="edit deploy.yaml"]');
  const source = editor.locator('textarea[name="source"]');
  await source.fill('pipeline:\n- step: "{service}"\n  timeout: soon\n');
  await editor.getByRole('button', { name: 'Validate' }).click();
  const problem = page.getByTestId('pipeline-problems').locator('li[data-line="3"]');
  await problem.getByText(/must be a number of seconds/).waitFor();
  // Save is refused the same way by the scheduler, and nothing is stored
  await editor.getByRole('button', { name: 'Save' }).click();
  await editor.locator('[role="alert"][data-code="INVALID_PIPELINE"]').waitFor();
  expect(await problem.locator('code').textContent()).toBe('pipeline[0].timeout');
  expect((await stored()).map((p) => p.service)).not.toContain('console-db');
  await problem.getByRole('button', { name: 'line 3' }).click();
  expect(await source.evaluate((t: HTMLTextAreaElement) => [document.activeElement === t, t.value.slice(t.selectionStart, t.selectionEnd)])).toEqual([true, '  timeout: soon']);
  await page.screenshot({ path: join(SHOTS, 'pipeline-invalid.png'), fullPage: true });

  const fixed = 'pipeline:\n- step: "{service}"\n  timeout: 600\n';
  await source.fill(fixed);
  await editor.getByRole('button', { name: 'Save' }).click();
  await editor.getByRole('status').getByText('Saved as revision 1.').waitFor();
  expect((await stored()).find((p) => p.service === 'console-db')?.source).toBe(fixed);
  await nav('Pipelines');
  await expectText('pipelines', /console-db\s*step console-db · timeout 600 s\s*1/);
  await page.screenshot({ path: join(SHOTS, 'pipelines.png'), fullPage: true });
});

it('operator actions: a release started from the releases page is listed; a job is removed from its page; a release plan started from the plans page completes', async () => {
  // console-svc (its pipeline set in the releases test) gets a new version, released from the form
  const created = await gql<{ createJob: { jobId: string } }>('mutation($job: JSON!) { createJob(job: $job) { jobId } }', { job: { id: 'console-svc:2', image: 'local/busybox:1' } });
  const jobId = created.createJob.jobId;
  await nav('Releases');
  const form = page.locator('form[aria-label="start a release"]');
  await form.locator('select[name="service"]').selectOption('console-svc');
  await form.locator(`select[name="job"] option[value="${jobId}"]`).waitFor({ state: 'attached' });
  await form.locator('select[name="job"]').selectOption(jobId);
  await form.getByRole('button', { name: 'Start release' }).click();
  const href = await form.getByRole('status').getByRole('link').getAttribute('href', { timeout: 10_000 });
  const releaseId = decodeURIComponent((href ?? '').replace('/releases/', ''));
  await page.locator(`tr[data-release="${releaseId}"]`).getByRole('link', { name: jobId }).waitFor({ timeout: 10_000 });
  const started = await gql<{ release: { release: { service: string; jobId: string } } }>('query($id: String!) { release(id: $id) { release { service jobId } } }', { id: releaseId });
  expect(started.release.release).toEqual({ service: 'console-svc', jobId });
  await page.screenshot({ path: join(SHOTS, 'release-started.png'), fullPage: true });

  // a job deployed nowhere is removed from its page (after a confirmation); the jobs list opens without it
  const spare = (await gql<{ createJob: { jobId: string } }>('mutation($job: JSON!) { createJob(job: $job) { jobId } }', { job: { id: 'console-spare:1', image: 'local/busybox:1' } })).createJob.jobId;
  await nav('Jobs');
  await page.getByRole('link', { name: spare }).click();
  await page.getByTestId('job-definition').waitFor();
  page.once('dialog', (dialog) => void dialog.accept());
  await page.locator('form[aria-label="remove the job"]').getByRole('button', { name: 'Remove job' }).click();
  await page.waitForURL(/\/jobs$/, { timeout: 10_000 });
  const left = await gql<{ jobs: { items: { id: string }[] } }>('query($f: JobFilter) { jobs(filter: $f) { items { id } } }', { f: { name: 'console-spare' } });
  expect(left.jobs.items).toEqual([]);

  // a release plan from the plans page form (sent as the release.yaml startReleasePlan takes): its page opens and it completes
  await gql('mutation($job: JSON!) { createJob(job: $job) { jobId } }', { job: { id: 'console-db:2', image: 'local/busybox:1' } });
  await nav('Releases');
  await page.getByRole('link', { name: 'release plans' }).click();
  const planForm = page.locator('form[aria-label="start a release plan"]');
  await planForm.locator('input[name="service"]').fill('console-db');
  await planForm.locator('input[name="job"]').fill('2');
  await planForm.locator('input[name="group"]').fill('console-db');
  await planForm.getByRole('button', { name: 'Start release plan' }).click();
  await page.waitForURL(/\/plans\/[0-9a-f-]{36}$/, { timeout: 10_000 });
  await expectText('plan-status', /^complete$/);
  await expectText('plan-services', /console-db.*console-db:2:[0-9a-f]+.*COMPLETE/);
});

async function expectText(testId: string, pattern: RegExp): Promise<void> {
  const locator = page.getByTestId(testId);
  try {
    await page.waitForFunction(([id, source]) => new RegExp(source).test(document.querySelector(`[data-testid="${id}"]`)?.textContent ?? ''), [testId, pattern.source] as const, { timeout: 15_000 });
  } catch {
    throw new Error(`[data-testid=${testId}] never matched ${pattern}; it shows: ${await locator.textContent({ timeout: 1000 }).catch(() => '(absent)')}`);
  }
}
