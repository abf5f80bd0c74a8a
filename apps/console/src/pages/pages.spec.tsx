import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { BerthEvent } from '../api/types';
import { renderInSession as renderWith } from '../testing/render-in-session';
import { ScriptedBerthApi } from '../testing/scripted-api';
import { AuditPage, matchesFilters } from './audit-page';
import { FleetPage, parseSelectors } from './fleet-page';
import { GroupsPage } from './groups-page';
import { JobPage } from './job-page';
import { JobsPage } from './jobs-page';

const nextFrame = () => act(async () => void (await new Promise((resolve) => requestAnimationFrame(resolve))));

const event = (over: Partial<BerthEvent>): BerthEvent => ({ position: 1, sequence: 1, time: '2026-11-25T10:00:00.000Z', type: 'JobCreated', aggregate: 'job', aggregateId: 'web:1:a', actor: 'alice', correlationId: 'c', data: {}, ...over });

describe('audit', () => {
  const none = { aggregate: '', id: '', type: '', actor: '', fromTime: '', toTime: '' };
  it('the live tail applies every filter the history query does', () => {
    expect(matchesFilters(event({}), none)).toBe(true);
    expect(matchesFilters(event({}), { ...none, actor: 'bob' })).toBe(false);
    expect(matchesFilters(event({}), { ...none, aggregate: 'job', id: 'web:1:a', type: 'JobCreated', actor: 'alice' })).toBe(true);
    expect(matchesFilters(event({}), { ...none, fromTime: '2026-11-25T10:00:01Z' })).toBe(false);
    expect(matchesFilters(event({}), { ...none, toTime: '2026-11-25T09:59:59Z' })).toBe(false);
  });

  it('shows the history, then tails live events from the sequence after it', async () => {
    const api = new ScriptedBerthApi(() => ({ events: { totalCount: 1, sequence: 41, nextCursor: null, items: [event({ sequence: 41, position: 41 })] } }));
    renderWith(api, <AuditPage />);
    await screen.findByText('web:1:a');
    act(() => {
      expect(api.push('EventFeed', { events: event({ sequence: 42, position: 42, type: 'JobRemoved', actor: 'bob' }) })).toBe(1);
    });
    await screen.findByText('JobRemoved');
    const rows = within(screen.getByTestId('events')).getAllByRole('row');
    expect(rows.map((r) => r.textContent?.slice(0, 2))).toEqual(['Se', '42', '41']);
  });
});

describe('fleet', () => {
  it('splits selectors on ";"', () => {
    expect(parseSelectors(' role=web; zone in (a, b) ;; ')).toEqual(['role=web', 'zone in (a, b)']);
  });

  it('lists hosts live as hostStatus reports them, and says what to do when there are none', async () => {
    const api = new ScriptedBerthApi(() => ({ hosts: { sequence: 1, items: [] } }));
    renderWith(api, <FleetPage />);
    await act(async () => undefined);
    expect(screen.getByText(/No hosts have registered yet/)).toBeTruthy();
    act(() => {
      api.push('hostStatus', { hostStatus: { name: 'h2', registered: true, sequence: 2, host: { host: 'h2', status: 'UP', labels: { role: 'web' }, downSince: null, jobCount: 0, deployments: [] } } });
      api.push('hostStatus', { hostStatus: { name: 'h10', registered: true, sequence: 3, host: { host: 'h10', status: 'DOWN', labels: {}, downSince: '2026-11-25T10:00:00Z', jobCount: 1, deployments: [{ jobId: 'web:1:a', state: 'RUNNING', goal: 'START' }] } } });
    });
    const rows = within(screen.getByTestId('hosts')).getAllByRole('row').slice(1);
    expect(rows.map((r) => (r as HTMLTableRowElement).cells[0]?.textContent)).toEqual(['h2', 'h10']);
    expect(screen.getByText('2 hosts, 1 UP, 1 DOWN')).toBeTruthy();
    act(() => {
      api.push('hostStatus', { hostStatus: { name: 'h10', registered: false, sequence: 4, host: null } });
    });
    expect(screen.getByText('1 hosts, 1 UP, 0 DOWN')).toBeTruthy();
    await act(async () => undefined);
  });
});

