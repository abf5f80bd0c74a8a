import { act, fireEvent, screen, within } from '@testing-library/react';
import { BerthApiError } from '../api/berth-api';
import { JobPage } from '../pages/job-page';
import { renderInSession } from '../testing/render-in-session';
import { ScriptedBerthApi } from '../testing/scripted-api';
import { hasJobToken } from './remove-job-form';

/** A gateway with job web:1:a (its definition `definition`); removeJob answers REMOVED or fails with `refuse`. */
function gateway(definition: Record<string, unknown>, refuse?: BerthApiError) {
  return new ScriptedBerthApi((query) =>
    query.includes('removeJob(')
      ? (refuse ?? { removeJob: { jobId: 'web:1:a', status: 'REMOVED', sequence: 9 } })
      : { job: { job: { id: 'web:1:a', job: definition, deployments: [] } }, jobHistory: { entries: [] } },
  );
}

const form = () => screen.getByRole('form', { name: 'remove the job' });
const removeCalls = (api: ScriptedBerthApi) => api.requests.filter((r) => r.query.includes('removeJob(')).map((r) => r.variables);
const clickRemove = () => act(async () => void fireEvent.click(within(form()).getByRole('button', { name: 'Remove job' })));

describe('remove a job', () => {
  afterEach(() => jest.restoreAllMocks());

  it('asks first; declined, nothing is sent; confirmed, the job alone is sent (it has no token) and the jobs list opens', async () => {
    window.history.pushState(null, '', '/jobs/web:1:a');
    const api = gateway({ image: 'busybox', token: '' });
    const confirm = jest.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
    renderInSession(api, <JobPage id="web:1:a" />, 'deploy');
    await screen.findByRole('form', { name: 'remove the job' });
    expect(within(form()).queryByLabelText(/Job token/)).toBeNull();
    await clickRemove();
    expect(removeCalls(api)).toEqual([]);
    expect(window.location.pathname).toBe('/jobs/web:1:a');
    await clickRemove();
    expect(confirm.mock.calls[1]?.[0]).toBe('Remove job web:1:a? It must be undeployed from every host first.');
    expect(removeCalls(api)).toEqual([{ job: 'web:1:a' }]);
    expect(window.location.pathname).toBe('/jobs');
  });

  it('a job with a token: its token field is required and sent', async () => {
    const api = gateway({ image: 'busybox', token: 's3cret' });
    jest.spyOn(window, 'confirm').mockReturnValue(true);
    renderInSession(api, <JobPage id="web:1:a" />, 'deploy');
    await screen.findByRole('form', { name: 'remove the job' });
    await clickRemove();
    expect(within(form()).getByRole('alert').textContent).toBe('INVALID_REQUEST this job has a token: type it to remove the job');
    expect(removeCalls(api)).toEqual([]);
    fireEvent.change(within(form()).getByLabelText(/Job token/), { target: { value: 's3cret' } });
    await clickRemove();
    expect(removeCalls(api)).toEqual([{ job: 'web:1:a', token: 's3cret' }]);
  });

  it.each([
    ['STILL_IN_USE', 'Job web:1:a is still deployed on h1'],
    ['FORBIDDEN', 'Token does not match for job web:1:a'],
  ])('a refusal (%s) shows its code beside the button and the page stays', async (code, message) => {
    window.history.pushState(null, '', '/jobs/web:1:a');
    const api = gateway({ image: 'busybox' }, new BerthApiError(code, message));
    jest.spyOn(window, 'confirm').mockReturnValue(true);
    renderInSession(api, <JobPage id="web:1:a" />, 'deploy');
    await screen.findByRole('form', { name: 'remove the job' });
    await clickRemove();
    const alert = within(form()).getByRole('alert');
    expect([alert.getAttribute('data-code'), alert.textContent]).toEqual([code, `${code} ${message}`]);
    expect(window.location.pathname).toBe('/jobs/web:1:a');
  });

  it('a read token sees no remove control, and why', async () => {
    renderInSession(gateway({ image: 'busybox' }), <JobPage id="web:1:a" />, 'read');
    await screen.findByTestId('job-definition');
    expect(screen.queryByRole('form', { name: 'remove the job' })).toBeNull();
    expect(screen.getByRole('note').textContent).toBe('Removing a job needs the deploy role; your token has the read role.');
  });

  it('a token is one that is set and not empty', () => {
    expect([hasJobToken({ token: 'x' }), hasJobToken({ token: '' }), hasJobToken({}), hasJobToken(null)]).toEqual([true, false, false, false]);
  });
});
