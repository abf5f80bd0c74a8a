import { EMPTY_FREEZE_FORM, parseFreezeForm, type FreezeFormValues } from './freeze-form';

const range = (over: Partial<FreezeFormValues> = {}): FreezeFormValues => ({
  ...EMPTY_FREEZE_FORM,
  name: 'xmas',
  from: '2026-12-24T00:00:00Z',
  to: '2026-12-27T00:00:00Z',
  reason: 'holidays',
  ...over,
});
const weekly = (over: Partial<FreezeFormValues> = {}): FreezeFormValues => range({ kind: 'weekly', days: ['sat', 'sun'], from: '00:00', to: '24:00', timeZone: 'Europe/Paris', ...over });

describe('parseFreezeForm', () => {
  it('builds setFreeze variables from a range: trimmed, services and groups split (empty: all)', () => {
    expect(parseFreezeForm(range({ name: ' xmas ', reason: ' holidays ', services: ' web, api ,,web ' }))).toEqual({
      variables: { name: 'xmas', services: ['web', 'api'], groups: null, window: { kind: 'range', from: '2026-12-24T00:00:00Z', to: '2026-12-27T00:00:00Z' }, reason: 'holidays' },
      problems: {},
    });
  });

  it('builds a weekly window with its days and zone', () => {
    expect(parseFreezeForm(weekly({ groups: 'prod.main' })).variables).toEqual({
      name: 'xmas',
      services: null,
      groups: ['prod.main'],
      window: { kind: 'weekly', days: ['sat', 'sun'], from: '00:00', to: '24:00', timeZone: 'Europe/Paris' },
      reason: 'holidays',
    });
  });

  it('an empty form: every required field has its problem and nothing to send', () => {
    const parsed = parseFreezeForm(EMPTY_FREEZE_FORM);
    expect(parsed.variables).toBeUndefined();
    expect(Object.keys(parsed.problems).sort()).toEqual(['from', 'name', 'reason', 'to']);
  });

  it.each<[string, Partial<FreezeFormValues>, string, RegExp]>([
    ['a name with a space', { name: 'x mas' }, 'name', /letters, digits/],
    ['a blank reason', { reason: '   ' }, 'reason', /why/],
    ['a from that is no instant', { from: 'christmas eve' }, 'from', /ISO-8601/],
    ['a window ending before it starts', { from: '2026-12-27T00:00:00Z', to: '2026-12-24T00:00:00Z' }, 'to', /from must be before to/],
  ])('a range with %s is refused on that field', (_what, over, field, message) => {
    const parsed = parseFreezeForm(range(over));
    expect(parsed.variables).toBeUndefined();
    expect(parsed.problems).toEqual({ [field]: expect.stringMatching(message), ...(field === 'from' ? { to: expect.any(String) } : {}) });
  });

  it.each<[string, Partial<FreezeFormValues>, string, RegExp]>([
    ['no day', { days: [] }, 'days', /days must be some of sun/],
    ['an hour that is no HH:MM', { from: '9am' }, 'from', /HH:MM/],
    ['an overnight window', { from: '22:00', to: '06:00' }, 'to', /split an overnight window/],
    ['an unknown time zone', { timeZone: 'Nowhere/Land' }, 'timeZone', /unknown time zone Nowhere\/Land/],
  ])('a weekly window with %s is refused on that field', (_what, over, field, message) => {
    const parsed = parseFreezeForm(weekly(over));
    expect(parsed.variables).toBeUndefined();
    expect(parsed.problems[field as keyof typeof parsed.problems]).toMatch(message);
  });
});
