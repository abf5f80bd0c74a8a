import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { BerthApiError } from '../api/berth-api';
import type { Freeze, Release } from '../api/types';
import { releaseOf } from '../testing/releases';
import { renderInSession } from '../testing/render-in-session';
import { ScriptedBerthApi } from '../testing/scripted-api';
import { ReleasePage } from './release-page';
import { ReleasesPage } from './releases-page';

const release = releaseOf;

const AWAITING = release({});
const DEPLOYED = release({ releaseId: 'rel-bbbb-2222', service: 'api', jobId: 'api:7:def', status: 'deployed', stage: 1, stages: 2, awaitingTrigger: false, certifyAt: '2026-11-25T10:20:00.000Z' });
const COMPLETE = release({ releaseId: 'rel-cccc-3333', service: 'db', jobId: 'db:3:0', status: 'complete', stage: 1, awaitingTrigger: false, finished: true });

const XMAS: Freeze = { name: 'xmas', services: null, groups: ['prod.main'], window: { kind: 'range', from: '2026-12-24T00:00:00Z', to: '2026-12-27T00:00:00Z' }, reason: 'holidays', setAt: 't', active: false, until: null };
const WEEKENDS: Freeze = { name: 'weekends', services: ['web'], groups: null, window: { kind: 'weekly', days: ['sat', 'sun'], from: '00:00', to: '24:00', timeZone: 'Europe/Paris' }, reason: 'no weekend deploys', setAt: 't', active: true, until: '2026-11-30T23:00:00.000Z' };

