import type { GroupHostStatus, Rollout, RolloutHost } from '../api/types';

/** What a grid cell shows: the rollout's view of the host, refined by the task state its agent last reported. */
export type CellState = 'pending' | 'pulling' | 'deploying' | 'healthchecking' | 'healthy' | 'failed' | 'skipped' | 'down';

export const CELL_STATES: readonly CellState[] = ['pending', 'pulling', 'deploying', 'healthchecking', 'healthy', 'failed', 'skipped', 'down'];

export const CELL_COLOURS: Readonly<Record<CellState, string>> = {
  pending: '#c9ced6',
  pulling: '#8ec5ff',
  deploying: '#2f6fde',
  healthchecking: '#9b59d0',
  healthy: '#2e9e44',
  failed: '#d93025',
  skipped: '#f0b400',
  down: '#3c4043',
};

export interface HostCell {
  readonly host: string;
  readonly state: CellState;
  readonly canary: boolean;
  readonly batch: number | null;
  /** in the newest batch started */
  readonly current: boolean;
  /** the rollout's view of the host and its task state, for the hover line */
  readonly source: RolloutHost;
  readonly task: string | null | undefined;
}

/** The hover line: built for one cell on demand, not for 1,000 on every update. */
export function cellDetail(cell: HostCell): string {
  const h = cell.source;
  const before = h.failureBeforeRevert ? `${h.failureBeforeRevert.reason}: ${h.failureBeforeRevert.message} (before the revert)` : '';
  const parts = [h.state, cell.task ? `task ${cell.task}` : '', h.batch !== null ? `batch ${h.batch}` : '', h.canary ? 'canary' : '', h.up ? '' : 'host DOWN', h.failure ? `${h.failure.reason}: ${h.failure.message}` : '', before];
  return parts.filter(Boolean).join(' · ');
}

/** Task states that mean the container is not serving and will not get there by itself (the rollout fails the host on them). */
const CRASHED_TASK_STATES: ReadonlySet<string> = new Set(['EXITED', 'FAILED']);

function deployingState(taskState: string | null | undefined): CellState {
  if (taskState && CRASHED_TASK_STATES.has(taskState)) return 'failed';
  if (taskState === 'PULLING_IMAGE') return 'pulling';
  if (taskState === 'HEALTHCHECKING') return 'healthchecking';
  return 'deploying';
}

/**
 * A host that failed on the rollout's job stays a failed cell through a
 * revert (which puts it back on the stable job): the rollout failed there.
 */
export function cellStateOf(host: RolloutHost, taskState: string | null | undefined): CellState {
  if (host.failureBeforeRevert) return 'failed';
  switch (host.state) {
    case 'HEALTHY':
    case 'UP_TO_DATE':
      return 'healthy';
    case 'FAILED':
      return 'failed';
    case 'SKIPPED':
      return host.up ? 'skipped' : 'down';
    case 'DEPLOYING':
      return host.up ? deployingState(taskState) : 'down';
    default:
      return host.up ? 'pending' : 'down';
  }
}

/**
 * One cell per rollout host, in the rollout's (natural) order. Task states
 * come from the group status, and only count when they are about the
 * rollout's target job (the old job's RUNNING must not paint a host green).
 */
export function hostCells(rollout: Rollout, groupHosts: readonly GroupHostStatus[] = []): HostCell[] {
  const tasks = new Map(groupHosts.filter((h) => h.job === rollout.targetJobId).map((h) => [h.host, h.state]));
  const hosts = rollout.hosts ?? [];
  const currentBatch = rollout.batches ?? hosts.reduce((max, h) => Math.max(max, h.batch ?? 0), 0);
  return hosts.map((h) => {
    const task = tasks.get(h.host);
    return { host: h.host, state: cellStateOf(h, task), canary: h.canary, batch: h.batch, current: h.batch !== null && h.batch === currentBatch && !rollout.finished, source: h, task };
  });
}

export function countCells(cells: readonly HostCell[]): Record<CellState, number> {
  const counts = Object.fromEntries(CELL_STATES.map((s) => [s, 0])) as Record<CellState, number>;
  for (const cell of cells) counts[cell.state] += 1;
  return counts;
}
