import { act, fireEvent, screen, within } from '@testing-library/react';
import { BerthApiError } from '../api/berth-api';
import type { Release, ReleaseStep } from '../api/types';
import { ReleasePage } from '../pages/release-page';
import { releaseOf, releaseStep } from '../testing/releases';
import { renderInSession } from '../testing/render-in-session';
import { ScriptedBerthApi } from '../testing/scripted-api';

/** a gate step, running */
const step = (over: Partial<ReleaseStep>): ReleaseStep =>
  releaseStep({ key: 'gate:itest', kind: 'gate', name: 'itest', status: 'RUNNING', startedAt: '2026-12-06T10:00:00.000Z', rolloutId: null, triggerNextStepManually: false, ...over });

/** a release at its first step, the gate itest */
const release = (over: Partial<Release>): Release =>
  releaseOf({
    releaseId: '6f1c2d3e-0000-4000-8000-000000000001',
    awaitingTrigger: false,
    createdAt: '2026-12-06T10:00:00.000Z',
    updatedAt: '2026-12-06T10:00:00.000Z',
    steps: [step({}), step({ key: 'group:web.main', kind: 'group', name: 'web.main', stage: 1, status: 'PENDING', startedAt: null })],
    ...over,
  });

const AT_GATE = release({});

/** A gateway whose reportGate answers (or fails with `refuse`); the test pushes the release's progress. */
function gateway(refuse?: BerthApiError) {
  return new ScriptedBerthApi((query) => (query.includes('reportGate(') ? (refuse ?? { reportGate: { changed: true, sequence: 9, release: { releaseId: AT_GATE.releaseId, status: 'deploying' } } }) : {}));
}

async function open(api: ScriptedBerthApi, role: 'read' | 'deploy', shown: Release = AT_GATE) {
  renderInSession(api, <ReleasePage id={shown.releaseId} />, role);
  await act(async () => {
    api.push('releaseProgress', { releaseProgress: { event: null, sequence: 5, release: shown } });
  });
  await act(async () => void (await new Promise((resolve) => requestAnimationFrame(resolve))));
}

const gates = () => screen.queryByRole('region', { name: 'pending gates' });
const reports = (api: ScriptedBerthApi) => api.requests.filter((r) => r.query.includes('reportGate(')).map((r) => r.variables);

describe('report a gate on the release page', () => {
  it('Pass sends the release, the gate and passed, with the message when one is typed', async () => {
    const api = gateway();
    await open(api, 'deploy');
    const group = within(gates() as HTMLElement).getByRole('group', { name: 'gate itest' });
    expect(group.textContent).toMatch(/^itest waits for a verdict since 2026-12-06T10:00:00.000Z\./);
    await act(async () => void fireEvent.click(within(group).getByRole('button', { name: 'Pass' })));
    fireEvent.change(within(group).getByLabelText(/Message/), { target: { value: '  smoke tests green ' } });
    await act(async () => void fireEvent.click(within(group).getByRole('button', { name: 'Pass' })));
    expect(reports(api)).toEqual([
      { release: AT_GATE.releaseId, gate: 'itest', passed: true },
      { release: AT_GATE.releaseId, gate: 'itest', passed: true, message: 'smoke tests green' },
    ]);
  });

  it('Fail asks first: nothing is sent when declined, passed false when confirmed', async () => {
    const api = gateway();
    await open(api, 'deploy');
    const confirm = jest.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
    const fail = () => act(async () => void fireEvent.click(within(gates() as HTMLElement).getByRole('button', { name: 'Fail' })));
    await fail();
    expect(reports(api)).toEqual([]);
    await fail();
    expect(confirm.mock.calls[0]?.[0]).toBe("Fail gate itest of the web release? Its step fails as if the gate's own system had said so.");
    expect(reports(api)).toEqual([{ release: AT_GATE.releaseId, gate: 'itest', passed: false }]);
    confirm.mockRestore();
  });

  it('a refusal shows its code beside the gate', async () => {
    const api = gateway(new BerthApiError('GATE_NOT_PENDING', 'Release x is not waiting on gate itest'));
    await open(api, 'deploy');
    await act(async () => void fireEvent.click(within(gates() as HTMLElement).getByRole('button', { name: 'Pass' })));
    expect(within(gates() as HTMLElement).getByRole('alert').getAttribute('data-code')).toBe('GATE_NOT_PENDING');
  });

  it.each([
    ['the gate is done', release({ steps: [step({ status: 'SUCCEEDED' }), step({ key: 'group:web.main', kind: 'group', name: 'web.main', stage: 1, status: 'RUNNING' })], stage: 1 })],
    ['the running step is a group', release({ steps: [step({ key: 'group:web.main', kind: 'group', name: 'web.main' })] })],
    ['the release is not deploying', release({ status: 'failed', finished: true })],
  ])('no verdict is offered when %s', async (_case, shown) => {
    await open(gateway(), 'deploy', shown);
    expect(screen.getByTestId('release-status')).toBeTruthy();
    expect(gates()).toBeNull();
  });

  it('a read token sees which gate the release waits on, no buttons, and why', async () => {
    const api = gateway();
    await open(api, 'read');
    const section = gates() as HTMLElement;
    expect(within(section).queryAllByRole('button')).toEqual([]);
    expect(within(section).getByText('itest')).toBeTruthy();
    expect(within(section).getByRole('note').textContent).toBe("Reporting a gate's verdict needs the deploy role; your token has the read role.");
  });
});
