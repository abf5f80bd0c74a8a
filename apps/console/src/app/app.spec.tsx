import { act, fireEvent, render, screen } from '@testing-library/react';
import { BerthApiError } from '../api/berth-api';
import { ScriptedBerthApi } from '../testing/scripted-api';
import { App } from './app';

const GOOD = 'good-token';

/** A gateway with API tokens: whoAmI answers for GOOD (role read), UNAUTHENTICATED otherwise. */
function makeApi(tokens: (string | null)[]) {
  return (token: string | null) => {
    tokens.push(token);
    return new ScriptedBerthApi((query) => {
      if (token !== GOOD) return new BerthApiError('UNAUTHENTICATED', 'a valid API token is required');
      if (query.includes('whoAmI')) return { whoAmI: { subject: 'ops-viewer', role: 'read' } };
      if (query.includes('deploymentGroups')) return { deploymentGroups: { sequence: 1, items: [] } };
      if (query.includes('freezes')) return { freezes: { sequence: 1, items: [] } };
      if (query.includes('pipelines')) return { pipelines: { sequence: 1, items: [] } };
      if (query.includes('pipeline(')) return new BerthApiError('PIPELINE_NOT_FOUND', 'Pipeline not found');
      return {};
    });
  };
}

beforeEach(() => {
  window.localStorage.clear();
  window.history.pushState(null, '', '/groups');
});

it('asks for a token, signs in with it, keeps it, and a read-only user sees no create form', async () => {
  const tokens: (string | null)[] = [];
  render(<App origin="http://gateway" makeApi={makeApi(tokens)} />);
  await screen.findByRole('form', { name: 'sign in' });
  expect(screen.queryByRole('alert')).toBeNull();
  fireEvent.change(screen.getByLabelText(/API token/), { target: { value: 'wrong' } });
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
  });
  expect((await screen.findByRole('alert')).getAttribute('data-code')).toBe('UNAUTHENTICATED');
  fireEvent.change(screen.getByLabelText(/API token/), { target: { value: GOOD } });
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
  });
  expect((await screen.findByTestId('who')).textContent).toBe('ops-viewer (read)');
  expect(tokens).toEqual([null, 'wrong', GOOD]);
  expect(window.localStorage.getItem('berth.token')).toBe(GOOD);
  expect(await screen.findByText(/No deployment groups yet. Ask an admin/)).toBeTruthy();
  expect(screen.queryByRole('form', { name: 'create a deployment group' })).toBeNull();
  expect(screen.queryByRole('link', { name: 'API tokens' })).toBeNull();
});

it('a gateway without API tokens (no whoAmI) lets the console in without a login', async () => {
  const api = new ScriptedBerthApi((query) => {
    if (query.includes('whoAmI')) return new BerthApiError('GRAPHQL_VALIDATION_FAILED', 'Cannot query field "whoAmI" on type "Query".');
    return { deploymentGroups: { sequence: 1, items: [] } };
  });
  render(<App origin="http://gateway" makeApi={() => api} />);
  expect((await screen.findByTestId('who')).textContent).toBe('anonymous (admin)');
  expect(await screen.findByRole('form', { name: 'create a deployment group' })).toBeTruthy();
  expect(screen.getByRole('link', { name: 'API tokens' }).getAttribute('href')).toBe('/tokens');
});

it('a read-only token opening /tokens gets a note that the page needs the admin role', async () => {
  window.localStorage.setItem('berth.token', GOOD);
  window.history.pushState(null, '', '/tokens');
  render(<App origin="http://gateway" makeApi={makeApi([])} />);
  expect((await screen.findByRole('note')).textContent).toMatch(/needs the admin role; your token has the read role/);
  expect(screen.getByRole('heading', { name: 'API tokens' })).toBeTruthy();
});

it('the Freezes link of the navigation opens the freezes page, which a read-only token sees without its form', async () => {
  window.localStorage.setItem('berth.token', GOOD);
  render(<App origin="http://gateway" makeApi={makeApi([])} />);
  await screen.findByTestId('who');
  await act(async () => fireEvent.click(screen.getByRole('link', { name: 'Freezes' })));
  expect(window.location.pathname).toBe('/freezes');
  expect(screen.getByRole('heading', { name: 'Deploy freezes' })).toBeTruthy();
  expect((await screen.findByRole('note')).textContent).toMatch(/Setting and removing freezes needs the admin role/);
  expect(screen.queryByRole('form', { name: 'set a deploy freeze' })).toBeNull();
});

it('the Pipelines link of the navigation opens the pipelines page, which a read-only token sees without its form', async () => {
  window.localStorage.setItem('berth.token', GOOD);
  render(<App origin="http://gateway" makeApi={makeApi([])} />);
  await screen.findByTestId('who');
  await act(async () => fireEvent.click(screen.getByRole('link', { name: 'Pipelines' })));
  expect(window.location.pathname).toBe('/pipelines');
  expect(screen.getByRole('heading', { name: 'Pipelines' })).toBeTruthy();
  expect(await screen.findByText(/No pipelines yet. An admin sets them/)).toBeTruthy();
  expect(screen.queryByRole('form', { name: 'write a pipeline' })).toBeNull();
});

it("/pipelines/SERVICE opens that service's pipeline page", async () => {
  window.localStorage.setItem('berth.token', GOOD);
  window.history.pushState(null, '', '/pipelines/web%2Fapi');
  render(<App origin="http://gateway" makeApi={makeApi([])} />);
  expect(await screen.findByRole('heading', { name: 'Pipeline of web/api' })).toBeTruthy();
  expect(await screen.findByText('No pipeline for web/api.')).toBeTruthy();
});
