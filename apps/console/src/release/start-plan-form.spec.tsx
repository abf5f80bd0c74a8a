import { act, fireEvent, screen, within } from '@testing-library/react';
import { BerthApiError } from '../api/berth-api';
import type { Role } from '../app/session';
import { PlansPage } from '../pages/plans-page';
import { renderInSession } from '../testing/render-in-session';
import { ScriptedBerthApi } from '../testing/scripted-api';

/** No plans yet; startReleasePlan starts plan-new-1 (or fails with `refuse`). */
function gateway(refuse?: BerthApiError) {
  return new ScriptedBerthApi((query) => {
    if (query.includes('startReleasePlan(')) return refuse ?? { startReleasePlan: { sequence: 9, plan: { planId: 'plan-new-1', status: 'running' } } };
    if (query.includes('releasePlans')) return { releasePlans: { sequence: 3, items: [] } };
    if (query.includes('jobs(')) return { jobs: { totalCount: 2, nextCursor: null, sequence: 3, items: [{ id: 'db:2:a', name: 'db', version: '2', deployments: [] }, { id: 'api:7:b', name: 'api', version: '7', deployments: [] }] } };
    if (query.includes('deploymentGroups')) return { deploymentGroups: { sequence: 3, items: [{ name: 'dc1.db', selectors: [], status: 'DONE', jobId: null, rolloutId: null, error: null, createdAt: 't' }] } };
    return {};
  });
}

async function open(api: ScriptedBerthApi, role: Role = 'deploy') {
  window.history.pushState(null, '', '/plans');
  renderInSession(api, <PlansPage />, role);
  await screen.findByText(/No release plans yet/);
}

const form = () => screen.getByRole('form', { name: 'start a release plan' });
const row = (n: number) => within(form()).getByRole('group', { name: `service ${n}` });
const input = (n: number, name: string) => row(n).querySelector(`input[name="${name}"]`) as HTMLInputElement;
const fill = (n: number, values: Record<string, string>) => {
  for (const [name, value] of Object.entries(values)) fireEvent.change(input(n, name), { target: { value } });
};
const click = (name: string) => act(async () => void fireEvent.click(within(form()).getByRole('button', { name })));
const starts = (api: ScriptedBerthApi) => api.requests.filter((r) => r.query.includes('startReleasePlan(')).map((r) => JSON.parse(String(r.variables['source'])) as unknown);

