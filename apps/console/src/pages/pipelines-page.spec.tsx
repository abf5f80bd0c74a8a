import type { Pipeline } from '@berth/domain';
import { act, fireEvent, screen, within } from '@testing-library/react';
import { BerthApiError } from '../api/berth-api';
import type { PipelineProblem, ServicePipeline } from '../api/types';
import { renderInSession } from '../testing/render-in-session';
import { ScriptedBerthApi } from '../testing/scripted-api';
import { PipelinePage } from './pipeline-page';
import { PipelinesPage } from './pipelines-page';

const WEB_SOURCE = 'pipeline:\n- gate: itest\n  timeout: 600\n- step: web.canary\n  trigger_next_step_manually: true\n- parallel:\n  - step: prod.east\n  - step: prod.west\n    auto_rollback: true\n';
const WEB_PIPELINE: Pipeline = {
  stages: [
    { parallel: false, triggerNextStepManually: false, steps: [{ kind: 'gate', name: 'itest', timeout: 600, autoRollback: false, ignoreFailure: false, disabled: false, waitForDeployment: true }] },
    { parallel: false, triggerNextStepManually: true, steps: [{ kind: 'group', name: 'web.canary', autoRollback: false, ignoreFailure: false, disabled: false, waitForDeployment: true }] },
    {
      parallel: true,
      triggerNextStepManually: false,
      steps: [
        { kind: 'group', name: 'prod.east', autoRollback: false, ignoreFailure: false, disabled: false, waitForDeployment: true },
        { kind: 'group', name: 'prod.west', autoRollback: true, ignoreFailure: false, disabled: false, waitForDeployment: true },
      ],
    },
  ],
  autoCertifyDelay: 300,
};
const WEB: ServicePipeline = { service: 'web', pipeline: WEB_PIPELINE, source: WEB_SOURCE, revision: 2, updatedAt: '2026-12-06T10:00:00Z' };
const API_PIPELINE: Pipeline = { stages: [{ parallel: false, triggerNextStepManually: false, steps: [{ kind: 'group', name: 'api.main', autoRollback: false, ignoreFailure: true, disabled: false, waitForDeployment: false }] }] };
const API: ServicePipeline = { service: 'api', pipeline: API_PIPELINE, source: null, revision: 1, updatedAt: '2026-12-01T10:00:00Z' };

interface GatewayScript {
  /** validatePipeline's answer */
  readonly problems?: readonly PipelineProblem[];
  /** the next setPipeline or removePipeline fails with this */
  readonly refuse?: BerthApiError;
}

/**
 * A gateway holding `pipelines`, as the real one answers: PIPELINE_NOT_FOUND
 * for a service without one; setPipeline stores the pipeline it is given as
 * the next revision (its stages: api's, whatever the text); removePipeline drops it.
 */
