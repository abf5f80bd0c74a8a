import { useEffect, useState } from 'react';
import { EVENTS_QUERY, EVENTS_SUBSCRIPTION } from '../api/documents';
import type { BerthEvent } from '../api/types';
import { useSession } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { useQuery } from '../components/use-live';
import { AsOfPanel } from './as-of-panel';

interface Filters {
  readonly aggregate: string;
  readonly id: string;
  readonly type: string;
  readonly actor: string;
  readonly fromTime: string;
  readonly toTime: string;
}

const NO_FILTERS: Filters = { aggregate: '', id: '', type: '', actor: '', fromTime: '', toTime: '' };
const LIVE_LIMIT = 500;

function variablesOf(f: Filters): Record<string, unknown> {
  const v: Record<string, unknown> = { first: 200 };
  for (const [k, value] of Object.entries(f)) if (value.trim() !== '') v[k] = k.endsWith('Time') ? new Date(value).toISOString() : value.trim();
  return v;
}

/** The live tail matches the same filters the server-side query applies. */
export function matchesFilters(e: BerthEvent, f: Filters): boolean {
  return (
    (!f.aggregate || e.aggregate === f.aggregate) &&
    (!f.id || e.aggregateId === f.id) &&
    (!f.type || e.type === f.type) &&
    (!f.actor || e.actor === f.actor) &&
    (!f.fromTime || Date.parse(e.time) >= Date.parse(f.fromTime)) &&
    (!f.toTime || Date.parse(e.time) <= Date.parse(f.toTime))
  );
}

function EventRows(props: { readonly events: readonly BerthEvent[] }) {
  return (
    <table className="events" data-testid="events">
      <thead>
        <tr>
          <th>Seq</th>
          <th>Time</th>
          <th>Type</th>
          <th>Aggregate</th>
          <th>Actor</th>
          <th>Data</th>
        </tr>
      </thead>
      <tbody>
        {props.events.map((e) => (
          <tr key={e.position}>
            <td>{e.sequence}</td>
            <td>{e.time}</td>
            <td>{e.type}</td>
            <td>
              {e.aggregate} <code>{e.aggregateId}</code>
            </td>
            <td title={`correlation ${e.correlationId}`}>{e.actor}</td>
            <td>
              <code className="data">{JSON.stringify(e.data).slice(0, 160)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The event log with filters, a live tail (events subscription), and state as of a time. */
export function AuditPage() {
  const { api } = useSession();
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [live, setLive] = useState(true);
  const [tail, setTail] = useState<BerthEvent[]>([]);
  const [tailError, setTailError] = useState<unknown>(null);
  const history = useQuery<{ events: { items: BerthEvent[]; totalCount: number; sequence: number } }>(EVENTS_QUERY, variablesOf(filters), JSON.stringify(filters));
  const fromSequence = history.data ? history.data.events.sequence + 1 : null;

  useEffect(() => {
    setTail([]);
    setTailError(null);
    if (!live || fromSequence === null) return undefined;
    const filter = { ...(filters.aggregate ? { aggregate: filters.aggregate } : {}), ...(filters.type ? { type: filters.type } : {}) };
    return api.subscribe<{ events: BerthEvent }>(
      EVENTS_SUBSCRIPTION,
      { filter, fromSequence },
      ({ events: e }) => {
        if (matchesFilters(e, filters)) setTail((t) => [e, ...t].slice(0, LIVE_LIMIT));
      },
      setTailError,
    );
  }, [api, live, fromSequence, filters]);

  const older = [...(history.data?.events.items ?? [])].reverse();
  const field = (name: keyof Filters, label: string, placeholder: string, type = 'text') => (
    <label>
      {label} <input name={name} type={type} value={draft[name]} placeholder={placeholder} onChange={(e) => setDraft((d) => ({ ...d, [name]: e.target.value }))} />
    </label>
  );
  return (
    <main>
      <h1>Audit</h1>
      <form
        className="filters"
        aria-label="event filters"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
        }}
      >
        {field('aggregate', 'Aggregate', 'job, host, deployment, deployment-group, rollout')}
        {field('id', 'Id', 'aggregate id')}
        {field('type', 'Type', 'e.g. JobCreated')}
        {field('actor', 'Actor', 'token subject')}
        {field('fromTime', 'From', '', 'datetime-local')}
        {field('toTime', 'To', '', 'datetime-local')}
        <button type="submit">Apply</button>
        <label>
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> live tail
        </label>
      </form>
      <ErrorNote error={history.error} />
      <ErrorNote error={tailError} />
      {history.data ? (
        <p className="muted">
          {history.data.events.totalCount} events match (newest first; the first 200 plus everything live since stream sequence {history.data.events.sequence})
        </p>
      ) : null}
      {history.data && history.data.events.totalCount === 0 && tail.length === 0 ? <p className="empty">No events match these filters. Clear a filter, or wait: the live tail adds new events here.</p> : null}
      <EventRows events={[...tail, ...older]} />
      <AsOfPanel />
    </main>
  );
}
