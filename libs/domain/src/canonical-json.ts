/** A value that survives JSON.stringify → JSON.parse unchanged. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function canonicalObject(value: object, path: string): string {
  if (!isPlainObject(value)) throw new TypeError(`canonicalJson: ${path} is not a plain object`);
  const record = value as Readonly<Record<string, unknown>>;
  const members: string[] = [];
  // Default sort compares UTF-16 code units: the key order RFC 8785 (JCS) prescribes.
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined) continue; // an absent optional field, as JSON.stringify treats it
    members.push(`${JSON.stringify(key)}:${canonical(member, `${path}.${key}`)}`);
  }
  return `{${members.join(',')}}`;
}

function canonical(value: unknown, path: string): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${path} is not a finite number`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item: unknown, i) => canonical(item, `${path}[${i}]`)).join(',')}]`;
  }
  if (typeof value === 'object') return canonicalObject(value, path);
  // undefined in an array, functions, symbols and bigints have no faithful JSON form
  throw new TypeError(`canonicalJson: ${path} is ${typeof value}, which JSON cannot represent`);
}

/**
 * Canonical JSON: object keys sorted recursively, no whitespace, ES number
 * and string formatting (so for these values it is RFC 8785 / JCS). Two
 * values that are equal as JSON give the same text, whatever their key order,
 * which is what makes job ids reproducible. Object properties that are
 * `undefined` are left out (optional fields); anything JSON cannot represent
 * faithfully (NaN, Infinity, functions, class instances, `undefined` in an
 * array) throws a TypeError instead of being silently changed.
 */
export function canonicalJson(value: unknown): string {
  return canonical(value, '$');
}
