import { useState, type FormEvent } from 'react';
import { PIPELINES_QUERY } from '../api/documents';
import type { ServicePipeline } from '../api/types';
import { Link, navigate } from '../app/router';
import { useCan } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { RoleNote } from '../components/role-note';
import { useReloadOnEvents } from '../components/use-debounced-reload';
import { useQuery } from '../components/use-live';
import { PipelineStages } from '../pipeline/pipeline-stages';

const pipelinePath = (service: string) => `/pipelines/${encodeURIComponent(service)}`;

/** Opens the editor of a service's pipeline, new or not. */
function OpenPipelineForm() {
  const [service, setService] = useState('');
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (service.trim()) navigate(pipelinePath(service.trim()));
  };
  return (
    <form onSubmit={onSubmit} aria-label="write a pipeline" className="inline-form ask-form">
      <label>
        Service <input name="service" value={service} onChange={(e) => setService(e.target.value)} placeholder="a job name" />
      </label>
      <button type="submit" disabled={!service.trim()}>
        Write its deploy.yaml
      </button>
    </form>
  );
}

/**
 * Every service's deploy pipeline (PaaSTA's deploy.yaml): steps and gates in
 * order, parallel blocks, manual advances and step options. Admins write one
 * from here.
 */
export function PipelinesPage() {
  const canAdmin = useCan('admin');
  const pipelines = useQuery<{ pipelines: { items: ServicePipeline[] } }>(PIPELINES_QUERY, {}, 'pipelines');
  useReloadOnEvents('pipeline', pipelines.reload);
  const items = pipelines.data?.pipelines.items ?? [];
  return (
    <main>
      <h1>Pipelines</h1>
      <p className="muted">
        A <Link to="/releases">release</Link> of a service (mark-for-deployment) runs its pipeline one stage after another.
      </p>
      <ErrorNote error={pipelines.error} />
      {pipelines.data && items.length === 0 ? (
        <p className="empty">No pipelines yet. {canAdmin ? <>Write one below or with <code>berth pipeline set SERVICE -f deploy.yaml</code>.</> : 'An admin sets them.'}</p>
      ) : null}
      {items.length > 0 ? (
        <table data-testid="pipelines">
          <thead>
            <tr>
              <th>Service</th>
              <th>Stages</th>
              <th>Revision</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => (
              <tr key={p.service} data-pipeline={p.service}>
                <td>
                  <Link to={pipelinePath(p.service)}>{p.service}</Link>
                </td>
                <td>
                  <PipelineStages pipeline={p.pipeline} />
                </td>
                <td>{p.revision}</td>
                <td>{p.updatedAt}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {canAdmin ? <OpenPipelineForm /> : <RoleNote what="Setting and removing pipelines" needed="admin" />}
    </main>
  );
}