function pipelineGateway(pipelines: ServicePipeline[], script: GatewayScript = {}) {
  return new ScriptedBerthApi((query, variables) => {
    const service = String(variables['service']);
    const found = pipelines.find((p) => p.service === service);
    const field = /\{\s*(\w+)\(?/.exec(query.slice(query.indexOf('{')))?.[1];
    if ((field === 'setPipeline' || field === 'removePipeline') && script.refuse) return script.refuse;
    switch (field) {
      case 'pipelines':
        return { pipelines: { sequence: 5, items: [...pipelines] } };
      case 'pipeline':
        return found ? { pipeline: { sequence: 5, pipeline: found } } : new BerthApiError('PIPELINE_NOT_FOUND', `Pipeline not found: ${service}`);
      case 'validatePipeline':
        return { validatePipeline: { service, valid: (script.problems ?? []).length === 0, problems: script.problems ?? [] } };
      case 'setPipeline': {
        const set: ServicePipeline = { service, pipeline: API_PIPELINE, source: String(variables['source']), revision: (found?.revision ?? 0) + 1, updatedAt: 'now' };
        pipelines.splice(0, pipelines.length, ...pipelines.filter((p) => p.service !== service), set);
        return { setPipeline: { changed: true, sequence: 6, pipeline: set } };
      }
      case 'removePipeline':
        pipelines.splice(0, pipelines.length, ...pipelines.filter((p) => p.service !== service));
        return { removePipeline: true };
      case 'jobs':
        return { jobs: { totalCount: 0, nextCursor: null, sequence: 5, items: [] } };
      default:
        return {};
    }
  });
}

const mutations = (api: ScriptedBerthApi) => api.requests.filter((r) => r.query.trimStart().startsWith('mutation')).map((r) => [/\{\s*(\w+)\(/.exec(r.query)?.[1], r.variables]);
const validations = (api: ScriptedBerthApi) => api.requests.filter((r) => r.query.includes('validatePipeline(')).map((r) => r.variables);
const stagesOf = (container: HTMLElement) => [...container.querySelectorAll('ol.pipeline-stages > li')].map((li) => li.textContent);
const editor = () => screen.getByRole('form', { name: 'edit deploy.yaml' });
const textArea = () => within(editor()).getByLabelText('deploy.yaml') as HTMLTextAreaElement;
const click = (name: string) => act(async () => fireEvent.click(within(editor()).getByRole('button', { name })));
const problemRows = () => within(screen.getByTestId('pipeline-problems')).getAllByRole('listitem').map((li) => li.textContent);

const WEB_STAGES = ['gate itest · timeout 600 s', 'step web.canary then waits for an advance', 'parallel:step prod.eaststep prod.west · auto_rollback'];

describe('pipelines page', () => {
  it.each(['read', 'deploy'] as const)('a %s token sees every service with its stages in order, parallel blocks, gates and options, and no edit control', async (role) => {
    const api = pipelineGateway([API, WEB]);
    renderInSession(api, <PipelinesPage />, role);
    const table = await screen.findByTestId('pipelines');
    const rowOf = (service: string) => table.querySelector(`tr[data-pipeline="${service}"]`) as HTMLTableRowElement;
    expect(within(table).getAllByRole('row').slice(1).map((r) => r.getAttribute('data-pipeline'))).toEqual(['api', 'web']);
    expect(stagesOf(rowOf('web'))).toEqual(WEB_STAGES);
    expect(rowOf('web').textContent).toContain('auto_certify_delay 300 s');
    expect(stagesOf(rowOf('api'))).toEqual(['step api.main · ignore_failure, wait_for_deployment: false']);
    expect(within(rowOf('web')).getByRole('link', { name: 'web' }).getAttribute('href')).toBe('/pipelines/web');
    expect(within(rowOf('web')).getByRole('link', { name: 'prod.west' }).getAttribute('href')).toBe('/groups/prod.west');
    expect([...rowOf('web').cells].slice(2).map((c) => c.textContent)).toEqual(['2', '2026-12-06T10:00:00Z']);
    expect(screen.queryAllByRole('button')).toEqual([]);
    expect(screen.queryByRole('form')).toBeNull();
    expect(screen.getByRole('note').textContent).toMatch(new RegExp(`needs the admin role; your token has the ${role} role`));
  });

  it('an admin opens the editor of any service from the list page', async () => {
    renderInSession(pipelineGateway([]), <PipelinesPage />, 'admin');
    await screen.findByText(/No pipelines yet/);
    const form = screen.getByRole('form', { name: 'write a pipeline' });
    fireEvent.change(within(form).getByLabelText(/Service/), { target: { value: ' checkout ' } });
    await act(async () => fireEvent.click(within(form).getByRole('button', { name: 'Write its deploy.yaml' })));
    expect(window.location.pathname).toBe('/pipelines/checkout');
  });
});

describe('pipeline page', () => {
  it.each(['read', 'deploy'] as const)("a %s token sees the service's stages and its deploy.yaml as set, and no edit control", async (role) => {
    const api = pipelineGateway([WEB]);
    renderInSession(api, <PipelinePage service="web" />, role);
    expect((await screen.findByTestId('pipeline-revision')).textContent).toBe('revision 2, set 2026-12-06T10:00:00Z');
    expect(stagesOf(screen.getByRole('region', { name: 'pipeline' }))).toEqual(WEB_STAGES);
    expect(document.querySelector('pre.pipeline-source')?.textContent).toBe(WEB_SOURCE);
    expect(screen.queryByRole('form', { name: 'edit deploy.yaml' })).toBeNull();
    expect(screen.queryByRole('textbox')).toBeNull();
    expect(screen.queryByRole('button', { name: /Remove|Save|Validate/ })).toBeNull();
    expect(screen.getAllByRole('note').map((n) => n.textContent)).toContain(`Setting and removing pipelines needs the admin role; your token has the ${role} role.`);
    await act(async () => undefined);
    expect(mutations(api)).toEqual([]);
  });

  it("an admin's editor starts from the text as it was set; Validate shows each problem by its line, and clicking one selects that line", async () => {
    const problems = [
      { line: 3, path: 'pipeline[0].timeout', message: 'must be a number of seconds > 0 (at most 30 days)' },
      { line: null, path: '', message: 'deployment group "web.main" runs this service but no step covers it' },
    ];
    const api = pipelineGateway([WEB], { problems });
    renderInSession(api, <PipelinePage service="web" />, 'admin');
    await screen.findByTestId('pipeline-revision');
    expect(textArea().value).toBe(WEB_SOURCE);
    expect(screen.queryByRole('note')).toBeNull();
    const edited = WEB_SOURCE.replace('timeout: 600', 'timeout: soon');
    fireEvent.change(textArea(), { target: { value: edited } });
    await click('Validate');
    expect(validations(api)).toEqual([{ service: 'web', source: edited }]);
    expect(problemRows()).toEqual(['line 3 pipeline[0].timeout must be a number of seconds > 0 (at most 30 days)', 'file  deployment group "web.main" runs this service but no step covers it']);
    await act(async () => fireEvent.click(within(screen.getByTestId('pipeline-problems')).getByRole('button', { name: 'line 3' })));
    expect(document.activeElement).toBe(textArea());
    expect(edited.slice(textArea().selectionStart, textArea().selectionEnd)).toBe('  timeout: soon');
    expect(mutations(api)).toEqual([]);
  });

  it('Validate says so when the gateway finds no problem', async () => {
    renderInSession(pipelineGateway([WEB]), <PipelinePage service="web" />, 'admin');
    await screen.findByTestId('pipeline-revision');
    await click('Validate');
    expect(within(editor()).getByRole('status').textContent).toMatch(/^No problems/);
    expect(screen.queryByTestId('pipeline-problems')).toBeNull();
  });

  it('Save sends exactly the text typed, then shows the new revision and its stages', async () => {
    const pipelines = [WEB];
    const api = pipelineGateway(pipelines);
    renderInSession(api, <PipelinePage service="web" />, 'admin');
    await screen.findByTestId('pipeline-revision');
    const typed = '  # note\npipeline:\n- step: api.main\n  ignore_failure: true\n  wait_for_deployment: false\n\n\n';
    fireEvent.change(textArea(), { target: { value: typed } });
    await click('Save');
    expect(mutations(api)).toEqual([['setPipeline', { service: 'web', source: typed }]]);
    expect(within(editor()).getByRole('status').textContent).toBe('Saved as revision 3.');
    // the page re-reads the pipeline
    await act(async () => undefined);
    expect(screen.getByTestId('pipeline-revision').textContent).toBe('revision 3, set now');
    expect(stagesOf(screen.getByRole('region', { name: 'pipeline' }))).toEqual(['step api.main · ignore_failure, wait_for_deployment: false']);
    expect(textArea().value).toBe(typed);
  });

  it("INVALID_PIPELINE from Save shows with its code and each problem by its line; nothing is reported saved", async () => {
    const problems = [
      { path: 'pipeline[1].step', line: 2, message: 'unknown variable {cluster}: only {service} is supported' },
      { path: 'pipeline[2]', line: 4, message: 'a step needs exactly one of "step" (a deployment group) or "gate" (a named check)' },
    ];
    const refuse = new BerthApiError('INVALID_PIPELINE', 'Invalid pipeline file: line 2: …; line 4: …', { problems });
    const api = pipelineGateway([WEB], { refuse });
    renderInSession(api, <PipelinePage service="web" />, 'admin');
    await screen.findByTestId('pipeline-revision');
    await click('Save');
    expect(mutations(api)).toHaveLength(1);
    const alert = within(editor()).getByRole('alert');
    expect(alert.getAttribute('data-code')).toBe('INVALID_PIPELINE');
    expect(alert.textContent).toBe('INVALID_PIPELINE 2 problems in the file: nothing was stored');
    expect(problemRows()).toEqual([
      'line 2 pipeline[1].step unknown variable {cluster}: only {service} is supported',
      'line 4 pipeline[2] a step needs exactly one of "step" (a deployment group) or "gate" (a named check)',
    ]);
    expect(within(editor()).queryByRole('status')).toBeNull();
    expect(screen.getByTestId('pipeline-revision').textContent).toBe('revision 2, set 2026-12-06T10:00:00Z');
  });

  it("any other refusal of Save shows the gateway's code and message", async () => {
    const api = pipelineGateway([WEB], { refuse: new BerthApiError('FORBIDDEN', 'setPipeline needs the admin role') });
    renderInSession(api, <PipelinePage service="web" />, 'admin');
    await screen.findByTestId('pipeline-revision');
    await click('Save');
    const alert = within(editor()).getByRole('alert');
    expect(alert.getAttribute('data-code')).toBe('FORBIDDEN');
    expect(alert.textContent).toBe('FORBIDDEN setPipeline needs the admin role');
    expect(screen.queryByTestId('pipeline-problems')).toBeNull();
  });

  it('a service without a pipeline: the editor starts from an example and says so; saving it creates revision 1', async () => {
    const api = pipelineGateway([]);
    renderInSession(api, <PipelinePage service="checkout" />, 'admin');
    expect((await screen.findByRole('note')).textContent).toBe('The text below is an example to adapt: nothing is set until you save it.');
    expect(screen.getByText('No pipeline for checkout.')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(textArea().value).toMatch(/^# deploy\.yaml.*\npipeline:\n- step: "\{service\}\.canary"/s);
    expect(screen.queryByRole('button', { name: 'Remove pipeline' })).toBeNull();
    await click('Save');
    expect(mutations(api)).toEqual([['setPipeline', { service: 'checkout', source: textArea().value }]]);
    await act(async () => undefined);
    expect(screen.getByTestId('pipeline-revision').textContent).toBe('revision 1, set now');
    expect(screen.queryByText('No pipeline for checkout.')).toBeNull();
  });

  it('a pipeline set without its text: the editor starts from an example and says the stages above are the current pipeline', async () => {
    renderInSession(pipelineGateway([API]), <PipelinePage service="api" />, 'admin');
    expect((await screen.findByRole('note')).textContent).toMatch(/set without its text: the text below is an example, not the current pipeline/);
    expect(stagesOf(screen.getByRole('region', { name: 'pipeline' }))).toEqual(['step api.main · ignore_failure, wait_for_deployment: false']);
    expect(textArea().value).toMatch(/^# deploy\.yaml/);
  });

  it('removes the pipeline only after the admin confirms, then goes back to the list', async () => {
    window.history.pushState(null, '', '/pipelines/web');
    const pipelines = [WEB];
    const api = pipelineGateway(pipelines);
    const confirm = jest.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
    renderInSession(api, <PipelinePage service="web" />, 'admin');
    await screen.findByTestId('pipeline-revision');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Remove pipeline' })));
    expect(confirm.mock.calls[0]?.[0]).toMatch(/^Remove the pipeline of web\?/);
    expect(mutations(api)).toEqual([]);
    expect(window.location.pathname).toBe('/pipelines/web');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Remove pipeline' })));
    expect(mutations(api)).toEqual([['removePipeline', { service: 'web' }]]);
    expect(pipelines).toEqual([]);
    expect(window.location.pathname).toBe('/pipelines');
    confirm.mockRestore();
  });

  it('a refused removal shows its code beside the button', async () => {
    const confirm = jest.spyOn(window, 'confirm').mockReturnValue(true);
    renderInSession(pipelineGateway([WEB], { refuse: new BerthApiError('FORBIDDEN', 'removePipeline needs the admin role') }), <PipelinePage service="web" />, 'admin');
    await screen.findByTestId('pipeline-revision');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Remove pipeline' })));
    expect(screen.getByRole('button', { name: 'Remove pipeline' }).parentElement?.querySelector('[role="alert"]')?.getAttribute('data-code')).toBe('FORBIDDEN');
    confirm.mockRestore();
  });
});
