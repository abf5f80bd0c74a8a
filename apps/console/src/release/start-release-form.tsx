import { pipelineGroups } from '@berth/domain';
import { useState, type FormEvent } from 'react';
import { BerthApiError } from '../api/berth-api';
import { JOBS_QUERY, MARK_FOR_DEPLOYMENT, PIPELINES_QUERY } from '../api/documents';
import type { JobPage, ServicePipeline } from '../api/types';
import { Link } from '../app/router';
import { useCan, useSession } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { useAction } from '../components/use-action';
import { useQuery } from '../components/use-live';

export interface StartedRelease {
  readonly releaseId: string;
  readonly status: string;
}

/** The jobs of one service (the gateway's name filter). */
function JobSelect(props: { readonly service: string; readonly value: string; onChange(job: string): void }) {
  const jobs = useQuery<{ jobs: JobPage }>(JOBS_QUERY, { first: 1000, filter: { name: props.service } }, props.service);
  const items = jobs.data?.jobs.items ?? [];
  return (
    <label>
      Job{' '}
      <select name="job" value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">{jobs.data && items.length === 0 ? `no job named ${props.service}` : 'choose a job'}</option>
        {items.map((j) => (
          <option key={j.id} value={j.id}>
            {j.id}
          </option>
        ))}
      </select>
      <ErrorNote error={jobs.error} />
    </label>
  );
}

/**
 * Starts a release (markForDeployment) of a service that has a pipeline:
 * its whole pipeline, or one of its groups only; optionally with
 * auto-rollback, forced past a rollback of the job, or (admins: the gateway
 * lets no one else) through a deploy freeze for a reason. `service` fixes the
 * service (its pipeline page); otherwise the services with a pipeline are offered.
 */
export function StartReleaseForm(props: { readonly service?: string; onStarted?(release: StartedRelease): void }) {
  const { api } = useSession();
  const pipelines = useQuery<{ pipelines: { items: ServicePipeline[] } }>(PIPELINES_QUERY, {}, 'pipelines');
  const services = pipelines.data?.pipelines.items ?? [];
  const [chosen, setChosen] = useState(props.service ?? '');
  const [job, setJob] = useState('');
  const [group, setGroup] = useState('');
  const [autoRollback, setAutoRollback] = useState(false);
  const [force, setForce] = useState(false);
  const [overrideFreeze, setOverrideFreeze] = useState('');
  const canAdmin = useCan('admin');
  const [started, setStarted] = useState<StartedRelease | null>(null);
  const service = props.service ?? chosen;
  const pipeline = services.find((p) => p.service === service)?.pipeline;
  const start = useAction(async () => {
    setStarted(null);
    if (!service) throw new BerthApiError('INVALID_REQUEST', 'choose the service to release');
    if (!job) throw new BerthApiError('INVALID_REQUEST', `choose the job of ${service} to release`);
    const options = { ...(group ? { group } : {}), ...(autoRollback ? { autoRollback } : {}), ...(force ? { force } : {}), ...(overrideFreeze.trim() ? { overrideFreeze: overrideFreeze.trim() } : {}) };
    const answer = await api.request<{ markForDeployment: { release: StartedRelease } }>(MARK_FOR_DEPLOYMENT, { service, job, ...options });
    setStarted(answer.markForDeployment.release);
    props.onStarted?.(answer.markForDeployment.release);
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void start.perform();
  };
  const chooseService = (next: string) => {
    setChosen(next);
    setJob('');
    setGroup('');
  };
  return (
    <form onSubmit={onSubmit} aria-label="start a release" className="inline-form ask-form">
      <h2>Start a release</h2>
      {props.service === undefined ? (
        <label>
          Service{' '}
          <select name="service" value={chosen} onChange={(e) => chooseService(e.target.value)}>
            <option value="">{pipelines.data && services.length === 0 ? 'no service has a pipeline yet' : 'choose a service'}</option>
            {services.map((p) => (
              <option key={p.service} value={p.service}>
                {p.service}
              </option>
            ))}
          </select>
          <small>
            the services with a <Link to="/pipelines">pipeline</Link>
          </small>
        </label>
      ) : null}
      {service ? <JobSelect key={service} service={service} value={job} onChange={setJob} /> : null}
      {pipeline ? (
        <label>
          Group{' '}
          <select name="group" value={group} onChange={(e) => setGroup(e.target.value)}>
            <option value="">every step of the pipeline</option>
            {pipelineGroups(pipeline).map((g) => (
              <option key={g} value={g}>
                {g} only
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <label>
        <input type="checkbox" name="autoRollback" checked={autoRollback} onChange={(e) => setAutoRollback(e.target.checked)} /> auto-rollback
        <small>every group back to its job from before if a step fails</small>
      </label>
      <label>
        <input type="checkbox" name="force" checked={force} onChange={(e) => setForce(e.target.checked)} /> force
        <small>even where this job was rolled back before (VERSION_MARKED_BAD)</small>
      </label>
      {canAdmin ? (
        <label>
          Through a freeze, because <input name="overrideFreeze" value={overrideFreeze} onChange={(e) => setOverrideFreeze(e.target.value)} placeholder="empty: not during a freeze" />
          <small>recorded on the release (admin)</small>
        </label>
      ) : null}
      <button type="submit" disabled={start.busy}>
        Start release
      </button>
      <ErrorNote error={pipelines.error} />
      <ErrorNote error={start.error} />
      {started ? (
        <p className="notice" role="status">
          Started release <Link to={`/releases/${encodeURIComponent(started.releaseId)}`}>{started.releaseId.slice(0, 8)}</Link> ({started.status}).
        </p>
      ) : null}
    </form>
  );
}
