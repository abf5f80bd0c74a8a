import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { BerthApiError } from '../api/berth-api';
import type { ReleasePlan } from '../api/types';
import { renderInSession } from '../testing/render-in-session';
import { ScriptedBerthApi } from '../testing/scripted-api';
import { PlanPage } from './plan-page';
import { PlansPage } from './plans-page';

const PLAN: ReleasePlan = {
  planId: 'plan-1234-5678',
  status: 'running',
  error: null,
  createdAt: '2026-11-25T10:00:00.000Z',
  updatedAt: '2026-11-25T10:02:00.000Z',
  levels: [['db-proxy'], ['api', 'web']],
  deployQueue: ['api', 'web'],
  services: [
    { service: 'db-proxy', jobId: 'db-proxy:2:a', group: 'dc1.db-proxy', quorum: 2, maxUnavailable: null, dependsOn: [], status: 'RUNNING', releaseId: 'rel-db', releaseStatus: 'deploying', error: null },
    { service: 'api', jobId: 'api:7:b', group: 'dc1.api', quorum: null, maxUnavailable: 2, dependsOn: ['db-proxy'], status: 'WAITING', releaseId: null, releaseStatus: null, error: null },
    { service: 'web', jobId: 'web:3:c', group: 'dc1.web', quorum: null, maxUnavailable: null, dependsOn: ['db-proxy'], status: 'WAITING', releaseId: null, releaseStatus: null, error: null },
  ],
  current: [
    {
      service: 'db-proxy',
      hosts: [
        { host: 'h1', online: true, version: 'db-proxy:2:a' },
        { host: 'h2', online: true, version: 'db-proxy:1:z' },
        { host: 'h3', online: false, version: 'db-proxy:1:z' },
      ],
    },
  ],
  staging: [{ service: 'db-proxy', jobId: 'db-proxy:2:a', hosts: ['h1', 'h2'] }],
};

it('lists the plans with their services and deploy queue', async () => {
  const api = new ScriptedBerthApi(() => ({ releasePlans: { sequence: 3, items: [PLAN] } }));
  renderInSession(api, <PlansPage />, 'read');
  const table = await screen.findByTestId('plans');
  const cells = [...(within(table).getAllByRole('row')[1] as HTMLTableRowElement).cells].map((c) => c.textContent);
  expect(cells).toEqual(['plan-123', 'running', 'db-proxy RUNNING, api WAITING, web WAITING', 'api, web', '2026-11-25T10:00:00.000Z', '2026-11-25T10:02:00.000Z']);
});

it('a plan shows the current, staging and deploy-queue views, and is re-read when a plan event arrives', async () => {
  let plan = PLAN;
  const api = new ScriptedBerthApi((_q, v) => (v['id'] === PLAN.planId ? { releasePlan: { sequence: 3, plan } } : new BerthApiError('RELEASE_PLAN_NOT_FOUND', 'no')));
  renderInSession(api, <PlanPage id={PLAN.planId} />, 'read');
  expect((await screen.findByTestId('plan-current')).textContent).toBe('db-proxy: 2/3 online · db-proxy:1:z on 2 · db-proxy:2:a on 1 · offline: h3');
  expect(screen.getByTestId('plan-staging').textContent).toBe('db-proxy: db-proxy:2:a staged on 2 hosts');
  expect(screen.getByTestId('plan-queue').textContent).toBe('api → web');
  expect(screen.getByText(/order: db-proxy → api \+ web/)).toBeTruthy();
  expect(screen.queryByRole('button')).toBeNull();
  plan = { ...PLAN, status: 'complete', deployQueue: [] };
  act(() => {
    expect(api.push('Changes', { events: { sequence: 4 } })).toBeGreaterThan(0);
  });
  await waitFor(() => expect(screen.getByTestId('plan-status').textContent).toBe('complete'));
  expect(screen.getByTestId('plan-queue').textContent).toBe('empty');
});

it('a deploy token abandons a running plan after a confirm', async () => {
  const api = new ScriptedBerthApi((q) => (q.includes('abandonReleasePlan(') ? { abandonReleasePlan: { sequence: 5, plan: { planId: PLAN.planId, status: 'abandoned' } } } : { releasePlan: { sequence: 3, plan: PLAN } }));
  const confirm = jest.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
  renderInSession(api, <PlanPage id={PLAN.planId} />, 'deploy');
  await screen.findByTestId('plan-services');
  await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Abandon plan' })));
  await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Abandon plan' })));
  expect(api.requests.filter((r) => r.query.includes('abandonReleasePlan(')).map((r) => r.variables)).toEqual([{ plan: PLAN.planId }]);
  confirm.mockRestore();
});

it('an unknown plan says so', async () => {
  const api = new ScriptedBerthApi(() => new BerthApiError('RELEASE_PLAN_NOT_FOUND', 'Release plan not found: x'));
  renderInSession(api, <PlanPage id="x" />, 'read');
  expect(await screen.findByText(/There is no release plan/)).toBeTruthy();
});