/** A gateway with three releases and two freezes; release mutations answer (or fail with `refuse`). */
function releaseGateway(refuse?: BerthApiError) {
  return new ScriptedBerthApi((query) => {
    const mutation = /(advance|complete|abandon|rollback|snooze)Release\(/.exec(query);
    if (mutation) return refuse ?? { [`${mutation[1]}Release`]: { changed: true, sequence: 9, release: { releaseId: 'x', status: 'whatever' } } };
    if (query.includes('releases(')) return { releases: { sequence: 8, items: [AWAITING, DEPLOYED, COMPLETE] } };
    if (query.includes('freezes')) return { freezes: { sequence: 8, items: [XMAS, WEEKENDS] } };
    if (query.includes('pipelines')) return { pipelines: { sequence: 8, items: [] } };
    return {};
  });
}

/** A gateway whose releases are `items()` now, with no freezes and no pipelines. */
const listGateway = (items: () => Release[]) =>
  new ScriptedBerthApi((query) => {
    if (query.includes('releases(')) return { releases: { sequence: 8, items: items() } };
    if (query.includes('pipelines')) return { pipelines: { sequence: 8, items: [] } };
    return { freezes: { sequence: 8, items: [] } };
  });

const rowOf = (releaseId: string) => {
  const row = screen.getByTestId('releases').querySelector(`tr[data-release="${releaseId}"]`);
  if (!row) throw new Error(`no row for ${releaseId}`);
  return row as HTMLTableRowElement;
};
/** The mutation field each request called, with its variables. */
const mutations = (api: ScriptedBerthApi) =>
  api.requests.filter((r) => r.query.trimStart().startsWith('mutation')).map((r) => [/\{\s*(\w+)\(/.exec(r.query)?.[1], r.variables]);
const nextFrame = () => act(async () => void (await new Promise((resolve) => requestAnimationFrame(resolve))));

describe('releases list', () => {
  it('lists releases with state, job, current stage and times, and the freezes with their windows', async () => {
    const api = releaseGateway();
    renderInSession(api, <ReleasesPage />, 'read');
    await screen.findByTestId('releases');
    expect([...rowOf('rel-aaaa-1111').cells].map((c) => c.textContent)).toEqual([
      'rel-aaaa',
      'web',
      'web:2:abc',
      'deploying',
      '1/2 web.canary — waiting for advance',
      '2026-11-25T10:00:00.000Z',
      '2026-11-25T10:05:00.000Z',
    ]);
    expect(rowOf('rel-bbbb-2222').cells[4]?.textContent).toBe('2/2 web.main');
    const freezes = await screen.findByTestId('freezes');
    const freezeRows = within(freezes).getAllByRole('row').slice(1).map((r) => [...(r as HTMLTableRowElement).cells].map((c) => c.textContent));
    expect(freezeRows).toEqual([
      ['weekends', 'sat,sun 00:00-24:00 Europe/Paris', 'yes, until 2026-11-30T23:00:00.000Z', 'web', 'all', 'no weekend deploys'],
      ['xmas', '2026-12-24T00:00:00Z - 2026-12-27T00:00:00Z', 'no', 'all', 'prod.main', 'holidays'],
    ]);
  });

  it('with no releases yet, a deploy token is told how to start one and pointed at the pipelines page', async () => {
    const api = listGateway(() => []);
    renderInSession(api, <ReleasesPage />, 'deploy');
    const empty = await screen.findByText(/No releases yet/);
    expect(empty.textContent).toMatch(/Start one below \(or with berth mark-for-deployment SERVICE VERSION\) once the service has a pipeline\.$/);
    expect(within(empty).getByRole('link', { name: 'pipeline' }).getAttribute('href')).toBe('/pipelines');
  });

  it('a read-only token sees no action buttons', async () => {
    renderInSession(releaseGateway(), <ReleasesPage />, 'read');
    await screen.findByTestId('releases');
    expect(within(screen.getByTestId('releases')).queryAllByRole('button')).toEqual([]);
  });

  it('offers each release the actions its state accepts', async () => {
    renderInSession(releaseGateway(), <ReleasesPage />, 'deploy');
    await screen.findByTestId('releases');
    const labels = (id: string) => within(rowOf(id)).queryAllByRole('button').map((b) => b.textContent);
    expect(labels('rel-aaaa-1111')).toEqual(['Advance', 'Abandon', 'Rollback…']);
    expect(labels('rel-bbbb-2222')).toEqual(['Complete', 'Abandon', 'Rollback…', 'Snooze…']);
    expect(labels('rel-cccc-3333')).toEqual([]);
  });

  it('advance and abandon ask first, then send their mutation for that release', async () => {
    const api = releaseGateway();
    const confirm = jest.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true).mockReturnValueOnce(true);
    renderInSession(api, <ReleasesPage />, 'deploy');
    await screen.findByTestId('releases');
    await act(async () => fireEvent.click(within(rowOf('rel-aaaa-1111')).getByRole('button', { name: 'Advance' })));
    expect(mutations(api)).toEqual([]);
    await act(async () => fireEvent.click(within(rowOf('rel-aaaa-1111')).getByRole('button', { name: 'Advance' })));
    await act(async () => fireEvent.click(within(rowOf('rel-bbbb-2222')).getByRole('button', { name: 'Abandon' })));
    expect(mutations(api)).toEqual([
      ['advanceRelease', { release: 'rel-aaaa-1111' }],
      ['abandonRelease', { release: 'rel-bbbb-2222' }],
    ]);
    expect(confirm.mock.calls[0]?.[0]).toContain('web:2:abc');
    confirm.mockRestore();
  });

  it('rollback sends the reason typed; snooze the seconds (none: the configured delay)', async () => {
    const api = releaseGateway();
    renderInSession(api, <ReleasesPage />, 'deploy');
    await screen.findByTestId('releases');
    fireEvent.click(within(rowOf('rel-bbbb-2222')).getByRole('button', { name: 'Rollback…' }));
    const form = within(rowOf('rel-bbbb-2222')).getByRole('form', { name: 'roll back the release' });
    expect((within(form).getByRole('button', { name: 'Roll back' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(within(form).getByLabelText(/Reason/), { target: { value: ' error rate up ' } });
    await act(async () => fireEvent.click(within(form).getByRole('button', { name: 'Roll back' })));
    fireEvent.click(within(rowOf('rel-bbbb-2222')).getByRole('button', { name: 'Snooze…' }));
    const snooze = within(rowOf('rel-bbbb-2222')).getByRole('form', { name: 'snooze the release' });
    fireEvent.change(within(snooze).getByLabelText(/Seconds/), { target: { value: '900' } });
    await act(async () => fireEvent.click(within(snooze).getByRole('button', { name: 'Snooze' })));
    fireEvent.click(within(rowOf('rel-bbbb-2222')).getByRole('button', { name: 'Snooze…' }));
    await act(async () => fireEvent.click(within(rowOf('rel-bbbb-2222')).getByRole('button', { name: 'Snooze' })));
    expect(mutations(api)).toEqual([
      ['rollbackRelease', { release: 'rel-bbbb-2222', reason: 'error rate up' }],
      ['snoozeRelease', { release: 'rel-bbbb-2222', seconds: 900 }],
      ['snoozeRelease', { release: 'rel-bbbb-2222' }],
    ]);
  });

  it('a refused action shows its Berth code beside the release', async () => {
    const api = releaseGateway(new BerthApiError('RELEASE_STATE_CONFLICT', 'The release is not waiting for a manual trigger'));
    const confirm = jest.spyOn(window, 'confirm').mockReturnValueOnce(true);
    renderInSession(api, <ReleasesPage />, 'deploy');
    await screen.findByTestId('releases');
    await act(async () => fireEvent.click(within(rowOf('rel-aaaa-1111')).getByRole('button', { name: 'Advance' })));
    expect(within(rowOf('rel-aaaa-1111')).getByRole('alert').getAttribute('data-code')).toBe('RELEASE_STATE_CONFLICT');
    expect(within(rowOf('rel-bbbb-2222')).queryByRole('alert')).toBeNull();
    confirm.mockRestore();
  });

  it('re-reads the list when a release event arrives', async () => {
    let items = [AWAITING];
    const api = listGateway(() => items);
    renderInSession(api, <ReleasesPage />, 'read');
    await screen.findByTestId('releases');
    items = [{ ...AWAITING, status: 'failed', awaitingTrigger: false, finished: true }];
    act(() => {
      expect(api.push('Changes', { events: { sequence: 9 } })).toBeGreaterThan(0);
    });
    await waitFor(() => expect(rowOf('rel-aaaa-1111').cells[3]?.textContent).toBe('failed'));
    expect(api.requests.filter((r) => r.query.includes('releases('))).toHaveLength(2);
  });

  it('filters by service and state through the query', async () => {
    const api = releaseGateway();
    renderInSession(api, <ReleasesPage />, 'read');
    await screen.findByTestId('releases');
    fireEvent.change(screen.getByLabelText(/Service/), { target: { value: 'web' } });
    fireEvent.change(screen.getByLabelText(/State/), { target: { value: 'failed' } });
    await act(async () => undefined);
    expect(api.requests.filter((r) => r.query.includes('releases(')).at(-1)?.variables).toEqual({ service: 'web', status: 'failed' });
  });
});

describe('release detail', () => {
  it('follows releaseProgress: a new update changes the state, stage and actions shown', async () => {
    const api = new ScriptedBerthApi(() => ({}));
    renderInSession(api, <ReleasePage id="rel-aaaa-1111" />, 'deploy');
    await act(async () => {
      expect(api.push('releaseProgress', { releaseProgress: { event: null, sequence: 5, release: AWAITING } })).toBe(1);
    });
    await nextFrame();
    expect(api.requests).toEqual([]);
    expect(screen.getByTestId('release-status').textContent).toBe('deploying');
    expect(screen.getByTestId('release-stage').textContent).toBe('1/2 web.canary — waiting for advance');
    expect(screen.getByRole('button', { name: 'Advance' })).toBeTruthy();
    const rolledBack = release({
      status: 'rolled_back',
      awaitingTrigger: false,
      abandonAt: '2026-11-25T10:30:00.000Z',
      rollbackReason: 'error rate up',
      badGroups: ['web.canary'],
      rollback: [{ group: 'web.canary', toJobId: 'web:1:old', status: 'DONE', rolloutId: 'rb', error: null }],
    });
    await act(async () => {
      api.push('releaseProgress', { releaseProgress: { event: 'ReleaseRolledBack', sequence: 9, release: rolledBack } });
    });
    await nextFrame();
    expect(screen.getByTestId('release-status').textContent).toBe('rolled_back');
    expect(screen.queryByRole('button', { name: 'Advance' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Snooze…' })).toBeTruthy();
    expect(screen.getByText('abandoned by itself at 2026-11-25T10:30:00.000Z')).toBeTruthy();
    expect(within(screen.getByTestId('release-rollback')).getByText('web:1:old')).toBeTruthy();
  });

  it('disposes its subscription once the release is in a final state, and shows that state', async () => {
    const api = new ScriptedBerthApi(() => ({}));
    const following = () => api.subscriptions.filter((s) => s.query.includes('releaseProgress')).length;
    renderInSession(api, <ReleasePage id="rel-aaaa-1111" />, 'deploy');
    await act(async () => {
      api.push('releaseProgress', { releaseProgress: { event: null, sequence: 5, release: AWAITING } });
    });
    await nextFrame();
    expect(following()).toBe(1);
    expect(screen.queryByTestId('release-final')).toBeNull();
    // failed is finished, but a rollback or an abandon can still follow: keep following
    await act(async () => {
      api.push('releaseProgress', { releaseProgress: { event: 'ReleaseFailed', sequence: 6, release: release({ status: 'failed', awaitingTrigger: false, finished: true }) } });
    });
    await nextFrame();
    expect(following()).toBe(1);
    expect(screen.getByRole('button', { name: 'Rollback…' })).toBeTruthy();
    await act(async () => {
      api.push('releaseProgress', { releaseProgress: { event: 'ReleaseAbandoned', sequence: 7, release: release({ status: 'abandoned', awaitingTrigger: false, finished: true }) } });
    });
    await nextFrame();
    expect(following()).toBe(0);
    expect(screen.getByTestId('release-status').textContent).toBe('abandoned');
    expect(screen.getByTestId('release-final').textContent).toMatch(/no longer follows it/);
    expect(screen.queryAllByRole('button')).toEqual([]);
  });

  it('opened on a release already complete, shows it and closes the subscription at the first message', async () => {
    const api = new ScriptedBerthApi(() => ({}));
    renderInSession(api, <ReleasePage id="rel-cccc-3333" />, 'read');
    await act(async () => {
      expect(api.push('releaseProgress', { releaseProgress: { event: null, sequence: 5, release: COMPLETE } })).toBe(1);
    });
    await nextFrame();
    expect(api.subscriptions).toEqual([]);
    expect(screen.getByTestId('release-status').textContent).toBe('complete');
    expect(screen.getByTestId('release-final')).toBeTruthy();
  });

  it('subscribes for the release asked, and says so when it does not exist', async () => {
    const api = new ScriptedBerthApi(() => ({}));
    const subscribe = jest.spyOn(api, 'subscribe');
    renderInSession(api, <ReleasePage id="nope" />, 'read');
    expect(subscribe.mock.calls[0]?.[1]).toEqual({ releaseId: 'nope' });
    const onError = subscribe.mock.calls[0]?.[3];
    await act(async () => onError?.(new BerthApiError('RELEASE_NOT_FOUND', 'Release not found: nope')));
    await nextFrame();
    expect(screen.getByText(/There is no release/)).toBeTruthy();
  });

  it('a read-only token sees the release without action buttons', async () => {
    const api = new ScriptedBerthApi(() => ({}));
    renderInSession(api, <ReleasePage id="rel-aaaa-1111" />, 'read');
    await act(async () => {
      api.push('releaseProgress', { releaseProgress: { event: null, sequence: 5, release: DEPLOYED } });
    });
    await nextFrame();
    expect(screen.getByTestId('release-status').textContent).toBe('deployed');
    expect(screen.queryAllByRole('button')).toEqual([]);
  });
});
