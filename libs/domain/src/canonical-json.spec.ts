import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

/** Same JSON value with every object's keys in a different order, chosen by `salt`. */
function reorderKeys(value: unknown, salt: number): unknown {
  if (Array.isArray(value)) return value.map((item: unknown) => reorderKeys(item, salt));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).map(([key, member]): [string, unknown] => [key, reorderKeys(member, salt)]);
  const rank = (key: string): number => [...key].reduce((h, ch) => (h * 31 + ch.charCodeAt(0) + salt) | 0, salt);
  return Object.fromEntries(entries.sort(([a], [b]) => rank(a) - rank(b)));
}

describe('canonicalJson', () => {
  it('sorts keys recursively and has no whitespace', () => {
    const value = { b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } };
    expect(canonicalJson(value)).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('sorts by UTF-16 code units (upper case before lower case, as in RFC 8785)', () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3, é: 4 })).toBe('{"B":2,"a":3,"b":1,"é":4}');
  });

  it('leaves out undefined properties, like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('escapes strings like JSON.stringify', () => {
    expect(canonicalJson({ 'k"\n': 'v\u0000\\' })).toBe('{"k\\"\\n":"v\\u0000\\\\"}');
  });

  it('keeps a "__proto__" key that JSON.parse produced as ordinary data', () => {
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":2}'))).toBe('{"__proto__":{"x":1},"a":2}');
  });

  it.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['a function', () => 1],
    ['a Date', new Date(0)],
    ['undefined in an array', [undefined]],
    ['a bigint', BigInt(1)],
  ])('rejects %s instead of changing it', (_name, value) => {
    expect(() => canonicalJson({ value })).toThrow(TypeError);
  });

  it('round-trips through JSON.parse to an equal value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
    );
  });

  it('does not depend on key order (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (value, salt) => {
        expect(canonicalJson(reorderKeys(value, salt))).toBe(canonicalJson(value));
      }),
    );
  });
});
