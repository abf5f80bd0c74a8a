import { useState } from 'react';
import { REMOVE_FREEZE } from '../api/documents';
import type { Freeze } from '../api/types';
import { Link } from '../app/router';
import { useCan, useSession } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { RoleNote } from '../components/role-note';
import { useAction } from '../components/use-action';
import { FreezesTable, useFreezes } from '../release/freezes-panel';
import { SetFreezeForm } from '../release/set-freeze-form';

/**
 * Deploy freezes: everyone sees them with their windows; admins (the role the
 * gateway's setFreeze and removeFreeze need) set and remove them.
 */
export function FreezesPage() {
  const { api } = useSession();
  const canAdmin = useCan('admin');
  const freezes = useFreezes();
  const [actedOn, setActedOn] = useState<string | null>(null);
  const remove = useAction(async (freeze: Freeze) => {
    setActedOn(freeze.name);
    const holds = freeze.active ? ' It is in force now: releases it holds go on with their next step.' : '';
    if (!window.confirm(`Remove the deploy freeze ${freeze.name} (${freeze.reason})?${holds}`)) return;
    await api.request(REMOVE_FREEZE, { name: freeze.name });
    freezes.reload();
  });
  const removeButton = (freeze: Freeze) => (
    <>
      <button type="button" className="danger" disabled={remove.busy} onClick={() => void remove.perform(freeze)}>
        Remove
      </button>
      {actedOn === freeze.name ? <ErrorNote error={remove.error} /> : null}
    </>
  );
  return (
    <main>
      <p className="crumbs">
        <Link to="/releases">Releases</Link> /
      </p>
      <h1>Deploy freezes</h1>
      <p className="muted">
        While a freeze is in force for a service or a deployment group, no release starts there (DEPLOY_FROZEN, unless an admin overrides it) and a release in
        progress starts no further step until the window ends.
      </p>
      <ErrorNote error={freezes.error} />
      {freezes.loaded && freezes.items.length === 0 ? <p className="empty">No deploy freezes: releases start whenever they are marked.</p> : null}
      {freezes.items.length > 0 ? <FreezesTable items={freezes.items} action={canAdmin ? removeButton : undefined} /> : null}
      {canAdmin ? <SetFreezeForm onSet={freezes.reload} /> : <RoleNote what="Setting and removing freezes" needed="admin" />}
    </main>
  );
}
