import { useState, type FormEvent } from 'react';
import { BerthApiError } from '../api/berth-api';
import { REMOVE_JOB } from '../api/documents';
import { navigate } from '../app/router';
import { useCan, useSession } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { RoleNote } from '../components/role-note';
import { useAction } from '../components/use-action';

/** True when the job definition has a token, which removing it (like deploying it) must present. */
export function hasJobToken(definition: unknown): boolean {
  const token = typeof definition === 'object' && definition !== null ? (definition as { token?: unknown }).token : undefined;
  return typeof token === 'string' && token !== '';
}

/**
 * Removes the job (removeJob, deploy role) after a confirmation, with its
 * token when it has one; back to the jobs list once removed.
 */
export function RemoveJobForm(props: { readonly jobId: string; readonly definition: unknown }) {
  const { api } = useSession();
  const canDeploy = useCan('deploy');
  const needsToken = hasJobToken(props.definition);
  const [token, setToken] = useState('');
  const remove = useAction(async () => {
    if (needsToken && !token) throw new BerthApiError('INVALID_REQUEST', 'this job has a token: type it to remove the job');
    if (!window.confirm(`Remove job ${props.jobId}? It must be undeployed from every host first.`)) return;
    await api.request(REMOVE_JOB, { job: props.jobId, ...(needsToken ? { token } : {}) });
    navigate('/jobs');
  });
  if (!canDeploy) return <RoleNote what="Removing a job" needed="deploy" />;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void remove.perform();
  };
  return (
    <form onSubmit={onSubmit} aria-label="remove the job" className="inline-form ask-form">
      <h2>Remove</h2>
      {needsToken ? (
        <label>
          Job token <input name="token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} />
          <small>this job has a token: removing it needs it</small>
        </label>
      ) : null}
      <button type="submit" className="danger" disabled={remove.busy}>
        Remove job
      </button>
      <ErrorNote error={remove.error} />
    </form>
  );
}
