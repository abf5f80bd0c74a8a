import { act, fireEvent, render, screen } from '@testing-library/react';
import { BerthApiError } from '../api/berth-api';
import type { Rollout } from '../api/types';
import { SessionContext, type Role } from '../app/session';
import { ScriptedBerthApi } from '../testing/scripted-api';
import { GroupPage } from './group-page';

const ROLLOUT: Rollout = {
  rolloutId: 'r-1',
  group: 'web',
  jobId: 'app:2:abc',
  targetJobId: 'app:2:abc',
  status: 'AWAITING_PROMOTION',
  paused: false,
  promoted: false,
  finished: false,
  startedAt: new Date(Date.now() - 10_000).toISOString(),
  error: null,
  batches: 1,
  reason: 'MANUAL',
  options: null,
  limits: null,
  progress: { total: 3, pending: 2, deploying: 0, healthy: 1, failed: 0, skipped: 0, upToDate: 0 },
  hosts: [
    { host: 'h1', state: 'HEALTHY', batch: 1, canary: true, up: true, targetRunning: true, failure: null },
    { host: 'h2', state: 'PENDING', batch: null, canary: false, up: true, targetRunning: false, failure: null },
    { host: 'h3', state: 'PENDING', batch: null, canary: false, up: true, targetRunning: false, failure: null },
  ],
};

// jsdom has no canvas: the grid's state is checked through its data attributes
beforeAll(() => {
  HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;
});

const GROUP = { name: 'web', selectors: ['role=web'], status: 'ROLLING_OUT', jobId: 'app:2:abc', rolloutId: 'r-1', error: null, reason: 'MANUAL', lastStableJobId: null };

/** Pushes subscription messages; the page renders them on the next animation frame. */
async function push(api: ScriptedBerthApi, ...messages: [string, unknown][]): Promise<void> {
  await act(async () => {
    for (const [field, data] of messages) api.push(field, data);
    await new Promise((resolve) => requestAnimationFrame(resolve));
  });
}

async function renderPage(role: Role, answer: (query: string) => unknown = () => ({})) {
  const api = new ScriptedBerthApi((query) => (query.includes('deploymentGroup(') ? { deploymentGroup: { sequence: 5, group: GROUP } } : answer(query)));
  render(
    <SessionContext.Provider value={{ api, role, subject: 'tester', signOut: () => undefined }}>
      <GroupPage name="web" />
    </SessionContext.Provider>,
  );
  await screen.findByTestId('group-status');
  await push(api, ['rolloutProgress', { rolloutProgress: { event: null, sequence: 5, rollout: ROLLOUT } }]);
  return api;
}

it('paints the live rollout: status, progress, one cell per host with canary marker, task states as they come', async () => {
  const api = await renderPage('deploy');
  expect(screen.getByTestId('rollout-status').textContent).toBe('AWAITING_PROMOTION');
  expect(screen.getByTestId('rollout-progress').getAttribute('aria-valuenow')).toBe('33');
  expect(screen.getByTestId('host-grid').getAttribute('data-cells')).toBe('h1=healthy* h2=pending h3=pending');
  await push(api, ['rolloutProgress', { rolloutProgress: { event: 'BatchStarted', sequence: 6, rollout: { ...ROLLOUT, status: 'ROLLING_OUT', promoted: true, hosts: ROLLOUT.hosts?.map((h) => (h.host === 'h2' ? { ...h, state: 'DEPLOYING', batch: 2 } : h)) } } }]);
  expect(screen.getByTestId('host-grid').getAttribute('data-cells')).toBe('h1=healthy* h2=deploying h3=pending');
  expect(screen.getByTestId('host-grid').getAttribute('data-sequence')).toBe('6');
  await push(
    api,
    ['TaskStates', { events: { aggregateId: 'h2', data: { host: 'h2', jobId: 'app:1:old', status: { state: 'HEALTHCHECKING' } } } }],
    ['TaskStates', { events: { aggregateId: 'h2', data: { host: 'h2', jobId: 'app:2:abc', status: { state: 'PULLING_IMAGE' } } } }],
  );
  expect(screen.getByTestId('host-grid').getAttribute('data-cells')).toBe('h1=healthy* h2=pulling h3=pending');
});

