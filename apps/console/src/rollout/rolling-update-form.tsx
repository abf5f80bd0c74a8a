import { memo, useState, type FormEvent } from 'react';
import { BerthApiError } from '../api/berth-api';
import { ROLLING_UPDATE } from '../api/documents';
import { useSession } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { useAction } from '../components/use-action';
import { OPTION_FIELDS, defaultText, parseOptionsForm, type FormValues } from './rollout-options-form';

/**
 * Starts a rolling update with every option; empty fields fall back to the
 * job's, the group's, then Berth's defaults. Memoised: the live rollout above
 * it re-renders the page many times a second.
 */
export const RollingUpdateForm = memo(function RollingUpdateForm(props: { readonly group: string }) {
  const { api } = useSession();
  const [job, setJob] = useState('');
  const [values, setValues] = useState<FormValues>({});
  const [problems, setProblems] = useState<Readonly<Record<string, string>>>({});
  const submit = useAction(async () => {
    const parsed = parseOptionsForm(values);
    setProblems(parsed.problems);
    if (Object.keys(parsed.problems).length > 0) throw new BerthApiError('INVALID_ROLLOUT_OPTIONS', 'fix the highlighted options');
    if (!job.trim()) throw new BerthApiError('INVALID_REQUEST', 'name the job to roll out');
    await api.request(ROLLING_UPDATE, { group: props.group, job: job.trim(), options: parsed.options });
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void submit.perform();
  };
  const set = (name: string, value: string | boolean) => setValues((v) => ({ ...v, [name]: value }));
  return (
    <form className="rolling-update" onSubmit={onSubmit} aria-label="start a rolling update">
      <h2>Start a rolling update</h2>
      <label>
        Job <input name="job" value={job} onChange={(e) => setJob(e.target.value)} placeholder="name:version, name or job id" required />
        <small>full id, name:version, name or id prefix</small>
      </label>
      <fieldset>
        <legend>Options (empty: the job's, then the group's, then the default shown)</legend>
        {OPTION_FIELDS.map((field) => (
          <label key={field.name} className={problems[field.name] ? 'invalid' : undefined}>
            {field.label}{' '}
            {field.kind === 'boolean' ? (
              <input type="checkbox" name={field.name} checked={values[field.name] === true} onChange={(e) => set(field.name, e.target.checked)} />
            ) : field.kind === 'healthCheck' ? (
              <select name={field.name} value={String(values[field.name] ?? '')} onChange={(e) => set(field.name, e.target.value)}>
                <option value="">default ({defaultText(field)})</option>
                <option value="task_states">task_states</option>
                <option value="checks">checks</option>
                <option value="manual">manual</option>
              </select>
            ) : field.kind === 'oldToken' ? (
              <>
                <input
                  name={field.name}
                  value={values[field.name] === true ? '' : String(values[field.name] ?? '')}
                  disabled={values[field.name] === true}
                  placeholder={`default: ${defaultText(field)}`}
                  onChange={(e) => set(field.name, e.target.value)}
                />{' '}
                <span>
                  <input
                    type="checkbox"
                    name={`${field.name}None`}
                    aria-label="the old jobs have no token"
                    checked={values[field.name] === true}
                    onChange={(e) => set(field.name, e.target.checked ? true : '')}
                  />{' '}
                  none
                </span>
              </>
            ) : (
              <input name={field.name} value={String(values[field.name] ?? '')} placeholder={`default: ${defaultText(field)}`} onChange={(e) => set(field.name, e.target.value)} />
            )}
            <small>
              {field.help}
              {field.kind === 'boolean' ? ` (default: ${defaultText(field) === 'true' ? 'on' : 'off'})` : ''}
              {problems[field.name] ? ` — expected ${problems[field.name]}` : ''}
            </small>
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={submit.busy}>
        Start rolling update
      </button>
      <ErrorNote error={submit.error} />
    </form>
  );
});
