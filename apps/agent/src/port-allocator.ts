import type { Job, PortRange } from '@berth/domain';

/**
 * Host ports for every port of a job: static ones from the job, dynamic ones
 * as the scheduler allocated them, else as this host used them before (kept
 * across restarts), else the first free one of the agent's range (half-open:
 * `range.to` itself is never handed out).
 */
export function resolvePorts(
  job: Pick<Job, 'ports'>,
  allocated: Readonly<Record<string, number>>,
  previous: Readonly<Record<string, number>> | undefined,
  inUse: ReadonlySet<number>,
  range: PortRange,
): Record<string, number> {
  const ports: Record<string, number> = {};
  const taken = new Set(inUse);
  const pending: string[] = [];
  for (const [name, mapping] of Object.entries(job.ports)) {
    const port = mapping.externalPort ?? allocated[name] ?? previous?.[name];
    if (port === undefined) pending.push(name);
    else {
      ports[name] = port;
      taken.add(port);
    }
  }
  let candidate = range.from;
  for (const name of pending) {
    while (candidate < range.to && taken.has(candidate)) candidate++;
    // None left: the name stays unallocated and the task fails with a clear error.
    if (candidate >= range.to) break;
    ports[name] = candidate;
    taken.add(candidate++);
  }
  return ports;
}
