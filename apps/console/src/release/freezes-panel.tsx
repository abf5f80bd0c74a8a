import { describeFreezeWindow } from '@berth/domain';
import { FREEZES_QUERY } from '../api/documents';
import type { Freeze } from '../api/types';
import { ErrorNote } from '../components/error-note';
import { useReloadOnEvents } from '../components/use-debounced-reload';
import { useQuery } from '../components/use-live';

const scope = (names: readonly string[] | null) => (names === null ? 'all' : names.join(', '));

/** Deploy freezes with their windows, the ones in force first: while one covers a release, it starts no further group step. */
export function FreezesPanel() {
  const freezes = useQuery<{ freezes: { items: Freeze[] } }>(FREEZES_QUERY, {}, 'freezes');
  useReloadOnEvents('freeze', freezes.reload);
  const items = [...(freezes.data?.freezes.items ?? [])].sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name));
  return (
    <section aria-label="deploy freezes">
      <h2>Deploy freezes</h2>
      <ErrorNote error={freezes.error} />
      {freezes.data && items.length === 0 ? (
        <p className="muted">No deploy freezes: releases start whenever they are marked. An admin sets one with <code>berth freeze set</code>.</p>
      ) : null}
      {items.length > 0 ? (
        <table data-testid="freezes">
          <thead>
            <tr>
              <th>Name</th>
              <th>Window</th>
              <th>In force</th>
              <th>Services</th>
              <th>Groups</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {items.map((f) => (
              <tr key={f.name} className={f.active ? 'frozen' : undefined}>
                <td>{f.name}</td>
                <td>{describeFreezeWindow(f.window)}</td>
                <td>{f.active ? `yes, until ${f.until ?? '?'}` : 'no'}</td>
                <td>{scope(f.services)}</td>
                <td>{scope(f.groups)}</td>
                <td>{f.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
