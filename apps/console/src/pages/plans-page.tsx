import { RELEASE_PLANS_QUERY } from '../api/documents';
import type { ReleasePlan } from '../api/types';
import { Link } from '../app/router';
import { useCan } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { RoleNote } from '../components/role-note';
import { useReloadOnEvents } from '../components/use-debounced-reload';
import { useQuery } from '../components/use-live';
import { StartPlanForm } from '../release/start-plan-form';

/** Multi-service release plans, newest first, with each service's state and the deploy queue, and a form to start one. */
export function PlansPage() {
  const canDeploy = useCan('deploy');
  const plans = useQuery<{ releasePlans: { items: ReleasePlan[] } }>(RELEASE_PLANS_QUERY, {}, 'plans');
  useReloadOnEvents('release-plan', plans.reload);
  const items = plans.data?.releasePlans.items ?? [];
  return (
    <main>
      <p className="crumbs">
        <Link to="/releases">Releases</Link> /
      </p>
      <h1>Release plans</h1>
      <ErrorNote error={plans.error} />
      {plans.data && items.length === 0 ? (
        <p className="empty">
          No release plans yet. {canDeploy ? <>Start one below (or from a release.yaml with <code>berth release plan -f release.yaml</code>).</> : 'A user with the deploy role starts them.'}
        </p>
      ) : null}
      {items.length > 0 ? (
        <table data-testid="plans">
          <thead>
            <tr>
              <th>Plan</th>
              <th>State</th>
              <th>Services</th>
              <th>Deploy queue</th>
              <th>Started</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => (
              <tr key={p.planId}>
                <td>
                  <Link to={`/plans/${encodeURIComponent(p.planId)}`}>{p.planId.slice(0, 8)}</Link>
                </td>
                <td>
                  <span className={`status status-${p.status}`}>{p.status}</span>
                </td>
                <td>{p.services.map((s) => `${s.service} ${s.status}`).join(', ')}</td>
                <td>{p.deployQueue.length === 0 ? 'empty' : p.deployQueue.join(', ')}</td>
                <td>{p.createdAt}</td>
                <td>{p.updatedAt}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {canDeploy ? <StartPlanForm /> : <RoleNote what="Starting a release plan" needed="deploy" />}
    </main>
  );
}
