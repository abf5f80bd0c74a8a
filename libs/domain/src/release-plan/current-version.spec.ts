import fc from 'fast-check';
import { mostPopularVersion, type CurrentHost } from './current-version';

const on = (host: string, version?: string, online = true): CurrentHost => ({ host, online, ...(version === undefined ? {} : { version }) });

describe('mostPopularVersion', () => {
  it('is the version most online hosts run; offline hosts and hosts without the service do not vote', () => {
    const current = [on('h1', 'a:2'), on('h2', 'a:2'), on('h3', 'a:1'), on('h4', 'a:1', false), on('h5', 'a:1', false), on('h6')];
    expect(mostPopularVersion(current)).toBe('a:2');
  });

  it('is undefined when no online host runs the service', () => {
    expect(mostPopularVersion([])).toBeUndefined();
    expect(mostPopularVersion([on('h1', 'a:1', false), on('h2')])).toBeUndefined();
  });

  it('a tie goes to the version moved away from, never to the one moved to while another is tied, else natural order', () => {
    const tie = [on('h1', 'a:2'), on('h2', 'a:1'), on('h3', 'a:10'), on('h4', 'a:2'), on('h5', 'a:1'), on('h6', 'a:10')];
    expect(mostPopularVersion(tie, { movingFrom: 'a:10', movingTo: 'a:1' })).toBe('a:10');
    expect(mostPopularVersion(tie, { movingTo: 'a:1' })).toBe('a:2');
    expect(mostPopularVersion(tie)).toBe('a:1');
    // the version moved away from wins only a tie
    expect(mostPopularVersion([on('h1', 'a:2'), on('h2', 'a:2'), on('h3', 'a:1')], { movingFrom: 'a:1', movingTo: 'a:2' })).toBe('a:2');
  });

  const versions = fc.constantFrom('s:1', 's:2', 's:3', 's:10');
  const hosts = fc.array(fc.record({ online: fc.boolean(), version: fc.option(versions, { nil: undefined }) }), { maxLength: 30 });
  const current = hosts.map((rows) => rows.map((row, i) => on(`h${i}`, row.version, row.online)));

  it('property: the answer is run by the most online hosts, and by at least one', () => {
    fc.assert(
      fc.property(current, fc.option(versions, { nil: undefined }), fc.option(versions, { nil: undefined }), (rows, movingFrom, movingTo) => {
        const count = (version: string) => rows.filter((row) => row.online && row.version === version).length;
        const answer = mostPopularVersion(rows, { ...(movingFrom === undefined ? {} : { movingFrom }), ...(movingTo === undefined ? {} : { movingTo }) });
        const online = rows.flatMap((row) => (row.online && row.version !== undefined ? [row.version] : []));
        if (online.length === 0) return answer === undefined;
        return answer !== undefined && count(answer) >= 1 && online.every((version) => count(version) <= count(answer));
      }),
    );
  });

  it('property: the answer does not depend on the order of the hosts', () => {
    const withShuffle = current.chain((rows) => fc.tuple(fc.constant(rows), fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length })));
    fc.assert(fc.property(withShuffle, ([rows, shuffled]) => mostPopularVersion(rows, { movingTo: 's:2' }) === mostPopularVersion(shuffled, { movingTo: 's:2' })));
  });
});
