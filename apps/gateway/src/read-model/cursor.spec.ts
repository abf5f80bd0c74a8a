import fc from 'fast-check';
import { BerthError } from '@berth/scheduler-client';
import { decodeCursor, encodeCursor, paginate, paginateKeys } from './cursor';

const ids = ['a:1', 'b:1', 'c:1', 'd:1', 'e:1'];
const key = (s: string) => s;

describe('cursors', () => {
  it('round-trips string and numeric keys and is opaque', () => {
    expect(decodeCursor(encodeCursor('web:1:abc'))).toBe('web:1:abc');
    expect(decodeCursor(encodeCursor(42))).toBe(42);
    expect(encodeCursor('web:1')).not.toContain('web');
  });

  it.each(['', 'not-base64!', Buffer.from('{"x":1}').toString('base64url'), Buffer.from('{"k":1.5}').toString('base64url')])('rejects %j as INVALID_REQUEST', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }) as BerthError);
  });

  it('walks every item once, in order, page by page', () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = paginate(ids, key, 2, after);
      expect(page.totalCount).toBe(5);
      seen.push(...page.items);
      after = page.nextCursor;
      pages++;
    } while (after !== undefined);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
    // GraphQL clients ask for the first page with `after: null`
    expect(paginate(ids, key, 2, null)).toEqual(paginate(ids, key, 2));
  });

  it('resumes after the cursor key even when that item is gone', () => {
    const page = paginate(['a:1', 'c:1', 'd:1'], key, 10, encodeCursor('b:1'));
    expect(page.items).toEqual(['c:1', 'd:1']);
    expect(page.nextCursor).toBeUndefined();
  });

  it('gives no next cursor on an exactly full last page', () => {
    expect(paginate(ids, key, 5).nextCursor).toBeUndefined();
    expect(paginate(ids, key, 4).nextCursor).toBe(encodeCursor('d:1'));
  });

  it.each([0, -1, 1001, 1.5])('rejects first = %p', (first) => {
    expect(() => paginate(ids, key, first)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }) as BerthError);
  });

  it('pages keys like paginate pages whole rows, building rows for the page alone', () => {
    const keys = fc.uniqueArray(fc.string({ maxLength: 4 }), { maxLength: 40 }).map((ks) => ks.sort());
    fc.assert(
      fc.property(keys, fc.integer({ min: 1, max: 12 }), fc.option(fc.string({ maxLength: 4 }), { nil: undefined }), (sorted, first, afterKey) => {
        const rows = sorted.map((k) => ({ id: k, built: true }));
        const after = afterKey === undefined ? undefined : encodeCursor(afterKey);
        const asked: string[][] = [];
        const page = paginateKeys(sorted, (ks) => (asked.push(ks), ks.map((k) => ({ id: k, built: true }))), first, after);
        expect(page).toEqual(paginate(rows, (row) => row.id, first, after));
        expect(asked).toEqual([page.items.map((row) => row.id)]);
      }),
    );
  });

  it('rejects a bad page size or cursor from paginateKeys as paginate does, before building any row', () => {
    const rowsOf = jest.fn((ks: string[]) => ks);
    expect(() => paginateKeys(ids, rowsOf, 0)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }) as BerthError);
    expect(() => paginateKeys(ids, rowsOf, 2, 'not-base64!')).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }) as BerthError);
    expect(rowsOf).not.toHaveBeenCalled();
  });
});