describe('jobs', () => {
  const page = (ids: string[], nextCursor: string | null) => ({ jobs: { totalCount: 3, nextCursor, sequence: 1, items: ids.map((id) => ({ id, name: id.split(':')[0], version: '1', deployments: [] })) } });

  it('pages with the cursor the gateway gives, and back', async () => {
    const api = new ScriptedBerthApi((_q, v) => (v['after'] === 'c2' ? page(['c:1:z'], null) : page(['a:1:x', 'b:1:y'], 'c2')));
    renderWith(api, <JobsPage />, 'read');
    await screen.findByText('a:1:x');
    expect(api.requests[0]?.variables).toEqual({ first: 50 });
    expect(screen.queryByRole('form', { name: 'create a job' })).toBeNull();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Next' })));
    await screen.findByText('c:1:z');
    expect(api.requests.at(-1)?.variables).toMatchObject({ after: 'c2', first: 50 });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Previous' })));
    await screen.findByText('a:1:x');
  });

  it('refuses a job file that is not JSON next to the form, without calling the gateway', async () => {
    const api = new ScriptedBerthApi(() => page([], null));
    renderWith(api, <JobsPage />, 'deploy');
    const form = await screen.findByRole('form', { name: 'create a job' });
    fireEvent.change(form.querySelector('textarea') as Element, { target: { value: '{ id: web' } });
    const before = api.requests.length;
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Create job' })));
    expect(api.requests.length).toBe(before);
    expect(within(form).getByRole('alert').getAttribute('data-code')).toBe('INVALID_JOB_DEFINITION');
  });

  it('a job page asks before undeploying and sends the job, host and token', async () => {
    const api = new ScriptedBerthApi((q) =>
      q.includes('undeploy')
        ? { undeploy: { sequence: 9, status: 'UNDEPLOYED' } }
        : { job: { job: { id: 'web:1:a', job: { image: 'busybox' }, deployments: [{ host: 'h1', goal: 'START', state: 'RUNNING', deploymentGroupName: null, status: null }] } }, jobHistory: { entries: [] } },
    );
    const confirm = jest.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
    renderWith(api, <JobPage id="web:1:a" />, 'deploy');
    await screen.findByTestId('deployments');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Undeploy' })));
    expect(api.requests.some((r) => r.query.includes('undeploy('))).toBe(false);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Undeploy' })));
    expect(api.requests.find((r) => r.query.includes('undeploy('))?.variables).toEqual({ job: 'web:1:a', host: 'h1' });
    expect(confirm).toHaveBeenCalledTimes(2);
    confirm.mockRestore();
  });
});

it('a read-only token sees a job without action buttons', async () => {
  const api = new ScriptedBerthApi(() => ({ job: { job: { id: 'web:1:a', job: {}, deployments: [{ host: 'h1', goal: 'START', state: 'RUNNING', deploymentGroupName: null, status: null }] } }, jobHistory: { entries: [] } }));
  renderWith(api, <JobPage id="web:1:a" />, 'read');
  await screen.findByTestId('deployments');
  expect(screen.queryByRole('button')).toBeNull();
  await nextFrame();
});

it('the groups list re-reads itself when a deployment-group or host event arrives (host counts follow the fleet)', async () => {
  let status = 'IDLE';
  const api = new ScriptedBerthApi(() => ({ deploymentGroups: { sequence: 1, items: [{ name: 'web', selectors: ['role=web'], status, jobId: null, rolloutId: null, error: null, createdAt: 't' }] } }));
  renderWith(api, <GroupsPage />);
  await screen.findByText('IDLE');
  expect(api.subscriptions.filter((s) => s.query.includes('Changes')).map((s) => (s.variables['filter'] as { aggregate: string }).aggregate)).toEqual(['deployment-group', 'host']);
  status = 'ROLLING_OUT';
  act(() => {
    expect(api.push('Changes', { events: { sequence: 2 } })).toBe(2);
  });
  await waitFor(() => expect(screen.getByText('ROLLING_OUT')).toBeTruthy());
  expect(api.requests.filter((r) => r.query.includes('deploymentGroups'))).toHaveLength(2);
});

it('the groups list shows how many hosts each group matches, and marks one that matches none', async () => {
  const group = (name: string, matching: number, up: number) => ({ name, selectors: [`role=${name}`], status: 'DONE', jobId: null, rolloutId: null, error: null, createdAt: 't', hostCounts: { matching, up } });
  const api = new ScriptedBerthApi(() => ({ deploymentGroups: { sequence: 1, items: [group('web', 3, 2), group('typo', 0, 0)] } }));
  renderWith(api, <GroupsPage />);
  await screen.findByText('web');
  expect(api.requests[0]?.query).toContain('hostCounts { matching up }');
  const cells = screen.getAllByTestId('group-hosts');
  expect(cells.map((c) => c.textContent)).toEqual(['3 (2 UP)', 'none match']);
  expect(cells[1]?.className).toBe('warning');
  await nextFrame();
});