describe('start a release plan', () => {
  it('sends one service per row as release.yaml (only the fields given) and opens the new plan', async () => {
    const api = gateway();
    await open(api);
    fill(1, { service: 'db', job: '2', group: 'dc1.db', quorum: '2' });
    await click('Add a service');
    fill(2, { service: 'api', job: 'api:7', group: 'dc1.api', maxUnavailable: '25%', dependsOn: 'db' });
    await click('Start release plan');
    expect(starts(api)).toEqual([
      {
        services: [
          { service: 'db', job: '2', group: 'dc1.db', quorum: 2 },
          { service: 'api', job: 'api:7', group: 'dc1.api', maxUnavailable: '25%', dependsOn: ['db'] },
        ],
      },
    ]);
    expect(window.location.pathname).toBe('/plans/plan-new-1');
  });

  it('offers the job names, job ids and groups there are', async () => {
    await open(gateway());
    const values = (id: string) => [...(document.getElementById(id)?.querySelectorAll('option') ?? [])].map((o) => o.getAttribute('value'));
    expect([values('plan-services'), values('plan-jobs'), values('plan-groups')]).toEqual([['db', 'api'], ['db:2:a', 'api:7:b'], ['dc1.db']]);
    expect(input(1, 'group').getAttribute('list')).toBe('plan-groups');
  });

  it('checks the rows before sending: each problem on its field and listed, nothing sent', async () => {
    const api = gateway();
    await open(api);
    fill(1, { service: 'db', group: 'dc1.db', quorum: 'most' });
    await click('Add a service');
    fill(2, { service: 'api', job: '7', group: 'dc1.api', dependsOn: 'cache' });
    await click('Start release plan');
    expect(starts(api)).toEqual([]);
    const alert = within(form()).getByRole('alert');
    expect([alert.getAttribute('data-code'), alert.textContent]).toEqual(['INVALID_RELEASE_PLAN', 'INVALID_RELEASE_PLAN 3 problems in the plan: nothing was sent']);
    expect(input(1, 'job').getAttribute('aria-invalid')).toBe('true');
    expect(input(1, 'quorum').getAttribute('aria-invalid')).toBe('true');
    expect(input(2, 'dependsOn').closest('label')?.querySelector('small')?.textContent).toBe('"cache" is not a service of this plan');
    expect(input(2, 'job').getAttribute('aria-invalid')).toBeNull();
    expect(within(screen.getByTestId('plan-problems')).getAllByRole('listitem').map((li) => li.querySelector('code')?.textContent)).toEqual(['services[0].job', 'services[0].quorum', 'services[1].dependsOn[0]']);
  });

  it('a dependency cycle is named before sending', async () => {
    const api = gateway();
    await open(api);
    fill(1, { service: 'a', job: '1', group: 'g', dependsOn: 'b' });
    await click('Add a service');
    fill(2, { service: 'b', job: '1', group: 'g', dependsOn: 'a' });
    await click('Start release plan');
    expect(starts(api)).toEqual([]);
    expect(screen.getByTestId('plan-problems').textContent).toBe('services[0].dependsOn dependency cycle: a → b → a');
  });

  it("the scheduler's INVALID_RELEASE_PLAN shows with its cause, each problem on its field; the plans page stays", async () => {
    // the scheduler's rules are the form's, so this comes only from a scheduler whose rules changed: still shown where it belongs
    const message = 'must be a host count ≥ 0 or a percentage like "25%"';
    const refusal = new BerthApiError('INVALID_RELEASE_PLAN', `Invalid release plan: line 5: services[0].maxUnavailable: ${message}`, { problems: [{ path: 'services[0].maxUnavailable', line: 5, message }] });
    const api = gateway(refusal);
    await open(api);
    fill(1, { service: 'db', job: '2', group: 'dc9.db' });
    await click('Start release plan');
    expect(starts(api)).toHaveLength(1);
    expect(within(form()).getByRole('alert').textContent).toBe(`INVALID_RELEASE_PLAN Invalid release plan: line 5: services[0].maxUnavailable: ${message}`);
    expect(input(1, 'maxUnavailable').closest('label')?.querySelector('small')?.textContent).toBe(message);
    expect(input(1, 'group').getAttribute('aria-invalid')).toBeNull();
    expect(window.location.pathname).toBe('/plans');
  });

  it.each([
    ['JOB_NOT_FOUND', 'Job not found: db:9'],
    ['DEPLOYMENT_GROUP_NOT_FOUND', 'Deployment group not found: dc1.db (service db)'],
  ])('a job or group that does not exist (%s) shows its code and cause beside the form, no problem list', async (code, cause) => {
    const api = gateway(new BerthApiError(code, cause));
    await open(api);
    fill(1, { service: 'db', job: '9', group: 'dc1.db' });
    await click('Start release plan');
    expect(within(form()).getByRole('alert').textContent).toBe(`${code} ${cause}`);
    expect(screen.queryByTestId('plan-problems')).toBeNull();
  });

  it('a row can be removed: what is sent is the rows left', async () => {
    const api = gateway();
    await open(api);
    fill(1, { service: 'old', job: '1', group: 'g' });
    await click('Add a service');
    fill(2, { service: 'db', job: '2', group: 'dc1.db' });
    await click('Remove service 1');
    await click('Start release plan');
    expect(starts(api)).toEqual([{ services: [{ service: 'db', job: '2', group: 'dc1.db' }] }]);
  });

  it('a release.yaml pasted instead is sent exactly as typed, and the problems the scheduler finds are listed by line', async () => {
    const source = 'services:\n- service: db\n  job: 2\n  group: dc1.db\n  quorum: most\n';
    const message = 'must be an integer ≥ 0';
    const api = gateway(new BerthApiError('INVALID_RELEASE_PLAN', `Invalid release plan: line 5: services[0].quorum: ${message}`, { problems: [{ path: 'services[0].quorum', line: 5, message }] }));
    await open(api);
    await click('Paste a release.yaml instead');
    expect(within(form()).queryByRole('group', { name: 'service 1' })).toBeNull();
    fireEvent.change(within(form()).getByLabelText('release.yaml'), { target: { value: source } });
    await click('Start release plan');
    expect(api.requests.filter((r) => r.query.includes('startReleasePlan(')).map((r) => r.variables)).toEqual([{ source }]);
    expect(within(form()).getByRole('alert').getAttribute('data-code')).toBe('INVALID_RELEASE_PLAN');
    expect(within(screen.getByTestId('plan-problems')).getAllByRole('listitem').map((li) => [li.getAttribute('data-line'), li.textContent])).toEqual([['5', `line 5 services[0].quorum ${message}`]]);
  });

  it('an empty release.yaml is not sent; the rows, when they make a plan, are the text to start from', async () => {
    const api = gateway();
    await open(api);
    fill(1, { service: 'db', job: '2', group: 'dc1.db' });
    await click('Paste a release.yaml instead');
    const area = within(form()).getByLabelText('release.yaml') as HTMLTextAreaElement;
    expect(JSON.parse(area.value)).toEqual({ services: [{ service: 'db', job: '2', group: 'dc1.db' }] });
    fireEvent.change(area, { target: { value: '  ' } });
    await click('Start release plan');
    expect(starts(api)).toEqual([]);
    expect(within(form()).getByRole('alert').textContent).toBe('INVALID_RELEASE_PLAN 1 problem in the plan: nothing was sent');
    await click('Fill in the services instead');
    expect(input(1, 'service').value).toBe('db');
    expect(within(form()).queryByRole('alert')).toBeNull();
  });

  it('a read token sees no form, and why', async () => {
    await open(gateway(), 'read');
    expect(screen.queryByRole('form', { name: 'start a release plan' })).toBeNull();
    expect(screen.getByRole('note').textContent).toBe('Starting a release plan needs the deploy role; your token has the read role.');
  });
});
