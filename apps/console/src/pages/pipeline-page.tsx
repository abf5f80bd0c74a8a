import { ErrorCode } from '@berth/domain';
import { BerthApiError } from '../api/berth-api';
import { PIPELINE_QUERY, REMOVE_PIPELINE } from '../api/documents';
import type { ServicePipeline } from '../api/types';
import { Link, navigate } from '../app/router';
import { useCan, useSession } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { RoleNote } from '../components/role-note';
import { useAction } from '../components/use-action';
import { useReloadOnEvents } from '../components/use-debounced-reload';
import { useQuery } from '../components/use-live';
import { PipelineEditor } from '../pipeline/pipeline-editor';
import { PIPELINE_TEMPLATE } from '../pipeline/pipeline-format';
import { PipelineStages } from '../pipeline/pipeline-stages';
import { StartReleaseForm } from '../release/start-release-form';

/**
 * One service's pipeline: its stages for everyone, a release of it started
 * from here (deploy role); admins (the role the
 * gateway's setPipeline and removePipeline need) edit its deploy.yaml —
 * validate, save — and remove it.
 */
export function PipelinePage(props: { readonly service: string }) {
  const { api } = useSession();
  const canAdmin = useCan('admin');
  const canDeploy = useCan('deploy');
  const query = useQuery<{ pipeline: { pipeline: ServicePipeline } }>(PIPELINE_QUERY, { service: props.service }, props.service);
  useReloadOnEvents('pipeline', query.reload);
  const notFound = query.error instanceof BerthApiError && query.error.code === ErrorCode.PIPELINE_NOT_FOUND;
  const current = query.data?.pipeline.pipeline ?? null;
  const remove = useAction(async () => {
    if (!window.confirm(`Remove the pipeline of ${props.service}? Its releases then need a single group (mark-for-deployment --group).`)) return;
    await api.request(REMOVE_PIPELINE, { service: props.service });
    navigate('/pipelines');
  });
  const fromExample = notFound
    ? 'The text below is an example to adapt: nothing is set until you save it.'
    : current?.source === null
      ? 'This pipeline was set without its text: the text below is an example, not the current pipeline (its stages are listed above).'
      : null;
  return (
    <main>
      <p className="crumbs">
        <Link to="/pipelines">Pipelines</Link> /
      </p>
      <h1>Pipeline of {props.service}</h1>
      {notFound ? <p className="empty">No pipeline for {props.service}.</p> : <ErrorNote error={query.error} />}
      {current ? (
        <section aria-label="pipeline">
          <p className="muted" data-testid="pipeline-revision">
            revision {current.revision}, set {current.updatedAt}
          </p>
          <PipelineStages pipeline={current.pipeline} />
          {canDeploy ? (
            <StartReleaseForm service={props.service} onStarted={(release) => navigate(`/releases/${encodeURIComponent(release.releaseId)}`)} />
          ) : (
            <RoleNote what="Starting a release" needed="deploy" />
          )}
          {!canAdmin && current.source !== null ? (
            <details>
              <summary>deploy.yaml as set</summary>
              <pre className="pipeline-source">{current.source}</pre>
            </details>
          ) : null}
        </section>
      ) : null}
      {canAdmin && (current || notFound) ? (
        <>
          {fromExample ? (
            <p className="muted" role="note">
              {fromExample}
            </p>
          ) : null}
          <PipelineEditor key={props.service} service={props.service} initialSource={current?.source ?? PIPELINE_TEMPLATE} onSaved={query.reload} />
        </>
      ) : null}
      {canAdmin && current ? (
        <div className="actions">
          <button type="button" className="danger" disabled={remove.busy} onClick={() => void remove.perform()}>
            Remove pipeline
          </button>
          <ErrorNote error={remove.error} />
        </div>
      ) : null}
      {canAdmin ? null : <RoleNote what="Setting and removing pipelines" needed="admin" />}
    </main>
  );
}
