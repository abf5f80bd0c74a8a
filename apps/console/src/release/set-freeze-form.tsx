import { WEEKDAYS, describeFreezeWindow, type Weekday } from '@berth/domain';
import { useState, type FormEvent, type ReactNode } from 'react';
import { BerthApiError } from '../api/berth-api';
import { SET_FREEZE } from '../api/documents';
import type { Freeze } from '../api/types';
import { useSession } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { useAction } from '../components/use-action';
import { EMPTY_FREEZE_FORM, parseFreezeForm, type FreezeField, type FreezeFormValues } from './freeze-form';

/** The browser's own zone: a weekly window is explicit about its zone, and this is the likeliest one. */
const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function Field(props: { readonly field: FreezeField; readonly label: string; readonly problems: Readonly<Partial<Record<FreezeField, string>>>; readonly help: string; readonly children: ReactNode }) {
  const problem = props.problems[props.field];
  return (
    <label className={problem ? 'invalid' : undefined}>
      {props.label} {props.children}
      <small>{problem ? `${props.help} — ${problem}` : props.help}</small>
    </label>
  );
}

/**
 * Sets (or replaces) a freeze: a range of instants or weekly hours in a time
 * zone, for some services and/or groups (empty: all), with a reason. The
 * domain's window rules run before anything is sent; the gateway's refusal
 * shows with its Berth code.
 */
export function SetFreezeForm(props: { onSet(): void }) {
  const { api } = useSession();
  const [values, setValues] = useState<FreezeFormValues>(() => ({ ...EMPTY_FREEZE_FORM, timeZone: browserTimeZone() }));
  const [problems, setProblems] = useState<Readonly<Partial<Record<FreezeField, string>>>>({});
  const [set, setSet] = useState<Freeze | null>(null);
  const submit = useAction(async () => {
    setSet(null);
    const parsed = parseFreezeForm(values);
    setProblems(parsed.problems);
    if (!parsed.variables) throw new BerthApiError('INVALID_FREEZE', 'fix the highlighted fields: nothing was sent');
    const answer = await api.request<{ setFreeze: Freeze }>(SET_FREEZE, { ...parsed.variables });
    setSet(answer.setFreeze);
    setValues((v) => ({ ...EMPTY_FREEZE_FORM, timeZone: v.timeZone }));
    props.onSet();
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void submit.perform();
  };
  const change = (patch: Partial<FreezeFormValues>) => setValues((v) => ({ ...v, ...patch }));
  const toggleDay = (day: Weekday, on: boolean) => change({ days: WEEKDAYS.filter((d) => (d === day ? on : values.days.includes(d))) });
  const weekly = values.kind === 'weekly';
  return (
    <form onSubmit={onSubmit} aria-label="set a deploy freeze" className="inline-form" noValidate>
      <h2>Set a deploy freeze</h2>
      <Field field="name" label="Name" problems={problems} help="setting an existing name replaces that freeze">
        <input name="name" value={values.name} onChange={(e) => change({ name: e.target.value })} />
      </Field>
      <fieldset className="freeze-window">
        <legend>Window</legend>
        <label>
          <input type="radio" name="kind" value="range" checked={!weekly} onChange={() => change({ kind: 'range' })} /> from one instant to another
        </label>
        <label>
          <input type="radio" name="kind" value="weekly" checked={weekly} onChange={() => change({ kind: 'weekly' })} /> every week, on some days
        </label>
        {weekly ? (
          <fieldset className={problems.days ? 'days invalid' : 'days'} aria-label="days">
            <legend>Days</legend>
            {WEEKDAYS.map((day) => (
              <label key={day}>
                <input type="checkbox" name="days" value={day} checked={values.days.includes(day)} onChange={(e) => toggleDay(day, e.target.checked)} /> {day}
              </label>
            ))}
            <small>{problems.days ? `the days it is in force — ${problems.days}` : 'the days it is in force'}</small>
          </fieldset>
        ) : null}
        <Field field="from" label="From" problems={problems} help={weekly ? 'HH:MM, local time in the zone below' : 'an ISO-8601 instant, e.g. 2026-12-24T00:00:00Z'}>
          <input name="from" value={values.from} onChange={(e) => change({ from: e.target.value })} placeholder={weekly ? '00:00' : '2026-12-24T00:00:00Z'} />
        </Field>
        <Field field="to" label="To" problems={problems} help={weekly ? 'HH:MM (24:00: the end of the day), after From' : 'an ISO-8601 instant after From'}>
          <input name="to" value={values.to} onChange={(e) => change({ to: e.target.value })} placeholder={weekly ? '24:00' : '2026-12-27T00:00:00Z'} />
        </Field>
        {weekly ? (
          <Field field="timeZone" label="Time zone" problems={problems} help="an IANA zone, e.g. Europe/Paris or UTC">
            <input name="timeZone" value={values.timeZone} onChange={(e) => change({ timeZone: e.target.value })} />
          </Field>
        ) : null}
      </fieldset>
      <label>
        Services <input name="services" value={values.services} onChange={(e) => change({ services: e.target.value })} placeholder="all" />
        <small>comma-separated; empty: every service</small>
      </label>
      <label>
        Groups <input name="groups" value={values.groups} onChange={(e) => change({ groups: e.target.value })} placeholder="all" />
        <small>deployment groups, comma-separated; empty: every group</small>
      </label>
      <Field field="reason" label="Reason" problems={problems} help="shown to whoever is refused">
        <input name="reason" value={values.reason} onChange={(e) => change({ reason: e.target.value })} />
      </Field>
      <button type="submit" disabled={submit.busy}>
        Set freeze
      </button>
      <ErrorNote error={submit.error} />
      {set ? (
        <p className="notice" role="status">
          Freeze {set.name} set: {describeFreezeWindow(set.window)}
          {set.active ? `, in force until ${set.until ?? '?'}` : ''}.
        </p>
      ) : null}
    </form>
  );
}
