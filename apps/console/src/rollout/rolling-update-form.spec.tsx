import { act, fireEvent, render, screen } from '@testing-library/react';
import { SessionContext } from '../app/session';
import { ScriptedBerthApi } from '../testing/scripted-api';
import { RollingUpdateForm } from './rolling-update-form';

function renderForm(): ScriptedBerthApi {
  const api = new ScriptedBerthApi(() => ({ rollingUpdate: { rolloutId: 'r-1', changed: true, sequence: 7 } }));
  render(
    <SessionContext.Provider value={{ api, role: 'deploy', subject: 'tester', signOut: () => undefined }}>
      <RollingUpdateForm group="web" />
    </SessionContext.Provider>,
  );
  return api;
}

async function submit(form: HTMLElement, fields: Record<string, string>, tickNoOldToken: boolean): Promise<void> {
  for (const [name, value] of Object.entries(fields)) fireEvent.change(form.querySelector(`input[name="${name}"]`) as Element, { target: { value } });
  if (tickNoOldToken) fireEvent.click(screen.getByRole('checkbox', { name: 'the old jobs have no token' }));
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Start rolling update' }));
  });
}

it("sends the old jobs' token apart from the new job's (issue 18.2)", async () => {
  const api = renderForm();
  const form = screen.getByRole('form', { name: 'start a rolling update' });
  expect(form.textContent).toContain("Old jobs' token");
  await submit(form, { job: 'app:2', token: 'sesame', oldJobToken: 'old-secret' }, false);
  expect(api.requests.at(-1)?.variables).toEqual({ group: 'web', job: 'app:2', options: { token: 'sesame', oldJobToken: 'old-secret' } });
});

it("sends an empty old jobs' token when 'none' is ticked, so a token-less group can move to a tokened job", async () => {
  const api = renderForm();
  const form = screen.getByRole('form', { name: 'start a rolling update' });
  await submit(form, { job: 'app:2', token: 'sesame' }, true);
  expect((form.querySelector('input[name="oldJobToken"]') as HTMLInputElement).disabled).toBe(true);
  expect(api.requests.at(-1)?.variables).toEqual({ group: 'web', job: 'app:2', options: { token: 'sesame', oldJobToken: '' } });
});
