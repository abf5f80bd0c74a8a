import { DomainError, ErrorCode } from '../errors';
import { formatPortRange, type PortRange } from '../host/port-range';
import type { Job, PortProtocol } from '../job/job';

/**
 * Host ports of one host's deployments. The scheduler, not the agent,
 * allocates dynamic ports, and records them in the JobDeployed event, so a
 * job keeps its ports across agent and scheduler restarts and a replay gives
 * the same allocation.
 */
export interface PortUse {
  readonly port: number;
  readonly protocol: PortProtocol;
  readonly jobId: string;
}

export interface PortAllocation {
  /** Port name → host port, static and dynamic. */
  readonly ports: Readonly<Record<string, number>>;
  /** Port name → protocol, so conflicts can be checked without the job. */
  readonly protocols: Readonly<Record<string, PortProtocol>>;
}

function byName<T>(record: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** PORT_CONFLICT for the first static port (by port name) already used with the same protocol on this host. */
function assertNoStaticConflict(host: string, job: Job, used: readonly PortUse[]): void {
  for (const [name, mapping] of byName(job.ports)) {
    const port = mapping.externalPort;
    if (port === undefined) continue;
    const taken = used.find((use) => use.port === port && use.protocol === mapping.protocol);
    if (taken) {
      throw new DomainError(
        ErrorCode.PORT_CONFLICT,
        `Port ${port}/${mapping.protocol} of ${job.id} on host ${host} is already used by ${taken.jobId}`,
        { host, jobId: job.id, portName: name, port, protocol: mapping.protocol, conflictingJobId: taken.jobId },
      );
    }
  }
}

/**
 * The job's host ports on this host: static ports as written (PORT_CONFLICT
 * if one is taken for its protocol), each dynamic port (in port-name order)
 * the lowest port of `range` that no deployment on the host uses in any
 * protocol — never reusing a number keeps agents and firewalls simple.
 * PORT_RANGE_EXHAUSTED when the range runs out.
 */
export function allocatePorts(host: string, job: Job, used: readonly PortUse[], range: PortRange): PortAllocation {
  assertNoStaticConflict(host, job, used);
  const taken = new Set(used.map((use) => use.port));
  for (const mapping of Object.values(job.ports)) {
    if (mapping.externalPort !== undefined) taken.add(mapping.externalPort);
  }
  const entries: [string, number][] = [];
  let next = range.from;
  for (const [name, mapping] of byName(job.ports)) {
    if (mapping.externalPort !== undefined) {
      entries.push([name, mapping.externalPort]);
      continue;
    }
    while (next < range.to && taken.has(next)) next += 1;
    if (next >= range.to) {
      throw new DomainError(ErrorCode.PORT_RANGE_EXHAUSTED, `No free port in ${formatPortRange(range)} on host ${host} for ${job.id}`, {
        host,
        jobId: job.id,
        portName: name,
        portRange: range,
      });
    }
    taken.add(next);
    entries.push([name, next]);
  }
  return {
    ports: Object.fromEntries(entries),
    protocols: Object.fromEntries(byName(job.ports).map(([name, mapping]) => [name, mapping.protocol])),
  };
}
