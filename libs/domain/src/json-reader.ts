import type { Problem } from './errors';

/**
 * Helpers to read untrusted JSON (`unknown`) into typed values while
 * collecting every problem instead of stopping at the first. Each reader
 * treats `undefined` and `null` as "absent" (Jackson, which Helios uses, does
 * the same) and returns `undefined` for absent or ill-typed values, having
 * recorded a problem for the latter.
 */
export type JsonObject = Readonly<Record<string, unknown>>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `ports.http.internalPort`, `volumes["/data:ro"]`, `command[0]`: readable and unambiguous. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (!IDENTIFIER.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

export function addProblem(problems: Problem[], path: string, message: string): void {
  problems.push({ path, message });
}

export function readObject(value: unknown, path: string, problems: Problem[]): JsonObject | undefined {
  if (isAbsent(value)) return undefined;
  if (isJsonObject(value)) return value;
  addProblem(problems, path, 'must be an object');
  return undefined;
}

export function readString(value: unknown, path: string, problems: Problem[]): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'string') return value;
  addProblem(problems, path, 'must be a string');
  return undefined;
}

export function readBoolean(value: unknown, path: string, problems: Problem[]): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'boolean') return value;
  addProblem(problems, path, 'must be a boolean');
  return undefined;
}

export interface IntegerBounds {
  readonly min?: number;
  readonly max?: number;
}

function boundsText(bounds: IntegerBounds): string {
  if (bounds.min === 1 && bounds.max === undefined) return 'a positive integer';
  if (bounds.min === 0 && bounds.max === undefined) return 'a non-negative integer';
  return 'an integer';
}

/** Integers only (no numeric strings, no fractions): JSON numbers above 2^53 are not integers we can trust. */
export function readInteger(
  value: unknown,
  path: string,
  problems: Problem[],
  bounds: IntegerBounds = {},
): number | undefined {
  if (isAbsent(value)) return undefined;
  const inRange =
    typeof value === 'number' &&
    Number.isSafeInteger(value) &&
    (bounds.min === undefined || value >= bounds.min) &&
    (bounds.max === undefined || value <= bounds.max);
  if (inRange) return value;
  addProblem(problems, path, `must be ${boundsText(bounds)}`);
  return undefined;
}

export function readStringArray(value: unknown, path: string, problems: Problem[]): string[] | undefined {
  if (isAbsent(value)) return undefined;
  if (!Array.isArray(value)) {
    addProblem(problems, path, 'must be an array of strings');
    return undefined;
  }
  const items: unknown[] = value;
  const strings: string[] = [];
  items.forEach((item, i) => {
    if (typeof item === 'string') strings.push(item);
    else addProblem(problems, childPath(path, i), 'must be a string');
  });
  return strings;
}

/**
 * A JSON object read entry by entry. Entries whose reader returns undefined
 * are dropped. Built with Object.fromEntries so that a user key such as
 * `__proto__` becomes an ordinary own property.
 */
export function readMap<T>(
  value: unknown,
  path: string,
  problems: Problem[],
  readEntry: (entry: unknown, entryPath: string, key: string) => T | undefined,
): Record<string, T> | undefined {
  const object = readObject(value, path, problems);
  if (object === undefined) return undefined;
  const entries: [string, T][] = [];
  for (const [key, entry] of Object.entries(object)) {
    const read = readEntry(entry, childPath(path, key), key);
    if (read !== undefined) entries.push([key, read]);
  }
  return Object.fromEntries(entries);
}

/** A string → string map; values must be strings (Helios's Jackson would coerce numbers, we report them). */
export function readStringMap(value: unknown, path: string, problems: Problem[]): Record<string, string> | undefined {
  return readMap(value, path, problems, (entry, entryPath) => {
    if (typeof entry === 'string') return entry;
    addProblem(problems, entryPath, 'must be a string');
    return undefined;
  });
}

/** Paths of the properties of `object` that are not in `known`. */
export function unknownProperties(object: JsonObject, known: readonly string[], path: string): string[] {
  return Object.keys(object)
    .filter((key) => !known.includes(key))
    .map((key) => childPath(path, key));
}