it('while canaries await promotion, the ETA says it waits for promote (no pace to extrapolate)', async () => {
  await renderPage('read');
  expect(screen.getByTestId('eta').textContent).toBe('waits for promote');
});

it('a crashed task paints its host failed at once; a reverted rollout reads as reverted with each failed host and its exit code, never a 100% healthy bar', async () => {
  const api = await renderPage('read');
  const exit = { reason: 'failed', message: 'h2: job app:2:abc EXITED with exit code 3 (FLAPPING)' };
  const deploying = { ...ROLLOUT, status: 'ROLLING_OUT', promoted: true, hosts: ROLLOUT.hosts?.map((h) => (h.host === 'h2' ? { ...h, state: 'DEPLOYING', batch: 2 } : h)) ?? [] };
  await push(
    api,
    ['rolloutProgress', { rolloutProgress: { event: 'BatchStarted', sequence: 6, rollout: deploying } }],
    ['TaskStates', { events: { aggregateId: 'h2', data: { host: 'h2', jobId: 'app:2:abc', status: { state: 'EXITED', exitCode: 3 } } } }],
  );
  expect(screen.getByTestId('host-grid').getAttribute('data-cells')).toBe('h1=healthy* h2=failed h3=pending');
  const reverted: Rollout = {
    ...ROLLOUT,
    status: 'REVERTED',
    finished: true,
    promoted: true,
    targetJobId: 'app:1:old',
    error: '1 host(s) failed, more than the 0 tolerated: h2: … exit code 3 (FLAPPING) - reverted to app:1:old',
    progress: { total: 3, pending: 0, deploying: 0, healthy: 2, failed: 0, skipped: 0, upToDate: 1, failedBeforeRevert: 1 },
    hosts: [
      { host: 'h1', state: 'HEALTHY', batch: 3, canary: false, up: true, targetRunning: true, failure: null },
      { host: 'h2', state: 'HEALTHY', batch: 3, canary: false, up: true, targetRunning: true, failure: null, failureBeforeRevert: exit },
      { host: 'h3', state: 'UP_TO_DATE', batch: null, canary: false, up: true, targetRunning: true, failure: null },
    ],
  };
  await push(api, ['rolloutProgress', { rolloutProgress: { event: 'RolloutReverted', sequence: 9, rollout: reverted } }]);
  expect(screen.getByTestId('rollout-status').textContent).toBe('REVERTED');
  const bar = screen.getByTestId('rollout-progress');
  expect(bar.textContent).toBe('Reverted to app:1:old — 1 failed on app:2:abc');
  expect(bar.className).toContain('progress-reverted');
  expect(bar.textContent).not.toMatch(/healthy/);
  expect(screen.getByTestId('failed-hosts').textContent).toBe('h2 failed: job app:2:abc EXITED with exit code 3 (FLAPPING) (before the revert)');
  expect(screen.getByTestId('host-grid').getAttribute('data-cells')).toBe('h1=healthy h2=failed h3=healthy');
  expect(screen.getByTestId('eta').textContent).toBe('finished');
});

it('asks for changed hosts only and lays each message over the rollout so far, several in one frame included', async () => {
  const api = await renderPage('read');
  const subscribed = api.subscriptions.find((s) => s.query.includes('rolloutProgress('));
  expect(subscribed?.query).toContain('changedHostsOnly: true');
  const only = (host: string, state: string) => ({ ...ROLLOUT, status: 'ROLLING_OUT', hosts: ROLLOUT.hosts?.filter((h) => h.host === host).map((h) => ({ ...h, state, batch: 2 })) ?? [] });
  await push(
    api,
    ['rolloutProgress', { rolloutProgress: { event: 'BatchStarted', sequence: 6, rollout: only('h2', 'DEPLOYING') } }],
    ['rolloutProgress', { rolloutProgress: { event: 'HostsObserved', sequence: 7, rollout: only('h3', 'DEPLOYING') } }],
  );
  expect(screen.getByTestId('host-grid').getAttribute('data-cells')).toBe('h1=healthy* h2=deploying h3=deploying');
  expect(screen.getByTestId('host-grid').getAttribute('data-sequence')).toBe('7');
  await push(api, ['rolloutProgress', { rolloutProgress: { event: 'HostsObserved', sequence: 8, rollout: only('h2', 'HEALTHY') } }]);
  expect(screen.getByTestId('host-grid').getAttribute('data-cells')).toBe('h1=healthy* h2=healthy h3=deploying');
});

