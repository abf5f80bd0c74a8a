import { act, fireEvent, screen, within } from '@testing-library/react';
import { BerthApiError } from '../api/berth-api';
import type { DeploymentGroup } from '../api/types';
import type { Role } from '../app/session';
import { GroupPage } from '../pages/group-page';
import { renderInSession } from '../testing/render-in-session';
import { ScriptedBerthApi } from '../testing/scripted-api';
import { readSelectors } from './group-admin';

const group = (over: Partial<DeploymentGroup>): DeploymentGroup => ({ name: 'web', selectors: ['role=web', 'zone in (a, b)'], status: 'DONE', jobId: 'app:1:a', rolloutId: null, lastStableJobId: null, error: null, reason: null, ...over });

/** A gateway holding group `shown`; the group mutations answer `status` (or fail with `refuse`). */
function gateway(shown: DeploymentGroup, status = 'UPDATED', refuse?: BerthApiError) {
  return new ScriptedBerthApi((query) => {
    const field = /\{\s*(\w+)\(/.exec(query.slice(query.indexOf('{')))?.[1] ?? '';
    if (field === 'deploymentGroup') return { deploymentGroup: { sequence: 5, group: shown } };
    if (/^(update|stop|remove)DeploymentGroup$/.test(field)) return refuse ?? { [field]: { name: shown.name, status, sequence: 9 } };
    return {};
  });
}

async function open(api: ScriptedBerthApi, role: Role) {
  window.history.pushState(null, '', '/groups/web');
  renderInSession(api, <GroupPage name="web" />, role);
  await screen.findByTestId('group-status');
}

const admin = () => screen.getByRole('region', { name: 'group administration' });
const sent = (api: ScriptedBerthApi) => api.requests.filter((r) => r.query.trimStart().startsWith('mutation')).map((r) => [/\{\s*(\w+)\(/.exec(r.query)?.[1], r.variables]);
const click = (name: string) => act(async () => void fireEvent.click(within(admin()).getByRole('button', { name })));
const selectorsInput = () => within(admin()).getByLabelText(/Selectors/) as HTMLInputElement;

describe('group administration', () => {
  afterEach(() => jest.restoreAllMocks());

  it('an admin edits the selectors from the current ones: exactly the list typed is sent, and the answer is said', async () => {
    const api = gateway(group({}));
    await open(api, 'admin');
    expect(selectorsInput().value).toBe('role=web; zone in (a, b)');
    fireEvent.change(selectorsInput(), { target: { value: ' role=web ;tier!=db; ' } });
    await click('Save selectors');
    expect(sent(api)).toEqual([['updateDeploymentGroup', { name: 'web', selectors: ['role=web', 'tier!=db'] }]]);
    expect(within(admin()).getByRole('status').textContent).toBe('Selectors saved (UPDATED).');
  });

  it('the same selectors again: the gateway says NOT_MODIFIED and the page says unchanged', async () => {
    const api = gateway(group({}), 'NOT_MODIFIED');
    await open(api, 'admin');
    await click('Save selectors');
    expect(within(admin()).getByRole('status').textContent).toBe('Unchanged: the group already has these selectors.');
  });

  it('a selector that does not parse is refused before sending, each bad one named', async () => {
    const api = gateway(group({}));
    await open(api, 'admin');
    fireEvent.change(selectorsInput(), { target: { value: 'role=web; tier; zone in (a b' } });
    await click('Save selectors');
    const alert = within(admin()).getByRole('alert');
    expect([alert.getAttribute('data-code'), alert.textContent]).toEqual(['INVALID_HOST_SELECTOR', 'INVALID_HOST_SELECTOR Invalid host selector: tier, zone in (a b']);
    expect(sent(api)).toEqual([]);
  });

  it("the gateway's refusal shows its code beside the form", async () => {
    const api = gateway(group({}), 'UPDATED', new BerthApiError('DEPLOYMENT_GROUP_NOT_FOUND', 'Deployment group not found: web'));
    await open(api, 'admin');
    await click('Save selectors');
    expect(within(admin()).getByRole('alert').getAttribute('data-code')).toBe('DEPLOYMENT_GROUP_NOT_FOUND');
  });

  it('remove asks first: declined, nothing is sent; confirmed, the group is removed and the groups list opens', async () => {
    const api = gateway(group({}), 'REMOVED');
    await open(api, 'admin');
    const confirm = jest.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
    await click('Remove group');
    expect(sent(api)).toEqual([]);
    expect(window.location.pathname).toBe('/groups/web');
    await click('Remove group');
    expect(confirm.mock.calls[1]?.[0]).toBe('Remove deployment group web? Its rolling update stops; its deployments stay on their hosts.');
    expect(sent(api)).toEqual([['removeDeploymentGroup', { name: 'web' }]]);
    expect(window.location.pathname).toBe('/groups');
  });

  it('stop is offered only while the group rolls out, asks first, and sends the group', async () => {
    const api = gateway(group({ status: 'ROLLING_OUT' }), 'STOPPED');
    await open(api, 'deploy');
    const confirm = jest.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
    await click('Stop rolling update');
    expect(sent(api)).toEqual([]);
    await click('Stop rolling update');
    expect(confirm).toHaveBeenCalledTimes(2);
    expect(sent(api)).toEqual([['stopDeploymentGroup', { name: 'web' }]]);
  });

  it('no stop button when the group is not rolling out', async () => {
    await open(gateway(group({ status: 'DONE' })), 'admin');
    expect(within(admin()).queryByRole('button', { name: 'Stop rolling update' })).toBeNull();
    expect(within(admin()).getByRole('button', { name: 'Remove group' })).toBeTruthy();
  });

  it('a deploy token may stop a rollout but sees no edit or remove control, and why', async () => {
    await open(gateway(group({ status: 'ROLLING_OUT' })), 'deploy');
    expect(within(admin()).getAllByRole('button').map((b) => b.textContent)).toEqual(['Stop rolling update']);
    expect(within(admin()).queryByRole('form', { name: 'edit the selectors' })).toBeNull();
    expect(within(admin()).getByRole('note').textContent).toBe('Editing the selectors and removing the group needs the admin role; your token has the deploy role.');
  });

  it('a read token sees no control, and why', async () => {
    await open(gateway(group({ status: 'ROLLING_OUT' })), 'read');
    expect(within(admin()).queryAllByRole('button')).toEqual([]);
    expect(within(admin()).getAllByRole('note').map((n) => n.textContent)).toEqual([
      'Editing the selectors and removing the group needs the admin role; your token has the read role.',
      'Stopping the rolling update needs the deploy role; your token has the read role.',
    ]);
  });

  it('reads ";"-separated selectors, dropping empty ones', () => {
    expect(readSelectors(' a=1 ; ;b in (x, y) ')).toEqual(['a=1', 'b in (x, y)']);
    expect(() => readSelectors('a=1; nope')).toThrow('Invalid host selector: nope');
  });
});
