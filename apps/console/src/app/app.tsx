import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { BerthApiError, createBerthApi, type BerthApi } from '../api/berth-api';
import { whoAmI } from '../api/who-am-i';
import { ErrorNote } from '../components/error-note';
import { AuditPage } from '../pages/audit-page';
import { FleetPage } from '../pages/fleet-page';
import { FreezesPage } from '../pages/freezes-page';
import { GroupPage } from '../pages/group-page';
import { GroupsPage } from '../pages/groups-page';
import { JobPage } from '../pages/job-page';
import { JobsPage } from '../pages/jobs-page';
import { PipelinePage } from '../pages/pipeline-page';
import { PipelinesPage } from '../pages/pipelines-page';
import { PlanPage } from '../pages/plan-page';
import { PlansPage } from '../pages/plans-page';
import { ReleasePage } from '../pages/release-page';
import { ReleasesPage } from '../pages/releases-page';
import { TokensPage } from '../pages/tokens-page';
import { LoginPage } from './login-page';
import { Link, routeOf, useLocationPath, type Route } from './router';
import { SessionContext, hasRole, type Session } from './session';

const TOKEN_KEY = 'berth.token';

function pageOf(route: Route): ReactNode {
  switch (route.page) {
    case 'groups':
      return <GroupsPage />;
    case 'group':
      return <GroupPage name={route.name} />;
    case 'fleet':
      return <FleetPage />;
    case 'jobs':
      return <JobsPage />;
    case 'job':
      return <JobPage id={route.id} />;
    case 'audit':
      return <AuditPage />;
    case 'releases':
      return <ReleasesPage />;
    case 'release':
      return <ReleasePage id={route.id} />;
    case 'plans':
      return <PlansPage />;
    case 'plan':
      return <PlanPage id={route.id} />;
    case 'pipelines':
      return <PipelinesPage />;
    case 'pipeline':
      return <PipelinePage service={route.service} />;
    case 'freezes':
      return <FreezesPage />;
    case 'tokens':
      return <TokensPage />;
    default:
      return (
        <main>
          <h1>Not found</h1>
          <p className="empty">
            Nothing at <code>{route.path}</code>. Go to the <Link to="/groups">deployment groups</Link>.
          </p>
        </main>
      );
  }
}

function Shell(props: { readonly session: Session }) {
  const route = routeOf(useLocationPath());
  const { session } = props;
  return (
    <SessionContext.Provider value={session}>
      <header className="top">
        <strong className="brand">Berth</strong>
        <nav>
          <Link to="/groups">Deployment groups</Link>
          <Link to="/fleet">Fleet</Link>
          <Link to="/jobs">Jobs</Link>
          <Link to="/releases">Releases</Link>
          <Link to="/pipelines">Pipelines</Link>
          <Link to="/freezes">Freezes</Link>
          <Link to="/audit">Audit</Link>
          {hasRole(session.role, 'admin') ? <Link to="/tokens">API tokens</Link> : null}
        </nav>
        <span className="who" data-testid="who">
          {session.subject} ({session.role})
        </span>
        <button type="button" onClick={session.signOut}>
          Sign out
        </button>
      </header>
      {pageOf(route)}
    </SessionContext.Provider>
  );
}

/**
 * Signs in with the stored token (or none, if the gateway has no auth), asks
 * for one when the gateway says UNAUTHENTICATED, then shows the pages.
 */
export function App(props: { readonly origin?: string; readonly makeApi?: (token: string | null) => BerthApi }) {
  const origin = props.origin ?? window.location.origin;
  const makeApi = useMemo(() => props.makeApi ?? ((token: string | null) => createBerthApi({ origin, token })), [props.makeApi, origin]);
  const [token, setToken] = useState<string | null>(() => window.localStorage.getItem(TOKEN_KEY));
  const [state, setState] = useState<{ session: Session | null; error: unknown; busy: boolean }>({ session: null, error: null, busy: true });

  const signOut = useCallback(() => {
    window.localStorage.removeItem(TOKEN_KEY);
    setToken(null);
  }, []);

  useEffect(() => {
    const api = makeApi(token);
    let live = true;
    setState({ session: null, error: null, busy: true });
    whoAmI(api).then(
      (identity) => {
        if (!live) return;
        if (token) window.localStorage.setItem(TOKEN_KEY, token);
        setState({ session: { api, ...identity, signOut }, error: null, busy: false });
      },
      (error: unknown) => {
        if (!live) return;
        api.close();
        // no token and the gateway wants one: just the login form, no error
        const quiet = token === null && error instanceof BerthApiError && error.code === 'UNAUTHENTICATED';
        setState({ session: null, error: quiet ? null : error, busy: false });
      },
    );
    return () => {
      live = false;
      api.close();
    };
  }, [makeApi, token, signOut]);

  if (state.session) return <Shell session={state.session} />;
  if (state.busy) return <p className="muted">Connecting to the gateway…</p>;
  if (state.error instanceof BerthApiError && state.error.code !== 'UNAUTHENTICATED' && state.error.code !== 'FORBIDDEN') {
    return (
      <main>
        <h1>Berth console</h1>
        <ErrorNote error={state.error} />
        <button type="button" onClick={() => setToken((t) => (t === null ? null : `${t}`))}>
          Try again
        </button>
      </main>
    );
  }
  return <LoginPage error={state.error} busy={state.busy} onToken={setToken} />;
}
