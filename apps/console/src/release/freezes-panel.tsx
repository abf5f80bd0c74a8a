import { describeFreezeWindow } from '@berth/domain';
import type { ReactNode } from 'react';
import { FREEZES_QUERY } from '../api/documents';
import type { Freeze } from '../api/types';
import { Link } from '../app/router';
import { ErrorNote } from '../components/error-note';
import { useReloadOnEvents } from '../components/use-debounced-reload';
import { useQuery } from '../components/use-live';

const scope = (names: readonly string[] | null) => (names === null ? 'all' : names.join(', '));

/** The deploy freezes, the ones in force first, re-read when a freeze event arrives. */
export function useFreezes() {
  const freezes = useQuery<{ freezes: { items: Freeze[] } }>(FREEZES_QUERY, {}, 'freezes');
  useReloadOnEvents('freeze', freezes.reload);
  const items = [...(freezes.data?.freezes.items ?? [])].sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name));
  return { items, loaded: freezes.data !== null, error: freezes.error, reload: freezes.reload };
}

/** Freezes with their windows; `action` adds a last cell per freeze (e.g. Remove). */
export function FreezesTable(props: { readonly items: readonly Freeze[]; readonly action?: (freeze: Freeze) => ReactNode }) {
  return (
    <table data-testid="freezes">
      <thead>
        <tr>
          <th>Name</th>
          <th>Window</th>
          <th>In force</th>
          <th>Services</th>
          <th>Groups</th>
          <th>Reason</th>
          {props.action ? <th /> : null}
        </tr>
      </thead>
      <tbody>
        {props.items.map((f) => (
          <tr key={f.name} data-freeze={f.name} className={f.active ? 'frozen' : undefined}>
            <td>{f.name}</td>
            <td>{describeFreezeWindow(f.window)}</td>
            <td>{f.active ? `yes, until ${f.until ?? '?'}` : 'no'}</td>
            <td>{scope(f.services)}</td>
            <td>{scope(f.groups)}</td>
            <td>{f.reason}</td>
            {props.action ? <td>{props.action(f)}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Deploy freezes on the releases page: while one covers a release, it starts no further group step. Managed on the freezes page. */
export function FreezesPanel() {
  const freezes = useFreezes();
  return (
    <section aria-label="deploy freezes">
      <h2>Deploy freezes</h2>
      <ErrorNote error={freezes.error} />
      {freezes.loaded && freezes.items.length === 0 ? (
        <p className="muted">
          No deploy freezes: releases start whenever they are marked. An admin sets one on the <Link to="/freezes">freezes page</Link> or with{' '}
          <code>berth freeze set</code>.
        </p>
      ) : null}
      {freezes.items.length > 0 ? (
        <>
          <FreezesTable items={freezes.items} />
          <p className="muted">
            See them on the <Link to="/freezes">freezes page</Link>.
          </p>
        </>
      ) : null}
    </section>
  );
}
