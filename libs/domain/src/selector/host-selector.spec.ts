import { DomainError, ErrorCode } from '../errors';
import {
  formatSelector,
  matchesAll,
  matchesSelector,
  parseHostSelector,
  parseHostSelectors,
  selectorsLogicallyEqual,
  tryParseHostSelector,
  type HostLabels,
  type HostSelector,
} from './host-selector';

const matchesValue = (text: string, value: string): boolean =>
  matchesSelector(parseHostSelector(text), { [parseHostSelector(text).label]: value });

// Cases ported from Helios's HostSelectorTest
describe('host selector: parsing (Helios HostSelectorTest)', () => {
  it.each(['A=B', 'A = B', 'A =B', 'A= B', 'A\t\t=  B'])('parses %j as A = B', (text) => {
    expect(parseHostSelector(text)).toEqual({ label: 'A', operator: 'EQUALS', operand: 'B' });
  });

  it.each(['A!=B', 'A != B', 'A !=B', 'A!= B', 'A\t\t!=  B'])('parses %j as A != B', (text) => {
    expect(parseHostSelector(text)).toEqual({ label: 'A', operator: 'NOT_EQUALS', operand: 'B' });
  });

  it('allows letters, digits, dot, underscore and dash', () => {
    expect(parseHostSelector('foo=123')).toEqual({ label: 'foo', operator: 'EQUALS', operand: '123' });
    expect(parseHostSelector('_abc!=d-e')).toEqual({ label: '_abc', operator: 'NOT_EQUALS', operand: 'd-e' });
    expect(parseHostSelector('a.b=c.d')).toEqual({ label: 'a.b', operator: 'EQUALS', operand: 'c.d' });
  });

  it.each([
    'foo = @123',
    'f/oo = 123',
    'f=oo = 123',
    'foo = 12=3',
    'fo o = 123',
    'foo = 1 23',
    'foo=!123',
    '!foo=bar',
    'foo or 123',
    'foo==123',
    'foo&&123',
    '=123',
    ' =123',
    ' = 123',
    'foo=',
    'foo= ',
    'foo = ',
    '',
  ])('rejects %j', (text) => {
    expect(tryParseHostSelector(text)).toBeUndefined();
  });

  it('parses in/notin into a sorted set, with or without spaces, duplicates dropped', () => {
    expect(parseHostSelector('a in (foo, bar)')).toEqual({ label: 'a', operator: 'IN', operand: ['bar', 'foo'] });
    expect(parseHostSelector('a in(foo,bar)')).toEqual(parseHostSelector('a in (bar, foo)'));
    expect(parseHostSelector('a in (foo,foo)')).toEqual(parseHostSelector('a in (foo)'));
    expect(parseHostSelector('a notin (foo, bar)')).toEqual({ label: 'a', operator: 'NOT_IN', operand: ['bar', 'foo'] });
    expect(parseHostSelector('a notin(foo)')).toEqual({ label: 'a', operator: 'NOT_IN', operand: ['foo'] });
    expect(parseHostSelector('a in ()')).toEqual({ label: 'a', operator: 'IN', operand: [] });
    expect(parseHostSelector('a notin()')).toEqual({ label: 'a', operator: 'NOT_IN', operand: [] });
  });

  it('accepts a bare operand after in/notin as a one-element set, as Helios does', () => {
    expect(parseHostSelector('a in b')).toEqual({ label: 'a', operator: 'IN', operand: ['b'] });
  });

  it('tolerates whitespace around the whole expression (Berth, not Helios)', () => {
    expect(parseHostSelector('  role = web \n')).toEqual({ label: 'role', operator: 'EQUALS', operand: 'web' });
  });

  it.each(['anotin(b)', 'ain (b)', 'a in (b c)', 'a in (b@)', 'a in (b', 'a = (b)', 'a in ((b))'])(
    'rejects %j (no word operator glued to the label, one token per set item)',
    (text) => {
      expect(tryParseHostSelector(text)).toBeUndefined();
    },
  );

  it('throws INVALID_HOST_SELECTOR with Helios message', () => {
    const error = (() => {
      try {
        parseHostSelector('foo==1');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: ErrorCode.INVALID_HOST_SELECTOR, message: 'Invalid host selector: foo==1' });
  });

  it('parseHostSelectors reports every invalid expression', () => {
    expect(() => parseHostSelectors(['a=b', 'x', 'y=='])).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_HOST_SELECTOR, details: { selectors: ['x', 'y=='] } }),
    );
    expect(parseHostSelectors(['a=b', 'c in (d)'])).toHaveLength(2);
  });
});

