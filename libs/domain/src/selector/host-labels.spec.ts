import fc from 'fast-check';
import { hostLabelProblems, isLabelKey, MAX_LABEL_VALUE_LENGTH, MAX_LABELS } from './host-labels';
import { matchesSelector, parseHostSelector, tryParseHostSelector } from './host-selector';

describe('host labels', () => {
  it('accepts string → string with selector-style keys, and no labels at all', () => {
    expect(hostLabelProblems({ role: 'web', 'zone.a_b-1': 'eu west 1', empty: '' })).toEqual([]);
    expect(hostLabelProblems({})).toEqual([]);
  });

  it.each([
    [{ a: 1.5 }, 'labels.a must be a string, not a number'],
    [{ a: { b: 1 } }, 'labels.a must be a string, not an object'],
    [{ a: null }, 'labels.a must be a string, not null'],
    [{ a: ['x'] }, 'labels.a must be a string, not an array'],
    [{ a: true }, 'labels.a must be a string, not a boolean'],
    [null, 'labels must be an object of strings, not null'],
    [['a', 'b'], 'labels must be an object of strings, not an array'],
    ['role=web', 'labels must be an object of strings, not a string'],
    [{ a: 'x\n' }, 'labels.a must not contain control characters'],
    [{ a: '\u0085' }, 'labels.a must not contain control characters'],
    [{ a: 'x'.repeat(MAX_LABEL_VALUE_LENGTH + 1) }, `labels.a must be at most ${MAX_LABEL_VALUE_LENGTH} characters`],
  ])('refuses %j, naming the field', (labels, problem) => {
    expect(hostLabelProblems(labels)).toEqual([problem]);
  });

  it.each(['', 'a b', 'a=b', 'a!=b', '(a)', 'a,b', 'ü', 'a\n', 'x'.repeat(257)])('refuses the key %j', (key) => {
    expect(isLabelKey(key)).toBe(false);
    expect(hostLabelProblems({ [key]: 'v' })).toEqual([expect.stringMatching(/^labels key .* must be 1-256 letters, digits, "\.", "_" or "-"$/)]);
  });

  it('lists every problem, and refuses too many labels', () => {
    expect(hostLabelProblems({ '': 1, ok: 'v', b: null })).toHaveLength(3);
    expect(hostLabelProblems(Object.fromEntries(Array.from({ length: MAX_LABELS + 1 }, (_, i) => [`k${i}`, 'v'])))).toEqual([`labels must have at most ${MAX_LABELS} entries, not ${MAX_LABELS + 1}`]);
  });

  it('accepts exactly the keys a selector can name', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (key) => {
        const selectable = key.trim() === key && tryParseHostSelector(`${key}=v`)?.label === key;
        expect(isLabelKey(key)).toBe(selectable);
        if (selectable) expect(matchesSelector(parseHostSelector(`${key}=v`), { [key]: 'v' })).toBe(true);
      }),
    );
  });

  it('refuses every value that is not a string', () => {
    fc.assert(
      fc.property(
        fc.anything().filter((value) => typeof value !== 'string'),
        (value) => {
          expect(hostLabelProblems({ a: value })).toEqual([expect.stringMatching(/^labels\.a must be a string, not /)]);
        },
      ),
    );
  });
});
