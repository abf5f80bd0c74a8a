import { rolloutActionMutation } from '../api/documents';
import type { Rollout } from '../api/types';
import { useCan, useSession } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { useAction } from '../components/use-action';
import { availableActions, type RolloutActionName } from './rollout-clock';

const LABELS: Readonly<Record<RolloutActionName, string>> = { promote: 'Promote', pause: 'Pause', resume: 'Resume', fail: 'Fail', retry: 'Retry' };
const CONFIRM: Partial<Record<RolloutActionName, string>> = {
  fail: 'Fail this rollout now? Auto-revert applies if it is on.',
  retry: 'Retry this rollout on the hosts that failed?',
};

/** Promote, pause, resume, fail, retry: only for tokens with the deploy role; errors beside the buttons. */
export function RolloutActions(props: { readonly rollout: Rollout }) {
  const { api } = useSession();
  const canDeploy = useCan('deploy');
  const action = useAction(async (name: RolloutActionName) => {
    const question = CONFIRM[name];
    if (question && !window.confirm(question)) return;
    await api.request(rolloutActionMutation(name), { rollout: props.rollout.rolloutId });
  });
  if (!canDeploy) return null;
  const actions = availableActions(props.rollout);
  return (
    <div className="actions" aria-label="rollout actions">
      {actions.map((name) => (
        <button key={name} type="button" disabled={action.busy} onClick={() => void action.perform(name)} className={name === 'fail' ? 'danger' : undefined}>
          {LABELS[name]}
        </button>
      ))}
      <ErrorNote error={action.error} />
    </div>
  );
}
