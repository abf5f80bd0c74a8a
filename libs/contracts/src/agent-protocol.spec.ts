import { memoryUsage, readHostStats } from './agent-protocol';

describe('host stats on the heartbeat', () => {
  const good = { loadAvg: [0.52, 0.31, 0.2], memoryTotalBytes: 8_000, memoryFreeBytes: 2_000 };

  it('reads what an agent sends, and MEM USAGE is the share of memory in use', () => {
    const stats = readHostStats(good);
    expect(stats).toEqual(good);
    expect(memoryUsage(stats as NonNullable<typeof stats>)).toBe(0.75);
  });

  it.each([
    ['absent', undefined],
    ['not an object', 'high'],
    ['two load averages', { ...good, loadAvg: [1, 2] }],
    ['a negative load', { ...good, loadAvg: [-1, 0, 0] }],
    ['a load that is not a number', { ...good, loadAvg: ['1', 0, 0] }],
    ['no memory', { ...good, memoryTotalBytes: 0 }],
    ['more free than total', { ...good, memoryFreeBytes: 9_000 }],
    ['memory that is not finite', { ...good, memoryTotalBytes: Infinity }],
  ])('ignores %s (a bad value is never shown)', (_name, value) => {
    expect(readHostStats(value)).toBeUndefined();
  });
});
