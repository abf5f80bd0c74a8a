import type { Decider, DomainCommand, DomainEvent } from '../decider';
import { DomainError, ErrorCode } from '../errors';
import { addSeconds } from '../release/release';

/**
 * Deploy freezes: while one is active for a service or a deployment group,
 * no release starts there (DEPLOY_FROZEN with the window's end) and a
 * release in progress starts no further step until it ends, unless the
 * release was started with an override (its reason is recorded in the
 * event). A window is a range of instants, or weekly hours on some days in
 * an explicit IANA time zone.
 */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type FreezeWindow =
  | { readonly kind: 'range'; readonly from: string; readonly to: string }
  /** `from`/`to` are local HH:MM on each of `days` in `timeZone` (`to` may be 24:00). */
  | { readonly kind: 'weekly'; readonly days: readonly Weekday[]; readonly from: string; readonly to: string; readonly timeZone: string };

export interface Freeze {
  readonly kind: 'freeze';
  readonly name: string;
  /** Services it applies to; absent: every service. */
  readonly services?: readonly string[];
  /** Deployment groups it applies to; absent: every group. */
  readonly groups?: readonly string[];
  readonly window: FreezeWindow;
  readonly reason: string;
  readonly setAt: string;
}

export interface SetFreeze extends DomainCommand<'SetFreeze'> {
  readonly name: string;
  readonly services?: readonly string[];
  readonly groups?: readonly string[];
  readonly window: FreezeWindow;
  readonly reason: string;
}

export interface RemoveFreeze extends DomainCommand<'RemoveFreeze'> {
  readonly name: string;
}

/** Something started inside the freeze because an operator overrode it: the audit record. */
export interface RecordFreezeOverride extends DomainCommand<'RecordFreezeOverride'> {
  readonly name: string;
  readonly reason: string;
  /** What started, e.g. `rollout <id> of <group>`. */
  readonly subject: string;
}

export type FreezeCommand = SetFreeze | RemoveFreeze | RecordFreezeOverride;

export interface FreezeSet extends DomainEvent<'FreezeSet'> {
  readonly name: string;
  readonly services?: readonly string[];
  readonly groups?: readonly string[];
  readonly window: FreezeWindow;
  readonly reason: string;
  readonly time: string;
}

export interface FreezeRemoved extends DomainEvent<'FreezeRemoved'> {
  readonly name: string;
  readonly time: string;
}

export interface FreezeOverridden extends DomainEvent<'FreezeOverridden'> {
  readonly name: string;
  readonly reason: string;
  readonly subject: string;
  readonly time: string;
}

export type FreezeEvent = FreezeSet | FreezeRemoved | FreezeOverridden;
export type FreezeState = { readonly kind: 'none' } | Freeze;

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const MINUTES_PER_DAY = 1440;

function minutesOf(hhmm: string): number {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

function invalid(message: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError(ErrorCode.INVALID_FREEZE, message, details);
}

/** The local weekday and minute of the day of `time` in `timeZone` (Intl: no clock, no I/O). */
function localMinuteOfWeek(time: string, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(time));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = WEEKDAYS.indexOf(part('weekday').toLowerCase() as Weekday);
  return day * MINUTES_PER_DAY + Number(part('hour')) * 60 + Number(part('minute'));
}

function validTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** A window from untrusted JSON: `{kind: 'range', from, to}` or `{kind: 'weekly', days, from, to, timeZone}`, checked. */
export function readFreezeWindow(raw: unknown): FreezeWindow {
  const o = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const text = (key: string): string => {
    const value = o[key];
    if (typeof value !== 'string') throw invalid(`window.${key} must be a string`, { field: key });
    return value;
  };
  let window: FreezeWindow;
  if (o['kind'] === 'range') window = { kind: 'range', from: text('from'), to: text('to') };
  else if (o['kind'] === 'weekly') {
    const days = o['days'];
    if (!Array.isArray(days) || days.some((d) => typeof d !== 'string')) throw invalid('window.days must be a list of days (sun … sat)', { field: 'days' });
    window = { kind: 'weekly', days: days.map((d: string) => d.toLowerCase().slice(0, 3) as Weekday), from: text('from'), to: text('to'), timeZone: text('timeZone') };
  } else throw invalid('window.kind must be "range" or "weekly"', { field: 'kind' });
  validateFreezeWindow(window);
  return window;
}

