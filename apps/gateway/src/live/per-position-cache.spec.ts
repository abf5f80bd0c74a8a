import { PerPositionCache } from './per-position-cache';

describe('PerPositionCache', () => {
  it('builds a key once per position, and keeps only the current position', () => {
    const cache = new PerPositionCache<{ built: string }>();
    const build = jest.fn((what: string) => ({ built: what }));
    const first = cache.get('rollout-a', 7, () => build('a@7'));
    expect(cache.get('rollout-a', 7, () => build('again'))).toBe(first);
    expect(cache.get('rollout-b', 7, () => build('b@7'))).toEqual({ built: 'b@7' });
    expect(cache.get('rollout-a', 8, () => build('a@8'))).toEqual({ built: 'a@8' });
    // position 7's values are gone: back at 7 (a rebuilt read model) builds anew
    expect(cache.get('rollout-b', 7, () => build('b@7 again'))).toEqual({ built: 'b@7 again' });
    expect(build.mock.calls.map(([what]) => what)).toEqual(['a@7', 'b@7', 'a@8', 'b@7 again']);
  });
});
