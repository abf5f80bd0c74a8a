import type { Pipeline } from '@berth/domain';
import { act, fireEvent, screen, within } from '@testing-library/react';
import { BerthApiError } from '../api/berth-api';
import type { JobSummary, ServicePipeline } from '../api/types';
import { PipelinePage } from '../pages/pipeline-page';
import { ReleasesPage } from '../pages/releases-page';
import { renderInSession } from '../testing/render-in-session';
import { ScriptedBerthApi } from '../testing/scripted-api';

const groupStep = (name: string) => ({ kind: 'group' as const, name, autoRollback: false, ignoreFailure: false, disabled: false, waitForDeployment: true });
const WEB_PIPELINE: Pipeline = {
  stages: [
    { parallel: false, triggerNextStepManually: false, steps: [{ ...groupStep('itest'), kind: 'gate' }] },
    { parallel: false, triggerNextStepManually: true, steps: [groupStep('web.canary')] },
    { parallel: true, triggerNextStepManually: false, steps: [groupStep('prod.east'), groupStep('prod.west')] },
  ],
};
const pipelineOf = (service: string, pipeline: Pipeline): ServicePipeline => ({ service, pipeline, source: null, revision: 1, updatedAt: 't' });
const PIPELINES = [pipelineOf('web', WEB_PIPELINE), pipelineOf('api', { stages: [{ parallel: false, triggerNextStepManually: false, steps: [groupStep('api.main')] }] })];
const job = (id: string): JobSummary => ({ id, name: id.split(':')[0] ?? id, version: id.split(':')[1] ?? '', deployments: [] });
const JOBS = [job('web:1:aaa'), job('web:2:bbb'), job('api:7:ccc')];

