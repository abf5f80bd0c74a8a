import { readHostStats } from '@berth/contracts';
import { measureHostStats } from './host-stats';

describe('measureHostStats', () => {
  it('takes the 1/5/15-minute load averages and total and free memory from the source', () => {
    const stats = measureHostStats({ loadavg: () => [1.5, 0.75, 0.25], totalmem: () => 4096, freemem: () => 1024 });
    expect(stats).toEqual({ loadAvg: [1.5, 0.75, 0.25], memoryTotalBytes: 4096, memoryFreeBytes: 1024 });
  });

  it("measures this machine into stats the gateway accepts", () => {
    const stats = measureHostStats();
    expect(readHostStats(JSON.parse(JSON.stringify(stats)))).toEqual(stats);
    expect(stats.memoryTotalBytes).toBeGreaterThan(stats.memoryFreeBytes);
  });
});
