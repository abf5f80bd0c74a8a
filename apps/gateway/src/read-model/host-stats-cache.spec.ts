import { HostStatsCache } from './host-stats-cache';

describe('HostStatsCache', () => {
  const stats = { loadAvg: [0.5, 0.25, 0.1], memoryTotalBytes: 1000, memoryFreeBytes: 250 };
  let now = 0;
  const cache = new HostStatsCache(10_000, () => now);

  it("keeps each host's newest stats from its heartbeat subject, and forgets them once its agent is silent too long", () => {
    cache.record('berth.agent.web-1.heartbeat', { host: 'web-1', agentId: 'a', time: 't', stats });
    now = 5_000;
    cache.record('berth.agent.web-1.heartbeat', { host: 'web-1', agentId: 'a', time: 't', stats: { ...stats, loadAvg: [2, 1, 0.5] } });
    expect(cache.get('web-1')).toEqual({ stats: { ...stats, loadAvg: [2, 1, 0.5] }, receivedAt: 5_000 });
    now = 15_001;
    expect(cache.get('web-1')).toBeUndefined();
  });

  it('ignores heartbeats without stats or with bad ones, and unknown hosts', () => {
    cache.record('berth.agent.web-2.heartbeat', { host: 'web-2', agentId: 'a', time: 't' });
    cache.record('berth.agent.web-2.heartbeat', { host: 'web-2', agentId: 'a', time: 't', stats: { ...stats, memoryFreeBytes: -1 } });
    cache.record('berth.agent.web-2.heartbeat', 'not json');
    expect(cache.get('web-2')).toBeUndefined();
    expect(cache.get('nobody')).toBeUndefined();
  });
});
