import { useState, type FormEvent } from 'react';
import { useSession } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { useAction } from '../components/use-action';

type Kind = 'job' | 'host' | 'group';

const QUERIES: Readonly<Record<Kind, string>> = {
  job: 'query AsOf($name: String!, $time: String) { asOf: jobAsOf(id: $name, time: $time) { sequence version status job } }',
  host: 'query AsOf($name: String!, $time: String) { asOf: hostAsOf(name: $name, time: $time) { sequence version registered state } }',
  group: 'query AsOf($name: String!, $time: String) { asOf: groupAsOf(name: $name, time: $time) { sequence version exists group { name status jobId rolloutId selectors } } }',
};

/** A job, host or group as it stood at a chosen time, rebuilt by the gateway from its events. */
export function AsOfPanel() {
  const { api } = useSession();
  const [kind, setKind] = useState<Kind>('group');
  const [name, setName] = useState('');
  const [time, setTime] = useState('');
  const [answer, setAnswer] = useState<unknown>(null);
  const run = useAction(async () => {
    setAnswer(null);
    const data = await api.request<{ asOf: unknown }>(QUERIES[kind], { name: name.trim(), time: time ? new Date(time).toISOString() : new Date().toISOString() });
    setAnswer(data.asOf);
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void run.perform();
  };
  return (
    <section aria-label="state as of a time">
      <h2>State as of a time</h2>
      <form onSubmit={onSubmit} className="inline-form">
        <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
          <option value="group">deployment group</option>
          <option value="job">job (full id)</option>
          <option value="host">host</option>
        </select>
        <input name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="name or id" required />
        <input name="time" type="datetime-local" step="1" value={time} onChange={(e) => setTime(e.target.value)} />
        <button type="submit" disabled={run.busy}>
          Show
        </button>
        <small>empty time: now (local time zone)</small>
      </form>
      <ErrorNote error={run.error} />
      {answer !== null ? <pre data-testid="as-of">{JSON.stringify(answer, null, 2)}</pre> : null}
    </section>
  );
}
