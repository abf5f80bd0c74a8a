import { useState } from 'react';
import { RELEASES_QUERY } from '../api/documents';
import type { Release } from '../api/types';
import { Link } from '../app/router';
import { useCan } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { useReloadOnEvents } from '../components/use-debounced-reload';
import { useQuery } from '../components/use-live';
import { RoleNote } from '../components/role-note';
import { FreezesPanel } from '../release/freezes-panel';
import { ReleaseActions } from '../release/release-actions';
import { stageLabel } from '../release/release-format';
import { StartReleaseForm } from '../release/start-release-form';

const STATUSES = ['deploying', 'deployed', 'complete', 'rolling_back', 'rolled_back', 'abandoned', 'failed'] as const;

/** Releases, newest first (filter by service and state), with the actions each accepts now, a form to start one, and the deploy freezes. */
export function ReleasesPage() {
  const canDeploy = useCan('deploy');
  const [service, setService] = useState('');
  const [status, setStatus] = useState('');
  const variables = { ...(service.trim() ? { service: service.trim() } : {}), ...(status ? { status } : {}) };
  const releases = useQuery<{ releases: { items: Release[] } }>(RELEASES_QUERY, variables, JSON.stringify(variables));
  useReloadOnEvents('release', releases.reload);
  const items = releases.data?.releases.items ?? [];
  const filtered = service.trim() !== '' || status !== '';
  return (
    <main>
      <h1>Releases</h1>
      <p className="muted">
        One release per service and pipeline run; multi-service releases in dependency order are <Link to="/plans">release plans</Link>.
      </p>
      <div className="filters" role="search">
        <label>
          Service <input name="service" value={service} onChange={(e) => setService(e.target.value)} placeholder="all" />
        </label>
        <label>
          State{' '}
          <select name="status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={releases.error} />
      {releases.data && items.length === 0 ? (
        <p className="empty">
          {filtered ? 'No release matches these filters.' : 'No releases yet.'}{' '}
          {canDeploy ? (
            <>
              Start one below (or with <code>berth mark-for-deployment SERVICE VERSION</code>) once the service has a <Link to="/pipelines">pipeline</Link>.
            </>
          ) : (
            'A user with the deploy role starts them.'
          )}
        </p>
      ) : null}
      {items.length > 0 ? (
        <table data-testid="releases">
          <thead>
            <tr>
              <th>Release</th>
              <th>Service</th>
              <th>Job</th>
              <th>State</th>
              <th>Stage</th>
              <th>Started</th>
              <th>Updated</th>
              {canDeploy ? <th>Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.releaseId} data-release={r.releaseId}>
                <td>
                  <Link to={`/releases/${encodeURIComponent(r.releaseId)}`}>{r.releaseId.slice(0, 8)}</Link>
                </td>
                <td>{r.service}</td>
                <td className="job-id">
                  <Link to={`/jobs/${encodeURIComponent(r.jobId)}`}>{r.jobId}</Link>
                  {r.group ? <small className="muted"> (group {r.group} only)</small> : null}
                </td>
                <td>
                  <span className={`status status-${r.status}`}>{r.status}</span>
                </td>
                <td>{stageLabel(r)}</td>
                <td>{r.createdAt}</td>
                <td>{r.updatedAt}</td>
                {canDeploy ? (
                  <td>
                    <ReleaseActions release={r} onChanged={releases.reload} />
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {canDeploy ? <StartReleaseForm onStarted={releases.reload} /> : <RoleNote what="Starting a release" needed="deploy" />}
      <FreezesPanel />
    </main>
  );
}
