import { BerthApiError } from '../api/berth-api';
import { ABANDON_RELEASE_PLAN, RELEASE_PLAN_QUERY } from '../api/documents';
import type { ReleasePlan } from '../api/types';
import { Link } from '../app/router';
import { useCan, useSession } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { useAction } from '../components/use-action';
import { useReloadOnEvents } from '../components/use-debounced-reload';
import { useQuery } from '../components/use-live';
import { versionCounts } from '../release/release-format';

function Services(props: { readonly plan: ReleasePlan }) {
  return (
    <table data-testid="plan-services">
      <thead>
        <tr>
          <th>Service</th>
          <th>Job</th>
          <th>Group</th>
          <th>Depends on</th>
          <th>Quorum</th>
          <th>State</th>
          <th>Release</th>
        </tr>
      </thead>
      <tbody>
        {props.plan.services.map((s) => (
          <tr key={s.service}>
            <td>{s.service}</td>
            <td className="job-id">{s.jobId}</td>
            <td>
              <Link to={`/groups/${encodeURIComponent(s.group)}`}>{s.group}</Link>
            </td>
            <td>{s.dependsOn.join(', ') || '—'}</td>
            <td>{s.quorum ?? 'all'}</td>
            <td>{s.error ? `${s.status} — ${s.error}` : s.status}</td>
            <td>{s.releaseId ? <Link to={`/releases/${encodeURIComponent(s.releaseId)}`}>{s.releaseStatus ?? s.releaseId.slice(0, 8)}</Link> : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The datacentre views: per service the hosts online and the version each runs, the hosts with the new version staged, the deploy queue. */
function Views(props: { readonly plan: ReleasePlan }) {
  const { plan } = props;
  return (
    <>
      <h2>Current</h2>
      <ul data-testid="plan-current">
        {plan.current.map((view) => {
          const offline = view.hosts.filter((h) => !h.online).map((h) => h.host);
          return (
            <li key={view.service}>
              <strong>{view.service}</strong>: {view.hosts.length - offline.length}/{view.hosts.length} online · {versionCounts(view.hosts)}
              {offline.length > 0 ? ` · offline: ${offline.join(', ')}` : ''}
            </li>
          );
        })}
      </ul>
      <h2>Staging</h2>
      {plan.staging.length === 0 ? <p className="muted">No host has a new version staged.</p> : null}
      <ul data-testid="plan-staging">
        {plan.staging.map((view) => (
          <li key={view.service}>
            <strong>{view.service}</strong>: {view.jobId} staged on {view.hosts.length} host{view.hosts.length === 1 ? '' : 's'}
          </li>
        ))}
      </ul>
      <h2>Deploy queue</h2>
      <p data-testid="plan-queue">{plan.deployQueue.length === 0 ? 'empty' : plan.deployQueue.join(' → ')}</p>
    </>
  );
}

/** A release plan with its views, re-read when it, its releases or their rollouts change; abandon for deploy tokens. */
export function PlanPage(props: { readonly id: string }) {
  const { api } = useSession();
  const canDeploy = useCan('deploy');
  const query = useQuery<{ releasePlan: { plan: ReleasePlan } }>(RELEASE_PLAN_QUERY, { id: props.id }, props.id);
  useReloadOnEvents('release-plan', query.reload);
  useReloadOnEvents('release', query.reload);
  useReloadOnEvents('rollout', query.reload);
  const abandon = useAction(async () => {
    if (!window.confirm('Abandon this release plan? No more of its services start; those running carry on.')) return;
    await api.request(ABANDON_RELEASE_PLAN, { plan: props.id });
    query.reload();
  });
  const plan = query.data?.releasePlan.plan ?? null;
  const missing = query.error instanceof BerthApiError && query.error.code === 'RELEASE_PLAN_NOT_FOUND';
  return (
    <main>
      <p className="crumbs">
        <Link to="/releases">Releases</Link> / <Link to="/plans">Release plans</Link> /
      </p>
      <h1>
        Release plan <code>{props.id.slice(0, 8)}</code>{' '}
        {plan ? (
          <span className={`status status-${plan.status}`} data-testid="plan-status">
            {plan.status}
          </span>
        ) : null}
      </h1>
      {missing ? (
        <p className="empty">
          There is no release plan <code>{props.id}</code>. See the <Link to="/plans">release plans</Link>.
        </p>
      ) : (
        <ErrorNote error={query.error} />
      )}
      {plan ? (
        <>
          <p className="muted">
            order: {plan.levels.map((level) => level.join(' + ')).join(' → ')} · started {plan.createdAt} · updated {plan.updatedAt}
          </p>
          {plan.error ? <p className="error">{plan.error}</p> : null}
          {canDeploy && plan.status === 'running' ? (
            <div className="actions">
              <button type="button" className="danger" disabled={abandon.busy} onClick={() => void abandon.perform()}>
                Abandon plan
              </button>
              <ErrorNote error={abandon.error} />
            </div>
          ) : null}
          <Services plan={plan} />
          <Views plan={plan} />
        </>
      ) : null}
    </main>
  );
}
