import { act, fireEvent, screen, within } from '@testing-library/react';
import { BerthApiError } from '../api/berth-api';
import type { Freeze } from '../api/types';
import { renderInSession } from '../testing/render-in-session';
import { ScriptedBerthApi } from '../testing/scripted-api';
import { FreezesPage } from './freezes-page';

const XMAS: Freeze = { name: 'xmas', services: null, groups: ['prod.main'], window: { kind: 'range', from: '2026-12-24T00:00:00Z', to: '2026-12-27T00:00:00Z' }, reason: 'holidays', setAt: 't', active: false, until: null };
const WEEKENDS: Freeze = { name: 'weekends', services: ['web'], groups: null, window: { kind: 'weekly', days: ['sat', 'sun'], from: '00:00', to: '24:00', timeZone: 'Europe/Paris' }, reason: 'no weekend deploys', setAt: 't', active: true, until: '2026-11-30T23:00:00.000Z' };

/** A gateway holding `freezes`: setFreeze adds or replaces one, removeFreeze drops one, as the real one does; `refuse` fails the next mutation. */
function freezeGateway(freezes: Freeze[], refuse?: BerthApiError) {
  return new ScriptedBerthApi((query, variables) => {
    const mutation = /\{\s*(setFreeze|removeFreeze)\(/.exec(query)?.[1];
    if (mutation && refuse) return refuse;
    if (mutation === 'setFreeze') {
      const v = variables as unknown as Pick<Freeze, 'name' | 'services' | 'groups' | 'window' | 'reason'>;
      const set: Freeze = { name: v.name, services: v.services, groups: v.groups, window: v.window, reason: v.reason, setAt: 'now', active: true, until: '2026-12-27T00:00:00Z' };
      freezes.splice(0, freezes.length, ...freezes.filter((f) => f.name !== v.name), set);
      return { setFreeze: set };
    }
    if (mutation === 'removeFreeze') {
      if (!freezes.some((f) => f.name === variables['name'])) return new BerthApiError('FREEZE_NOT_FOUND', `Freeze not found: ${String(variables['name'])}`);
      freezes.splice(0, freezes.length, ...freezes.filter((f) => f.name !== variables['name']));
      return { removeFreeze: true };
    }
    if (query.includes('freezes')) return { freezes: { sequence: 3, items: [...freezes] } };
    return {};
  });
}

const mutations = (api: ScriptedBerthApi) => api.requests.filter((r) => r.query.trimStart().startsWith('mutation')).map((r) => [/\{\s*(\w+)\(/.exec(r.query)?.[1], r.variables]);
const rowOf = (name: string) => {
  const row = screen.getByTestId('freezes').querySelector(`tr[data-freeze="${name}"]`);
  if (!row) throw new Error(`no row for ${name}`);
  return row as HTMLTableRowElement;
};
const form = () => screen.getByRole('form', { name: 'set a deploy freeze' });
const fill = (label: RegExp, value: string) => fireEvent.change(within(form()).getByLabelText(label), { target: { value } });
const submit = () => act(async () => fireEvent.click(within(form()).getByRole('button', { name: 'Set freeze' })));

describe('freezes page', () => {
  it.each(['read', 'deploy'] as const)('a %s token sees the freezes in force first, with no action and no form', async (role) => {
    const api = freezeGateway([XMAS, WEEKENDS]);
    renderInSession(api, <FreezesPage />, role);
    await screen.findByTestId('freezes');
    const rows = within(screen.getByTestId('freezes')).getAllByRole('row').slice(1);
    expect(rows.map((r) => [...(r as HTMLTableRowElement).cells].map((c) => c.textContent))).toEqual([
      ['weekends', 'sat,sun 00:00-24:00 Europe/Paris', 'yes, until 2026-11-30T23:00:00.000Z', 'web', 'all', 'no weekend deploys'],
      ['xmas', '2026-12-24T00:00:00Z - 2026-12-27T00:00:00Z', 'no', 'all', 'prod.main', 'holidays'],
    ]);
    expect(screen.queryAllByRole('button')).toEqual([]);
    expect(screen.queryByRole('form')).toBeNull();
    expect(screen.getByRole('note').textContent).toMatch(new RegExp(`needs the admin role; your token has the ${role} role`));
    expect(mutations(api)).toEqual([]);
  });

  it('an admin sees Remove on each freeze and the form', async () => {
    renderInSession(freezeGateway([XMAS, WEEKENDS]), <FreezesPage />, 'admin');
    await screen.findByTestId('freezes');
    expect(within(rowOf('xmas')).getByRole('button', { name: 'Remove' })).toBeTruthy();
    expect(within(rowOf('weekends')).getByRole('button', { name: 'Remove' })).toBeTruthy();
    expect(form()).toBeTruthy();
    expect(screen.queryByRole('note')).toBeNull();
  });

  it('validates before sending: an incomplete or bad window is marked on its fields, with INVALID_FREEZE, and nothing is sent', async () => {
    const api = freezeGateway([]);
    renderInSession(api, <FreezesPage />, 'admin');
    await screen.findByText(/No deploy freezes/);
    await submit();
    const alert = within(form()).getByRole('alert');
    expect(alert.getAttribute('data-code')).toBe('INVALID_FREEZE');
    expect(alert.textContent).toContain('INVALID_FREEZE');
    const invalid = () => [...form().querySelectorAll('label.invalid input, fieldset.invalid input')].map((i) => (i as HTMLInputElement).name);
    expect(invalid()).toEqual(['name', 'from', 'to', 'reason']);
    // weekly with a bad zone: only the zone is wrong
    fill(/^Name/, 'weekends');
    fill(/^Reason/, 'no weekend deploys');
    fireEvent.click(within(form()).getByLabelText(/every week/));
    fireEvent.click(within(form()).getByLabelText('sat'));
    fill(/^From/, '00:00');
    fill(/^To/, '24:00');
    fill(/^Time zone/, 'Nowhere/Land');
    await submit();
    expect(invalid()).toEqual(['timeZone']);
    expect(within(form()).getByLabelText(/^Time zone/).closest('label')?.textContent).toMatch(/unknown time zone Nowhere\/Land/);
    expect(mutations(api)).toEqual([]);
  });

  it('sets a freeze with what the form holds, then lists it', async () => {
    const api = freezeGateway([XMAS]);
    renderInSession(api, <FreezesPage />, 'admin');
    await screen.findByTestId('freezes');
    fill(/^Name/, ' weekends ');
    fireEvent.click(within(form()).getByLabelText(/every week/));
    fireEvent.click(within(form()).getByLabelText('sat'));
    fireEvent.click(within(form()).getByLabelText('sun'));
    fill(/^From/, '00:00');
    fill(/^To/, '24:00');
    fill(/^Time zone/, 'Europe/Paris');
    fill(/^Services/, 'web, api');
    fill(/^Reason/, 'no weekend deploys');
    await submit();
    expect(mutations(api)).toEqual([
      [
        'setFreeze',
        { name: 'weekends', services: ['web', 'api'], groups: null, window: { kind: 'weekly', days: ['sun', 'sat'], from: '00:00', to: '24:00', timeZone: 'Europe/Paris' }, reason: 'no weekend deploys' },
      ],
    ]);
    expect(within(form()).getByRole('status').textContent).toBe('Freeze weekends set: sun,sat 00:00-24:00 Europe/Paris, in force until 2026-12-27T00:00:00Z.');
    expect((await screen.findByText('no weekend deploys')).closest('tr')?.getAttribute('data-freeze')).toBe('weekends');
    expect((within(form()).getByLabelText(/^Name/) as HTMLInputElement).value).toBe('');
  });

  it("the gateway's refusal shows next to the form with its Berth code", async () => {
    const api = freezeGateway([], new BerthApiError('FORBIDDEN', 'setFreeze needs the admin role'));
    renderInSession(api, <FreezesPage />, 'admin');
    await screen.findByText(/No deploy freezes/);
    fill(/^Name/, 'xmas');
    fill(/^From/, '2026-12-24T00:00:00Z');
    fill(/^To/, '2026-12-27T00:00:00Z');
    fill(/^Reason/, 'holidays');
    await submit();
    expect(mutations(api)).toHaveLength(1);
    const alert = within(form()).getByRole('alert');
    expect(alert.getAttribute('data-code')).toBe('FORBIDDEN');
    expect(alert.textContent).toBe('FORBIDDEN setFreeze needs the admin role');
    expect(within(form()).queryByRole('status')).toBeNull();
  });

  it('removes a freeze only after the admin confirms; a refusal shows beside that freeze', async () => {
    const freezes = [XMAS, WEEKENDS];
    const api = freezeGateway(freezes);
    const confirm = jest.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true).mockReturnValueOnce(true);
    renderInSession(api, <FreezesPage />, 'admin');
    await screen.findByTestId('freezes');
    await act(async () => fireEvent.click(within(rowOf('weekends')).getByRole('button', { name: 'Remove' })));
    expect(mutations(api)).toEqual([]);
    expect(confirm.mock.calls[0]?.[0]).toMatch(/weekends.*in force now/);
    await act(async () => fireEvent.click(within(rowOf('weekends')).getByRole('button', { name: 'Remove' })));
    expect(mutations(api)).toEqual([['removeFreeze', { name: 'weekends' }]]);
    await act(async () => undefined);
    expect(screen.getByTestId('freezes').querySelector('tr[data-freeze="weekends"]')).toBeNull();
    // someone else removed xmas meanwhile
    freezes.length = 0;
    await act(async () => fireEvent.click(within(rowOf('xmas')).getByRole('button', { name: 'Remove' })));
    expect(within(rowOf('xmas')).getByRole('alert').getAttribute('data-code')).toBe('FREEZE_NOT_FOUND');
    confirm.mockRestore();
  });
});
