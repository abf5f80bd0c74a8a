import { useEffect, useState, type FormEvent } from 'react';
import { useSession } from '../app/session';
import { Link } from '../app/router';
import { ErrorNote } from '../components/error-note';
import { useQuery } from '../components/use-live';

interface HostView {
  readonly host: string;
  readonly status: string;
  readonly labels: Record<string, string>;
  readonly downSince: string | null;
  readonly jobCount: number;
  readonly deployments: readonly { readonly jobId: string; readonly state: string; readonly goal: string }[];
}

const HOST_FIELDS = 'host status labels downSince jobCount deployments { jobId state goal }';
const HOST_STATUS = `subscription Hosts { hostStatus { name registered sequence host { ${HOST_FIELDS} } } }`;
const HOSTS_QUERY = 'query Hosts($selectors: [String!], $status: String) { hosts(selectors: $selectors, status: $status) { sequence items { host } } }';

export function parseSelectors(text: string): string[] {
  return text
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Hosts live (hostStatus subscription); selectors and status filter through the gateway's own matching. */
export function FleetPage() {
  const { api } = useSession();
  const [hosts, setHosts] = useState<ReadonlyMap<string, HostView>>(new Map());
  const [liveError, setLiveError] = useState<unknown>(null);
  const [draft, setDraft] = useState('');
  const [selectors, setSelectors] = useState<string[]>([]);
  const [status, setStatus] = useState('');
  const filtering = selectors.length > 0 || status !== '';
  // the matching set is re-asked when hosts change (labels or status may have)
  const membershipKey = filtering ? `${selectors.join(';')}\n${status}\n${[...hosts.values()].map((h) => `${h.host}${h.status}${JSON.stringify(h.labels)}`).join()}` : 'all';
  const matching = useQuery<{ hosts: { items: { host: string }[] } }>(HOSTS_QUERY, { selectors, ...(status ? { status } : {}) }, membershipKey);

  useEffect(
    () =>
      api.subscribe<{ hostStatus: { name: string; registered: boolean; host: HostView | null } }>(
        HOST_STATUS,
        {},
        ({ hostStatus }) => {
          setLiveError(null);
          setHosts((current) => {
            const next = new Map(current);
            if (hostStatus.registered && hostStatus.host) next.set(hostStatus.name, hostStatus.host);
            else next.delete(hostStatus.name);
            return next;
          });
        },
        setLiveError,
      ),
    [api],
  );

  const names = filtering ? new Set((matching.data?.hosts.items ?? []).map((h) => h.host)) : null;
  const shown = [...hosts.values()].filter((h) => names === null || names.has(h.host)).sort((a, b) => a.host.localeCompare(b.host, undefined, { numeric: true }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSelectors(parseSelectors(draft));
  };
  const up = shown.filter((h) => h.status === 'UP').length;
  return (
    <main>
      <h1>Fleet</h1>
      <form className="filters" onSubmit={onSubmit} aria-label="host filter">
        <label>
          Selectors <input name="selectors" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="role=web; zone in (a, b)" />
        </label>
        <label>
          Status{' '}
          <select name="status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">any</option>
            <option value="UP">UP</option>
            <option value="DOWN">DOWN</option>
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      <ErrorNote error={filtering ? matching.error : null} />
      <ErrorNote error={liveError} />
      <p className="muted">
        {shown.length} hosts, {up} UP, {shown.length - up} DOWN
      </p>
      {hosts.size === 0 ? <p className="empty">No hosts have registered yet. Start an agent (`npm start` starts one) and it appears here.</p> : null}
      {hosts.size > 0 && shown.length === 0 ? <p className="empty">No host matches these filters.</p> : null}
      {shown.length > 0 ? (
        <table data-testid="hosts">
          <thead>
            <tr>
              <th>Host</th>
              <th>Status</th>
              <th>Labels</th>
              <th>Tasks</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((h) => (
              <tr key={h.host}>
                <td>{h.host}</td>
                <td>
                  <span className={`status status-${h.status.toLowerCase()}`}>{h.status}</span>
                  {h.downSince ? <small> since {h.downSince}</small> : null}
                </td>
                <td>
                  {Object.entries(h.labels)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(', ')}
                </td>
                <td>
                  {h.deployments.length === 0
                    ? '—'
                    : h.deployments.map((d) => (
                        <div key={d.jobId}>
                          <Link to={`/jobs/${encodeURIComponent(d.jobId)}`}>{d.jobId}</Link> {d.state}
                          {d.goal === 'STOP' ? ' (goal STOP)' : ''}
                        </div>
                      ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </main>
  );
}