it('a deploy token gets the buttons and the form; Promote sends the mutation', async () => {
  const api = await renderPage('deploy', (q) => (q.includes('promote') ? { promote: { rolloutId: 'r-1', changed: true, sequence: 7 } } : {}));
  expect(screen.getByRole('form', { name: 'start a rolling update' })).toBeTruthy();
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Promote' }));
  });
  expect(api.requests.at(-1)).toEqual({ query: expect.stringContaining('promote(rollout: $rollout)'), variables: { rollout: 'r-1' } });
});

it('a read-only token sees the rollout but no action button and no form', async () => {
  await renderPage('read');
  expect(screen.getByTestId('host-grid')).toBeTruthy();
  expect(screen.queryByRole('button', { name: 'Promote' })).toBeNull();
  expect(screen.queryByRole('button', { name: 'Pause' })).toBeNull();
  expect(screen.queryByRole('form', { name: 'start a rolling update' })).toBeNull();
});

it('shows an API error with its Berth code next to the button that caused it', async () => {
  await renderPage('admin', () => new BerthApiError('ROLLOUT_NOT_AWAITING_PROMOTION', 'the canaries are not healthy yet'));
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Promote' }));
  });
  const alert = screen.getByRole('alert');
  expect(alert.textContent).toBe('ROLLOUT_NOT_AWAITING_PROMOTION the canaries are not healthy yet');
  expect(alert.closest('[aria-label="rollout actions"]')).not.toBeNull();
});

it('warns when the group matches no host: a rolling update would deploy nothing', async () => {
  const api = new ScriptedBerthApi((query) =>
    query.includes('deploymentGroup(') ? { deploymentGroup: { sequence: 5, group: { ...GROUP, rolloutId: null, status: 'IDLE', hostCounts: { matching: 0, up: 0 } } } } : {},
  );
  render(
    <SessionContext.Provider value={{ api, role: 'deploy', subject: 'tester', signOut: () => undefined }}>
      <GroupPage name="web" />
    </SessionContext.Provider>,
  );
  const note = await screen.findByTestId('no-hosts');
  expect(note.textContent).toMatch(/^No host matches role=web: a rolling update deploys nothing now/);
  expect(screen.getByText(/hosts matching role=web \(none match\)/)).toBeTruthy();
});

it('explains an unknown group and what to do', async () => {
  const api = new ScriptedBerthApi(() => new BerthApiError('DEPLOYMENT_GROUP_NOT_FOUND', 'Deployment group not found: nope'));
  render(
    <SessionContext.Provider value={{ api, role: 'admin', subject: 'tester', signOut: () => undefined }}>
      <GroupPage name="nope" />
    </SessionContext.Provider>,
  );
  expect((await screen.findByText(/There is no deployment group named/)).textContent).toMatch(/Create it on the deployment groups page/);
});

it('the rolling-update form refuses bad options next to the form, without calling the gateway', async () => {
  const api = await renderPage('deploy');
  const form = screen.getByRole('form', { name: 'start a rolling update' });
  fireEvent.change(form.querySelector('input[name="job"]') as Element, { target: { value: 'app:2' } });
  fireEvent.change(form.querySelector('input[name="parallelism"]') as Element, { target: { value: 'lots' } });
  const before = api.requests.length;
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Start rolling update' }));
  });
  expect(api.requests.length).toBe(before);
  expect(screen.getByRole('form', { name: 'start a rolling update' }).querySelector('[role="alert"]')?.getAttribute('data-code')).toBe('INVALID_ROLLOUT_OPTIONS');
  expect(screen.getByText(/expected a whole number of hosts/)).toBeTruthy();
});
