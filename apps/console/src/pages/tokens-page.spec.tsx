import { act, fireEvent, screen, within } from '@testing-library/react';
import { BerthApiError } from '../api/berth-api';
import type { ApiToken } from '../api/types';
import { renderInSession } from '../testing/render-in-session';
import { ScriptedBerthApi } from '../testing/scripted-api';
import { TokensPage } from './tokens-page';

const SECRET = 'bt_5ecret-shown-once';

const token = (over: Partial<ApiToken>): ApiToken => ({ subject: 'ci-bot', role: 'deploy', createdAt: '2026-11-25T10:00:00.000Z', revoked: false, revokedAt: null, ...over });

/** A gateway holding `tokens`: createApiToken adds one, revokeApiToken marks one revoked, as the real one does. */
function tokenGateway(tokens: ApiToken[]) {
  return new ScriptedBerthApi((query, variables) => {
    if (query.includes('createApiToken(')) {
      const subject = String(variables['subject']);
      if (tokens.some((t) => t.subject === subject)) return new BerthApiError('API_TOKEN_ALREADY_EXISTS', `${subject} already has a token`);
      tokens.push(token({ subject, role: String(variables['role']), createdAt: '2026-11-25T11:00:00.000Z' }));
      return { createApiToken: { subject, role: variables['role'], token: SECRET, sequence: 5 } };
    }
    if (query.includes('revokeApiToken(')) {
      const i = tokens.findIndex((t) => t.subject === variables['subject']);
      const found = tokens[i];
      if (!found) return new BerthApiError('API_TOKEN_NOT_FOUND', 'no such token');
      tokens[i] = { ...found, revoked: true, revokedAt: '2026-11-25T12:00:00.000Z' };
      return { revokeApiToken: { subject: found.subject, sequence: 6 } };
    }
    if (query.includes('apiTokens')) return { apiTokens: { sequence: 4, items: [...tokens] } };
    return {};
  });
}

const rowOf = (subject: string) => {
  const row = within(screen.getByTestId('tokens'))
    .getAllByRole('row')
    .find((r) => (r as HTMLTableRowElement).cells[0]?.textContent === subject);
  if (!row) throw new Error(`no row for ${subject}`);
  return row as HTMLTableRowElement;
};

it('lists the tokens with role, creation time and revocation', async () => {
  const api = tokenGateway([token({}), token({ subject: 'old-laptop', role: 'admin', revoked: true, revokedAt: '2026-11-24T09:00:00.000Z' })]);
  renderInSession(api, <TokensPage />);
  await screen.findByText('ci-bot');
  expect([...rowOf('ci-bot').cells].map((c) => c.textContent)).toEqual(['ci-bot', 'deploy', '2026-11-25T10:00:00.000Z', 'live', 'Revoke']);
  expect([...rowOf('old-laptop').cells].map((c) => c.textContent)).toEqual(['old-laptop', 'admin', expect.any(String), 'revoked 2026-11-24T09:00:00.000Z', '']);
});

it('creates a token with the subject and role given, and shows its secret once', async () => {
  const api = tokenGateway([]);
  renderInSession(api, <TokensPage />);
  expect(await screen.findByText(/No tokens created here yet/)).toBeTruthy();
  const form = screen.getByRole('form', { name: 'create an API token' });
  fireEvent.change(within(form).getByLabelText(/Subject/), { target: { value: ' deploy-bot ' } });
  fireEvent.change(within(form).getByLabelText(/Role/), { target: { value: 'deploy' } });
  await act(async () => fireEvent.click(within(form).getByRole('button', { name: 'Create token' })));
  expect(api.requests.find((r) => r.query.includes('createApiToken('))?.variables).toEqual({ subject: 'deploy-bot', role: 'deploy' });
  const shown = await screen.findByRole('region', { name: 'new API token' });
  expect(within(shown).getByTestId('new-token').textContent).toBe(SECRET);
  expect(within(shown).getByText(/it will not be shown again/)).toBeTruthy();
  // the list is read again and has the new subject; the secret is nowhere else on the page
  await screen.findByTestId('tokens');
  expect(rowOf('deploy-bot').cells[1]?.textContent).toBe('deploy');
  expect(screen.getAllByText(SECRET)).toHaveLength(1);
  fireEvent.click(within(shown).getByRole('button', { name: 'I have copied it' }));
  expect(screen.queryByText(SECRET)).toBeNull();
});

it('an API error shows next to the form with its Berth code, and no token', async () => {
  const api = tokenGateway([token({ subject: 'ci-bot' })]);
  renderInSession(api, <TokensPage />);
  await screen.findByText('ci-bot');
  const form = screen.getByRole('form', { name: 'create an API token' });
  fireEvent.change(within(form).getByLabelText(/Subject/), { target: { value: 'ci-bot' } });
  await act(async () => fireEvent.click(within(form).getByRole('button', { name: 'Create token' })));
  const alert = within(form).getByRole('alert');
  expect(alert.getAttribute('data-code')).toBe('API_TOKEN_ALREADY_EXISTS');
  expect(alert.textContent).toContain('API_TOKEN_ALREADY_EXISTS');
  expect(screen.queryByTestId('new-token')).toBeNull();
});

it('revokes only after the admin confirms, then shows the token revoked', async () => {
  const api = tokenGateway([token({ subject: 'ci-bot' })]);
  const confirm = jest.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
  renderInSession(api, <TokensPage />);
  await screen.findByText('ci-bot');
  await act(async () => fireEvent.click(within(rowOf('ci-bot')).getByRole('button', { name: 'Revoke' })));
  expect(api.requests.some((r) => r.query.includes('revokeApiToken('))).toBe(false);
  await act(async () => fireEvent.click(within(rowOf('ci-bot')).getByRole('button', { name: 'Revoke' })));
  expect(api.requests.filter((r) => r.query.includes('revokeApiToken(')).map((r) => r.variables)).toEqual([{ subject: 'ci-bot' }]);
  expect(confirm).toHaveBeenCalledTimes(2);
  expect(confirm.mock.calls[0]?.[0]).toContain('ci-bot');
  expect(await screen.findByText('revoked 2026-11-25T12:00:00.000Z')).toBeTruthy();
  expect(within(rowOf('ci-bot')).queryByRole('button')).toBeNull();
  confirm.mockRestore();
});

it.each(['read', 'deploy'] as const)('a %s token opening the page gets a note that it needs admin, and nothing is asked of the gateway', async (role) => {
  const api = tokenGateway([token({})]);
  renderInSession(api, <TokensPage />, role);
  expect(screen.getByRole('note').textContent).toMatch(/needs the admin role/);
  expect(screen.queryByRole('form')).toBeNull();
  await act(async () => undefined);
  expect(api.requests).toEqual([]);
});
