import { ErrorCode, tryParseHostSelector } from '@berth/domain';
import { useState, type FormEvent } from 'react';
import { BerthApiError } from '../api/berth-api';
import { REMOVE_DEPLOYMENT_GROUP, STOP_DEPLOYMENT_GROUP, UPDATE_DEPLOYMENT_GROUP } from '../api/documents';
import type { DeploymentGroup } from '../api/types';
import { navigate } from '../app/router';
import { useCan, useSession } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { RoleNote } from '../components/role-note';
import { useAction } from '../components/use-action';
import { parseSelectors } from '../pages/fleet-page';

interface GroupChange {
  readonly name: string;
  readonly status: string;
}

/** The selectors typed (";"-separated), or INVALID_HOST_SELECTOR naming each one that is not a selector (the gateway's wording). */
export function readSelectors(text: string): string[] {
  const selectors = parseSelectors(text);
  const invalid = selectors.filter((s) => tryParseHostSelector(s) === undefined);
  if (invalid.length > 0) throw new BerthApiError(ErrorCode.INVALID_HOST_SELECTOR, `Invalid host selector: ${invalid.join(', ')}`);
  return selectors;
}

/** Stops the group's rolling update where it stands (deploy role), after a confirmation. */
function StopRollout(props: { readonly group: DeploymentGroup; onChanged(): void }) {
  const { api } = useSession();
  const stop = useAction(async () => {
    if (!window.confirm(`Stop the rolling update of ${props.group.name} where it stands? The group becomes FAILED ("Stopped by user"); hosts keep what they run now.`)) return;
    await api.request(STOP_DEPLOYMENT_GROUP, { name: props.group.name });
    props.onChanged();
  });
  return (
    <div className="actions">
      <button type="button" className="danger" disabled={stop.busy} onClick={() => void stop.perform()}>
        Stop rolling update
      </button>
      <ErrorNote error={stop.error} />
    </div>
  );
}

/** Edits the group's selectors in place and removes the group (admin role). */
function EditGroup(props: { readonly group: DeploymentGroup; onChanged(): void }) {
  const { api } = useSession();
  const { name } = props.group;
  const [text, setText] = useState(props.group.selectors.join('; '));
  const [updated, setUpdated] = useState<GroupChange | null>(null);
  const update = useAction(async () => {
    setUpdated(null);
    const selectors = readSelectors(text);
    const answer = await api.request<{ updateDeploymentGroup: GroupChange }>(UPDATE_DEPLOYMENT_GROUP, { name, selectors });
    setUpdated(answer.updateDeploymentGroup);
    props.onChanged();
  });
  const remove = useAction(async () => {
    if (!window.confirm(`Remove deployment group ${name}? Its rolling update stops; its deployments stay on their hosts.`)) return;
    await api.request(REMOVE_DEPLOYMENT_GROUP, { name });
    navigate('/groups');
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void update.perform();
  };
  return (
    <>
      <form onSubmit={onSubmit} aria-label="edit the selectors" className="inline-form ask-form">
        <label>
          Selectors <input name="selectors" value={text} onChange={(e) => setText(e.target.value)} />
          <small>host labels, separated by ";": k=v, k!=v, k in (a, b), k notin (a, b); a host must match all. Hosts that stop matching are undeployed.</small>
        </label>
        <button type="submit" disabled={update.busy}>
          Save selectors
        </button>
        <ErrorNote error={update.error} />
        {updated ? (
          <p className="notice" role="status">
            {updated.status === 'NOT_MODIFIED' ? 'Unchanged: the group already has these selectors.' : `Selectors saved (${updated.status}).`}
          </p>
        ) : null}
      </form>
      <div className="actions">
        <button type="button" className="danger" disabled={remove.busy} onClick={() => void remove.perform()}>
          Remove group
        </button>
        <ErrorNote error={remove.error} />
      </div>
    </>
  );
}

/**
 * A group's administration, each control for the role the gateway needs:
 * stop its rolling update (deploy), edit its selectors and remove it (admin).
 */
export function GroupAdmin(props: { readonly group: DeploymentGroup; onChanged(): void }) {
  const canDeploy = useCan('deploy');
  const canAdmin = useCan('admin');
  return (
    <section aria-label="group administration">
      <h2>Group</h2>
      {canDeploy && props.group.status === 'ROLLING_OUT' ? <StopRollout group={props.group} onChanged={props.onChanged} /> : null}
      {canAdmin ? <EditGroup group={props.group} onChanged={props.onChanged} /> : <RoleNote what="Editing the selectors and removing the group" needed="admin" />}
      {!canDeploy && props.group.status === 'ROLLING_OUT' ? <RoleNote what="Stopping the rolling update" needed="deploy" /> : null}
    </section>
  );
}
