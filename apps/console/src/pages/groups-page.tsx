import { useState, type FormEvent } from 'react';
import { CREATE_DEPLOYMENT_GROUP, DEPLOYMENT_GROUPS_QUERY } from '../api/documents';
import type { DeploymentGroupSummary } from '../api/types';
import { hostCountsText } from '../group/host-counts';
import { Link, navigate } from '../app/router';
import { useCan, useSession } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { useAction } from '../components/use-action';
import { useReloadOnEvents } from '../components/use-debounced-reload';
import { useQuery } from '../components/use-live';

function CreateGroupForm() {
  const { api } = useSession();
  const [name, setName] = useState('');
  const [selectors, setSelectors] = useState('');
  const create = useAction(async () => {
    const list = selectors
      .split(/\n|;/)
      .map((s) => s.trim())
      .filter(Boolean);
    await api.request(CREATE_DEPLOYMENT_GROUP, { name: name.trim(), selectors: list });
    navigate(`/groups/${encodeURIComponent(name.trim())}`);
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void create.perform();
  };
  return (
    <form onSubmit={onSubmit} aria-label="create a deployment group" className="inline-form">
      <h2>New deployment group</h2>
      <label>
        Name <input name="name" value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <label>
        Selectors <input name="selectors" value={selectors} onChange={(e) => setSelectors(e.target.value)} placeholder="role=web; tier in (a, b)" required />
        <small>host labels, separated by ";": k=v, k!=v, k in (a, b), k notin (a, b); a host must match all</small>
      </label>
      <button type="submit" disabled={create.busy}>
        Create group
      </button>
      <ErrorNote error={create.error} />
    </form>
  );
}

export function GroupsPage() {
  const canAdmin = useCan('admin');
  const groups = useQuery<{ deploymentGroups: { items: DeploymentGroupSummary[] } }>(DEPLOYMENT_GROUPS_QUERY, {}, 'groups');
  useReloadOnEvents('deployment-group', groups.reload);
  // host counts change with hosts (registered, labels, UP/DOWN)
  useReloadOnEvents('host', groups.reload);
  const items = groups.data?.deploymentGroups.items ?? [];
  return (
    <main>
      <h1>Deployment groups</h1>
      <ErrorNote error={groups.error} />
      {groups.data && items.length === 0 ? <p className="empty">No deployment groups yet. {canAdmin ? 'Create one below from host label selectors.' : 'Ask an admin to create one.'}</p> : null}
      {items.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th title="hosts matching the selectors now (UP of them)">Hosts</th>
              <th>Selectors</th>
              <th>Job</th>
            </tr>
          </thead>
          <tbody>
            {items.map((g) => (
              <tr key={g.name}>
                <td>
                  <Link to={`/groups/${encodeURIComponent(g.name)}`}>{g.name}</Link>
                </td>
                <td>
                  <span className={`status status-${g.status.toLowerCase()}`}>{g.status}</span>
                </td>
                <td data-testid="group-hosts" className={g.hostCounts?.matching === 0 ? 'warning' : undefined}>
                  {hostCountsText(g.hostCounts)}
                </td>
                <td>{g.selectors.join('; ')}</td>
                <td>{g.jobId ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {canAdmin ? <CreateGroupForm /> : null}
    </main>
  );
}
