import { PIPELINE_NAME, isDomainError, readFreezeWindow, type FreezeWindow, type Weekday } from '@berth/domain';

/** What the freeze form holds, as typed. */
export interface FreezeFormValues {
  readonly name: string;
  readonly kind: 'range' | 'weekly';
  /** an ISO instant (range) or HH:MM (weekly) */
  readonly from: string;
  readonly to: string;
  readonly days: readonly Weekday[];
  readonly timeZone: string;
  /** comma-separated; empty: all */
  readonly services: string;
  readonly groups: string;
  readonly reason: string;
}

export type FreezeField = 'name' | 'from' | 'to' | 'days' | 'timeZone' | 'reason';

/** The setFreeze variables; `services`/`groups` null: all of them. */
export interface SetFreezeVariables {
  readonly name: string;
  readonly services: readonly string[] | null;
  readonly groups: readonly string[] | null;
  readonly window: FreezeWindow;
  readonly reason: string;
}

export interface ParsedFreeze {
  /** absent when there are problems: nothing is sent then */
  readonly variables?: SetFreezeVariables;
  /** field → why its value is not accepted */
  readonly problems: Readonly<Partial<Record<FreezeField, string>>>;
}

export const EMPTY_FREEZE_FORM: FreezeFormValues = { name: '', kind: 'range', from: '', to: '', days: [], timeZone: 'UTC', services: '', groups: '', reason: '' };

function names(text: string): readonly string[] | null {
  const list = [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))];
  return list.length === 0 ? null : list;
}

/** The fields a domain INVALID_FREEZE is about (the domain's window rules, run here before anything is sent). */
function windowFields(message: string, details: Readonly<Record<string, unknown>>): readonly FreezeField[] {
  if (message.startsWith('from must be before to')) return ['to'];
  if ('timeZone' in details || details['field'] === 'timeZone') return ['timeZone'];
  if ('days' in details || details['field'] === 'days') return ['days'];
  if (details['field'] === 'from' || details['field'] === 'to') return [details['field']];
  return ['from', 'to'];
}

/** Checks the form with the rules the scheduler applies (name, reason, the domain's window rules) and builds setFreeze's variables. */
export function parseFreezeForm(values: FreezeFormValues): ParsedFreeze {
  const problems: Partial<Record<FreezeField, string>> = {};
  const name = values.name.trim();
  if (!PIPELINE_NAME.test(name)) problems.name = 'a name: letters, digits, ".", "_" and "-", at most 128 characters';
  const reason = values.reason.trim();
  if (reason === '') problems.reason = 'why (shown to whoever is refused)';
  const raw =
    values.kind === 'range'
      ? { kind: 'range', from: values.from.trim(), to: values.to.trim() }
      : { kind: 'weekly', days: values.days, from: values.from.trim(), to: values.to.trim(), timeZone: values.timeZone.trim() };
  let window: FreezeWindow | undefined;
  try {
    window = readFreezeWindow(raw);
  } catch (err) {
    if (!isDomainError(err)) throw err;
    for (const field of windowFields(err.message, err.details)) problems[field] = err.message;
  }
  if (window === undefined || Object.keys(problems).length > 0) return { problems };
  return { variables: { name, services: names(values.services), groups: names(values.groups), window, reason }, problems };
}
