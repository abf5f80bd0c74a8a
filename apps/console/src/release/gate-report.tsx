import { useState } from 'react';
import { REPORT_GATE } from '../api/documents';
import type { Release, ReleaseStep } from '../api/types';
import { useCan, useSession } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { RoleNote } from '../components/role-note';
import { useAction } from '../components/use-action';

/** The gates the release waits on now: running gate steps of a deploying release. */
export function pendingGates(release: Release): ReleaseStep[] {
  return release.status === 'deploying' ? release.steps.filter((s) => s.kind === 'gate' && s.status === 'RUNNING') : [];
}

function GateVerdict(props: { readonly release: Release; readonly gate: ReleaseStep }) {
  const { api } = useSession();
  const [message, setMessage] = useState('');
  const report = useAction(async (passed: boolean) => {
    if (!passed && !window.confirm(`Fail gate ${props.gate.name} of the ${props.release.service} release? Its step fails as if the gate's own system had said so.`)) return;
    await api.request(REPORT_GATE, { release: props.release.releaseId, gate: props.gate.name, passed, ...(message.trim() ? { message: message.trim() } : {}) });
    setMessage('');
  });
  return (
    <div className="actions" role="group" aria-label={`gate ${props.gate.name}`}>
      <strong>{props.gate.name}</strong> waits for a verdict{props.gate.startedAt ? ` since ${props.gate.startedAt}` : ''}.{' '}
      <label>
        Message <input name="message" value={message} onChange={(e) => setMessage(e.target.value)} placeholder="optional, recorded on the step" />
      </label>
      <button type="button" disabled={report.busy} onClick={() => void report.perform(true)}>
        Pass
      </button>
      <button type="button" className="danger" disabled={report.busy} onClick={() => void report.perform(false)}>
        Fail
      </button>
      <ErrorNote error={report.error} />
    </div>
  );
}

/**
 * Pass or fail the gates the release waits on, as the outside system the
 * gate stands for would (reportGate, deploy role); the page follows the release live.
 */
export function GateReports(props: { readonly release: Release }) {
  const canDeploy = useCan('deploy');
  const gates = pendingGates(props.release);
  if (gates.length === 0) return null;
  return (
    <section aria-label="pending gates">
      <h2>Waiting on {gates.length === 1 ? 'a gate' : 'gates'}</h2>
      {canDeploy ? (
        gates.map((g) => <GateVerdict key={g.key} release={props.release} gate={g} />)
      ) : (
        <>
          <p>{gates.map((g) => g.name).join(', ')}</p>
          <RoleNote what="Reporting a gate's verdict" needed="deploy" />
        </>
      )}
    </section>
  );
}