export function validateFreezeWindow(window: FreezeWindow): void {
  if (window.kind === 'range') {
    if (Number.isNaN(Date.parse(window.from)) || Number.isNaN(Date.parse(window.to))) throw invalid('from and to must be ISO-8601 instants', { window });
    if (Date.parse(window.from) >= Date.parse(window.to)) throw invalid('from must be before to', { window });
    return;
  }
  if (window.days.length === 0 || window.days.some((d) => !WEEKDAYS.includes(d))) throw invalid(`days must be some of ${WEEKDAYS.join(', ')}`, { days: window.days });
  if (!HH_MM.test(window.from) || !HH_MM.test(window.to)) throw invalid('from and to must be HH:MM (to may be 24:00)', { from: window.from, to: window.to });
  if (minutesOf(window.from) >= minutesOf(window.to)) throw invalid('from must be before to on the same day (split an overnight window in two)', { from: window.from, to: window.to });
  if (!validTimeZone(window.timeZone)) throw invalid(`unknown time zone ${window.timeZone}: use an IANA name like Europe/Paris or UTC`, { timeZone: window.timeZone });
}

/** A window in one line: `2026-12-24T00:00:00Z - 2026-12-27T00:00:00Z`, or `sat,sun 00:00-24:00 Europe/Paris`. */
export function describeFreezeWindow(window: FreezeWindow): string {
  if (window.kind === 'weekly') return `${window.days.join(',')} ${window.from}-${window.to} ${window.timeZone}`;
  return `${window.from} - ${window.to}`;
}

/** When the window ends, if `time` is inside it. Weekly windows: minutes counted in local time (a DST change inside a window shifts its end by the change). */
export function freezeWindowEnd(window: FreezeWindow, time: string): string | undefined {
  if (window.kind === 'range') return window.from <= time && time < window.to ? window.to : undefined;
  const now = localMinuteOfWeek(time, window.timeZone);
  const from = minutesOf(window.from);
  const to = minutesOf(window.to);
  for (const day of window.days) {
    const start = WEEKDAYS.indexOf(day) * MINUTES_PER_DAY;
    if (now >= start + from && now < start + to) return addSeconds(time.replace(/:\d\d(\.\d+)?Z$/, ':00.000Z'), (start + to - now) * 60);
  }
  return undefined;
}

export interface FreezeTarget {
  readonly service?: string;
  readonly groups: readonly string[];
}

function applies(freeze: Freeze, target: FreezeTarget): boolean {
  const service = freeze.services === undefined || (target.service !== undefined && freeze.services.includes(target.service));
  const group = freeze.groups === undefined || target.groups.some((g) => freeze.groups?.includes(g));
  return service && group;
}

/** The freeze in force for `target` at `time` that ends last, with its end. */
export function activeFreeze(freezes: Iterable<Freeze>, target: FreezeTarget, time: string): { freeze: Freeze; until: string } | undefined {
  let found: { freeze: Freeze; until: string } | undefined;
  for (const freeze of freezes) {
    if (!applies(freeze, target)) continue;
    const until = freezeWindowEnd(freeze.window, time);
    if (until !== undefined && (found === undefined || until > found.until)) found = { freeze, until };
  }
  return found;
}

/** DEPLOY_FROZEN for a freeze in force: names it, its reason and when it ends. */
export function deployFrozen(active: { freeze: Freeze; until: string }, what: string): DomainError {
  const { freeze, until } = active;
  return new DomainError(ErrorCode.DEPLOY_FROZEN, `${what} is frozen by ${freeze.name} until ${until}: ${freeze.reason}`, { freeze: freeze.name, until, reason: freeze.reason });
}

export const freezeDecider: Decider<FreezeCommand, FreezeEvent, FreezeState> = {
  initialState: { kind: 'none' },
  decide(command, state) {
    if (command.type !== 'SetFreeze' && state.kind === 'none') throw new DomainError(ErrorCode.FREEZE_NOT_FOUND, `Freeze not found: ${command.name}`, { name: command.name });
    if (command.type === 'RemoveFreeze') return [{ type: 'FreezeRemoved', name: command.name, time: command.time }];
    if (command.type === 'RecordFreezeOverride') {
      if (command.reason.trim() === '') throw invalid('an override needs a reason');
      const { name, reason, subject, time } = command;
      return [{ type: 'FreezeOverridden', name, reason, subject, time }];
    }
    if (command.reason.trim() === '') throw invalid('a freeze needs a reason');
    validateFreezeWindow(command.window);
    const { name, window, reason, time } = command;
    return [{ type: 'FreezeSet', name, ...(command.services === undefined ? {} : { services: command.services }), ...(command.groups === undefined ? {} : { groups: command.groups }), window, reason, time }];
  },
  evolve(state, event) {
    if (event.type === 'FreezeRemoved') return { kind: 'none' };
    if (event.type === 'FreezeOverridden') return state;
    const { name, window, reason, time } = event;
    return { kind: 'freeze', name, ...(event.services === undefined ? {} : { services: event.services }), ...(event.groups === undefined ? {} : { groups: event.groups }), window, reason, setAt: time };
  },
};
