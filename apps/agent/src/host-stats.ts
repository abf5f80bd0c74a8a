import type { HostStats } from '@berth/contracts';
import { freemem, loadavg, totalmem } from 'node:os';

/** Where the numbers come from: node:os, or a test's own. */
export interface HostStatsSource {
  loadavg(): number[];
  totalmem(): number;
  freemem(): number;
}

const OS: HostStatsSource = { loadavg, totalmem, freemem };

/**
 * The host's load averages and memory now, for the next heartbeat (Helios's
 * LOAD AVG and MEM USAGE). A platform without load averages (Windows
 * reports zeros) sends zeros, as Node gives them.
 */
export function measureHostStats(source: HostStatsSource = OS): HostStats {
  const [one = 0, five = 0, fifteen = 0] = source.loadavg();
  const total = source.totalmem();
  return { loadAvg: [one, five, fifteen], memoryTotalBytes: total, memoryFreeBytes: Math.min(source.freemem(), total) };
}