describe('host selector: matching a label value (Helios HostSelectorTest)', () => {
  it('= matches only the exact value', () => {
    expect(matchesValue('A=B', 'B')).toBe(true);
    expect(matchesValue('A=B', 'Bb')).toBe(false);
    expect(matchesValue('A=B', 'b')).toBe(false);
    expect(matchesValue('A=B', 'A')).toBe(false);
  });

  it('!= matches every other value', () => {
    expect(matchesValue('A!=B', 'B')).toBe(false);
    expect(matchesValue('A!=B', 'Bb')).toBe(true);
    expect(matchesValue('A!=B', 'b')).toBe(true);
    expect(matchesValue('A!=B', 'A')).toBe(true);
  });

  it('in matches members; the empty set matches nothing', () => {
    for (const text of ['a in (foo, bar)', 'a in(foo,bar)']) {
      expect(matchesValue(text, 'foo')).toBe(true);
      expect(matchesValue(text, 'bar')).toBe(true);
      expect(matchesValue(text, 'baz')).toBe(false);
    }
    expect(matchesValue('a in(foo)', 'foo')).toBe(true);
    expect(matchesValue('a in(foo)', 'baz')).toBe(false);
    expect(matchesValue('a in ()', 'foo')).toBe(false);
    expect(matchesValue('a in()', '')).toBe(false);
  });

  it('notin matches non-members; the empty set matches everything', () => {
    for (const text of ['a notin (foo, bar)', 'a notin(foo,bar)']) {
      expect(matchesValue(text, 'foo')).toBe(false);
      expect(matchesValue(text, 'bar')).toBe(false);
      expect(matchesValue(text, 'baz')).toBe(true);
    }
    expect(matchesValue('a notin ()', 'foo')).toBe(true);
    expect(matchesValue('a notin()', 'baz')).toBe(true);
  });
});

// Cases ported from Helios's HostMatcherTest (the master's rule for `hosts -s` and deployment groups)
describe('host selector: matching hosts (Helios HostMatcherTest)', () => {
  const hosts: Record<string, HostLabels> = {
    'foo-a1': { role: 'foo' },
    'foo-a2': { role: 'foo', special: 'yes' },
    'bar-a1': { role: 'bar', pool: 'a' },
    'bar-b1': { role: 'bar', pool: 'b' },
    'bar-c1': { role: 'bar', pool: 'c' },
  };
  const matching = (...texts: string[]): string[] => {
    const selectors = parseHostSelectors(texts);
    return Object.keys(hosts)
      .filter((host) => matchesAll(selectors, hosts[host] ?? {}))
      .sort();
  };

  it('ANDs the selectors', () => {
    expect(matching('role=foo')).toEqual(['foo-a1', 'foo-a2']);
    expect(matching('role=foo', 'special=yes')).toEqual(['foo-a2']);
    expect(matching('pool=a')).toEqual(['bar-a1']);
    expect(matching('pool=a', 'role=bar')).toEqual(['bar-a1']);
    expect(matching('pool=b', 'role=bar')).toEqual(['bar-b1']);
    expect(matching('pool=c', 'role=bar')).toEqual(['bar-c1']);
    expect(matching('pool=c', 'role=awesome')).toEqual([]);
    expect(matching('special=yes', 'role=awesome')).toEqual([]);
  });

  it('a host lacking the label matches no selector on it, not even != or notin', () => {
    expect(matching('role=foo', 'special!=yes')).toEqual([]);
    expect(matching('pool!=a')).toEqual(['bar-b1', 'bar-c1']);
    expect(matching('pool notin (a, b)')).toEqual(['bar-c1']);
    expect(matching('pool in (a, c)', 'role in (bar)')).toEqual(['bar-a1', 'bar-c1']);
  });

  it('no selectors match every host (a deployment group must treat that as none itself)', () => {
    expect(matching()).toEqual(Object.keys(hosts).sort());
  });

  it('a label named like an Object property is not taken from the prototype', () => {
    expect(matchesSelector(parseHostSelector('constructor!=x'), {})).toBe(false);
    expect(matchesSelector(parseHostSelector('toString notin ()'), {})).toBe(false);
  });
});

describe('host selector: formatting and logical equality', () => {
  it('formats like Helios toPrettyString and round-trips', () => {
    expect(formatSelector(parseHostSelector('A!=B'))).toBe('A != B');
    expect(formatSelector(parseHostSelector('A=B'))).toBe('A = B');
    const samples = ['A=B', 'A!=B', 'a in (foo, bar)', 'a notin ()', 'x.y in(z)'];
    for (const text of samples) {
      const selector = parseHostSelector(text);
      expect(parseHostSelector(formatSelector(selector))).toEqual(selector);
    }
    expect(formatSelector(parseHostSelector('a in (foo,bar)'))).toBe('a in (bar, foo)');
  });

  const list = (...texts: string[]): HostSelector[] => texts.map(parseHostSelector);

  it('treats in (x) as = x and ignores order (Helios testLogicallyEqual)', () => {
    expect(selectorsLogicallyEqual(list('foo in (x)'), list('foo = x'))).toBe(true);
    expect(selectorsLogicallyEqual(list('foo = bar', 'pool = a'), list('pool = a', 'foo in (bar)'))).toBe(true);
    expect(selectorsLogicallyEqual(list('foo = bar', 'pool = a', 'c = x'), list('pool = a', 'foo in (bar)'))).toBe(false);
    expect(selectorsLogicallyEqual(list('foo = bar'), list('foo != bar'))).toBe(false);
    for (const other of ['foo in (x, y)', 'foo != x', 'foo in (y)', 'foo = y', 'bar in (x)', 'bar = x', 'bar != x']) {
      expect(selectorsLogicallyEqual(list('foo in (x)'), list(other))).toBe(false);
      expect(selectorsLogicallyEqual(list('foo = x'), list(other))).toBe(false);
    }
  });
});
