import { ErrorCode } from '@berth/contracts';
import { gatewayError } from '../errors/error-mapping';

/**
 * Opaque cursors: base64url of `{"k": <key of the last item seen>}`. Keys are
 * job ids or event positions, so a page stays stable while items are added.
 */
export function encodeCursor(key: string | number): string {
  return Buffer.from(JSON.stringify({ k: key }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string | number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const key = (parsed as { k?: unknown } | null)?.k;
    if (typeof key === 'string' || (typeof key === 'number' && Number.isInteger(key))) return key;
  } catch {
    // fall through: the same error for every malformed cursor
  }
  throw gatewayError(ErrorCode.INVALID_REQUEST, `invalid cursor: ${cursor}`, { cursor });
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface Page<T> {
  readonly items: T[];
  /** pass as `after` for the next page; absent on the last page */
  readonly nextCursor?: string;
  readonly totalCount: number;
}

/**
 * One page of `items` (already sorted by `keyOf`, ascending): the first
 * `first` items whose key is after the cursor's.
 */
export function paginate<T>(items: readonly T[], keyOf: (item: T) => string | number, first = DEFAULT_PAGE_SIZE, after?: string | null): Page<T> {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw gatewayError(ErrorCode.INVALID_REQUEST, `first must be between 1 and ${MAX_PAGE_SIZE}`, { first });
  }
  // GraphQL clients send `after: null` for the first page
  const afterKey = after === undefined || after === null ? undefined : decodeCursor(after);
  const start = afterKey === undefined ? 0 : firstIndexAfter(items, keyOf, afterKey);
  const page = items.slice(start, start + first);
  const last = page[page.length - 1];
  const more = start + first < items.length;
  return { items: page, ...(more && last !== undefined ? { nextCursor: encodeCursor(keyOf(last)) } : {}), totalCount: items.length };
}

/**
 * `paginate` over sorted `keys`, then `rowsOf` for the page's keys alone:
 * a page costs its own rows, not a row for every item.
 */
export function paginateKeys<K extends string | number, T>(keys: readonly K[], rowsOf: (keys: K[]) => T[], first = DEFAULT_PAGE_SIZE, after?: string | null): Page<T> {
  const page = paginate(keys, (key) => key, first, after);
  return { ...page, items: rowsOf(page.items) };
}

function firstIndexAfter<T>(items: readonly T[], keyOf: (item: T) => string | number, key: string | number): number {
  // binary search: keys are sorted ascending
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyOf(items[mid] as T) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