/** Two services with a pipeline and their jobs; markForDeployment starts release rel-new-1 (or fails with `refuse`). */
function gateway(refuse?: BerthApiError) {
  return new ScriptedBerthApi((query, variables) => {
    const field = /\{\s*(\w+)\(?/.exec(query.slice(query.indexOf('{')))?.[1];
    switch (field) {
      case 'markForDeployment':
        return refuse ?? { markForDeployment: { changed: true, sequence: 9, release: { releaseId: 'rel-new-1', status: 'deploying' } } };
      case 'pipelines':
        return { pipelines: { sequence: 5, items: PIPELINES } };
      case 'pipeline':
        return { pipeline: { sequence: 5, pipeline: PIPELINES.find((p) => p.service === variables['service']) } };
      case 'jobs': {
        const name = (variables['filter'] as { name: string }).name;
        return { jobs: { totalCount: 2, nextCursor: null, sequence: 5, items: JOBS.filter((j) => j.name === name) } };
      }
      case 'releases':
        return { releases: { sequence: 5, items: [] } };
      case 'freezes':
        return { freezes: { sequence: 5, items: [] } };
      default:
        return {};
    }
  });
}

const form = () => screen.getByRole('form', { name: 'start a release' });
const select = (name: string) => form().querySelector(`select[name="${name}"]`) as HTMLSelectElement;
const optionsOf = (name: string) => [...select(name).options].map((o) => o.textContent);
const choose = (name: string, value: string) => act(async () => void fireEvent.change(select(name), { target: { value } }));
const submit = () => act(async () => void fireEvent.click(within(form()).getByRole('button', { name: 'Start release' })));
const markCalls = (api: ScriptedBerthApi) => api.requests.filter((r) => r.query.includes('markForDeployment(')).map((r) => r.variables);

describe('start a release', () => {
  it('on the releases page: the services with a pipeline, then that service’s jobs and its groups; sends exactly service and job, and the list is read again', async () => {
    const api = gateway();
    renderInSession(api, <ReleasesPage />, 'deploy');
    await screen.findByRole('option', { name: 'web' });
    expect(optionsOf('service')).toEqual(['choose a service', 'web', 'api']);
    await choose('service', 'web');
    await screen.findByRole('option', { name: 'web:2:bbb' });
    expect(api.requests.filter((r) => r.query.includes('jobs(')).map((r) => r.variables['filter'])).toEqual([{ name: 'web' }]);
    expect(optionsOf('job')).toEqual(['choose a job', 'web:1:aaa', 'web:2:bbb']);
    expect(optionsOf('group')).toEqual(['every step of the pipeline', 'web.canary only', 'prod.east only', 'prod.west only']);
    const listReads = api.requests.filter((r) => r.query.includes('releases(')).length;
    await choose('job', 'web:2:bbb');
    await submit();
    expect(markCalls(api)).toEqual([{ service: 'web', job: 'web:2:bbb' }]);
    const started = within(form()).getByRole('status');
    expect(started.textContent).toBe('Started release rel-new- (deploying).');
    expect(within(started).getByRole('link').getAttribute('href')).toBe('/releases/rel-new-1');
    expect(api.requests.filter((r) => r.query.includes('releases(')).length).toBe(listReads + 1);
  });

  it('one group only: the group is sent; another service clears job and group', async () => {
    const api = gateway();
    renderInSession(api, <ReleasesPage />, 'deploy');
    await screen.findByRole('option', { name: 'web' });
    await choose('service', 'web');
    await screen.findByRole('option', { name: 'web:1:aaa' });
    await choose('job', 'web:1:aaa');
    await choose('group', 'web.canary');
    await submit();
    expect(markCalls(api)).toEqual([{ service: 'web', job: 'web:1:aaa', group: 'web.canary' }]);
    await choose('service', 'api');
    await screen.findByRole('option', { name: 'api:7:ccc' });
    expect([select('job').value, select('group').value]).toEqual(['', '']);
    expect(optionsOf('group')).toEqual(['every step of the pipeline', 'api.main only']);
  });

  it('auto-rollback and force are sent only when ticked; an admin may give a reason to start through a freeze, a deploy token has no such field', async () => {
    const api = gateway();
    const view = renderInSession(api, <ReleasesPage />, 'admin');
    await screen.findByRole('option', { name: 'web' });
    await choose('service', 'web');
    await screen.findByRole('option', { name: 'web:1:aaa' });
    await choose('job', 'web:1:aaa');
    fireEvent.click(within(form()).getByRole('checkbox', { name: /auto-rollback/ }));
    fireEvent.click(within(form()).getByRole('checkbox', { name: /force/ }));
    fireEvent.change(within(form()).getByLabelText(/Through a freeze/), { target: { value: ' hotfix for INC-42 ' } });
    await submit();
    expect(markCalls(api)).toEqual([{ service: 'web', job: 'web:1:aaa', autoRollback: true, force: true, overrideFreeze: 'hotfix for INC-42' }]);
    view.unmount();
    renderInSession(gateway(), <ReleasesPage />, 'deploy');
    await screen.findByRole('option', { name: 'web' });
    expect(within(form()).queryByLabelText(/Through a freeze/)).toBeNull();
  });

  it('sends nothing without a service or a job, and says which is missing', async () => {
    const api = gateway();
    renderInSession(api, <ReleasesPage />, 'deploy');
    await screen.findByRole('option', { name: 'web' });
    await submit();
    expect(within(form()).getByRole('alert').textContent).toBe('INVALID_REQUEST choose the service to release');
    await choose('service', 'api');
    await screen.findByRole('option', { name: 'api:7:ccc' });
    await submit();
    expect(within(form()).getByRole('alert').textContent).toBe('INVALID_REQUEST choose the job of api to release');
    expect(markCalls(api)).toEqual([]);
  });

  it.each([
    ['RELEASE_IN_PROGRESS', 'web already has a release in flight'],
    ['VERSION_MARKED_BAD', 'web:1:aaa was rolled back in web.canary'],
    ['DEPLOY_FROZEN', 'web is frozen until Monday (weekends)'],
  ])('a refusal (%s) shows its Berth code and message beside the form, and no release is said to have started', async (code, message) => {
    const api = gateway(new BerthApiError(code, message));
    renderInSession(api, <ReleasesPage />, 'deploy');
    await screen.findByRole('option', { name: 'web' });
    await choose('service', 'web');
    await screen.findByRole('option', { name: 'web:1:aaa' });
    await choose('job', 'web:1:aaa');
    await submit();
    const alert = within(form()).getByRole('alert');
    expect([alert.getAttribute('data-code'), alert.textContent]).toEqual([code, `${code} ${message}`]);
    expect(within(form()).queryByRole('status')).toBeNull();
  });

  it('a read token sees no form, and why', async () => {
    const api = gateway();
    renderInSession(api, <ReleasesPage />, 'read');
    await screen.findByText('No releases yet.', { exact: false });
    expect(screen.queryByRole('form', { name: 'start a release' })).toBeNull();
    expect(screen.getByRole('note').textContent).toBe('Starting a release needs the deploy role; your token has the read role.');
  });

  it('on a pipeline page the service is that one, and the new release’s page opens', async () => {
    window.history.pushState(null, '', '/pipelines/web');
    const api = gateway();
    renderInSession(api, <PipelinePage service="web" />, 'deploy');
    await screen.findByRole('option', { name: 'web:2:bbb' });
    expect(select('service')).toBeNull();
    await choose('job', 'web:2:bbb');
    await submit();
    expect(markCalls(api)).toEqual([{ service: 'web', job: 'web:2:bbb' }]);
    expect(window.location.pathname).toBe('/releases/rel-new-1');
  });

  it('a read token on a pipeline page sees no form, and why', async () => {
    renderInSession(gateway(), <PipelinePage service="web" />, 'read');
    await screen.findByTestId('pipeline-revision');
    expect(screen.queryByRole('form', { name: 'start a release' })).toBeNull();
    expect(screen.getAllByRole('note').map((n) => n.textContent)).toContain('Starting a release needs the deploy role; your token has the read role.');
  });
});
