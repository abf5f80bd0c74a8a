import { releaseOperatorActions, type ReleaseOperatorAction } from '@berth/domain';
import { useState, type FormEvent } from 'react';
import { RELEASE_ACTION_MUTATIONS } from '../api/documents';
import type { Release } from '../api/types';
import { useCan, useSession } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { useAction } from '../components/use-action';

const LABELS: Readonly<Record<ReleaseOperatorAction, string>> = { advance: 'Advance', complete: 'Complete', abandon: 'Abandon', rollback: 'Rollback…', snooze: 'Snooze…' };

const CONFIRM: Readonly<Record<'advance' | 'complete' | 'abandon', string>> = {
  advance: 'Start the next stage of the {service} release of {job}?',
  complete: 'Certify the {service} release of {job} as complete now?',
  abandon: 'Abandon the {service} release of {job}? Nothing more happens by itself; its groups stay as they are.',
};

/** The two actions that ask for a value first: rollback its reason, snooze its seconds. */
function AskForm(props: { readonly action: 'rollback' | 'snooze'; readonly busy: boolean; onSubmit(value: string): void; onCancel(): void }) {
  const [value, setValue] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSubmit(value.trim());
  };
  const rollback = props.action === 'rollback';
  return (
    <form onSubmit={submit} aria-label={rollback ? 'roll back the release' : 'snooze the release'} className="ask-form">
      {rollback ? (
        <label>
          Reason <input name="reason" value={value} onChange={(e) => setValue(e.target.value)} required />
          <small>every group the release touched goes back to its job from before; this job is then marked bad there</small>
        </label>
      ) : (
        <label>
          Seconds <input name="seconds" type="number" min={1} value={value} onChange={(e) => setValue(e.target.value)} />
          <small>how far to push the automatic complete (or abandon) back; empty: its configured delay</small>
        </label>
      )}
      <button type="submit" className={rollback ? 'danger' : undefined} disabled={props.busy || (rollback && value.trim() === '')}>
        {rollback ? 'Roll back' : 'Snooze'}
      </button>
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </form>
  );
}

/** Advance, complete, abandon, rollback (with a reason), snooze: the ones the release accepts now, for deploy tokens; errors beside them. */
export function ReleaseActions(props: { readonly release: Release; onChanged?(): void }) {
  const { api } = useSession();
  const canDeploy = useCan('deploy');
  const { release } = props;
  const [asking, setAsking] = useState<'rollback' | 'snooze' | null>(null);
  const act = useAction(async (action: ReleaseOperatorAction, value?: string) => {
    if (action === 'advance' || action === 'complete' || action === 'abandon') {
      if (!window.confirm(CONFIRM[action].replace('{service}', release.service).replace('{job}', release.jobId))) return;
    }
    const extra = action === 'rollback' ? { reason: value } : action === 'snooze' && value ? { seconds: Number(value) } : {};
    await api.request(RELEASE_ACTION_MUTATIONS[action], { release: release.releaseId, ...extra });
    setAsking(null);
    props.onChanged?.();
  });
  if (!canDeploy) return null;
  const actions = releaseOperatorActions(release);
  if (actions.length === 0) return null;
  return (
    <div className="actions" aria-label={`actions on release ${release.releaseId}`}>
      {actions.map((action) => (
        <button
          key={action}
          type="button"
          disabled={act.busy}
          className={action === 'rollback' || action === 'abandon' ? 'danger' : undefined}
          onClick={() => {
            if (action === 'rollback' || action === 'snooze') setAsking(action);
            else void act.perform(action);
          }}
        >
          {LABELS[action]}
        </button>
      ))}
      {asking && actions.includes(asking) ? <AskForm action={asking} busy={act.busy} onSubmit={(value) => void act.perform(asking, value)} onCancel={() => setAsking(null)} /> : null}
      <ErrorNote error={act.error} />
    </div>
  );
}
