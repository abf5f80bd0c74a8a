import {
  DomainError,
  ErrorCode,
  compareNatural,
  formatSelector,
  groupMatches,
  naturalSort,
  rolloutHostRows,
  type DeploymentGroup,
  type HostStep,
  type Rollout,
  type RolloutHost,
} from '@berth/domain';
import { BerthView, type BerthProjection } from './berth-projection';

/** A deployment group as list/inspect show it: the aggregate's state plus its selectors as text. */
export interface DeploymentGroupRow extends DeploymentGroup {
  readonly selectorText: readonly string[];
}

/** Helios's `deployment-group-status` table: one row per matching UP host. */
export interface GroupHostRow {
  readonly host: string;
  /** The host runs the group's job, owned by the group, with goal START. */
  readonly upToDate: boolean;
  /** The group's job on the host (the group's current job if present, else another job the group owns there). */
  readonly job?: string;
  /** Last reported task state of that job; UNKNOWN until the agent reports. */
  readonly state?: string;
}

export interface DeploymentGroupStatus {
  readonly name: string;
  readonly status: DeploymentGroup['status'];
  readonly error?: string;
  readonly jobId?: string;
  readonly rolloutId?: string;
  readonly reason?: DeploymentGroup['reason'];
  readonly lastStableJobId?: string;
  readonly hosts: GroupHostRow[];
}

/** How many registered hosts match a group's selectors now, and how many of them are UP. */
export interface GroupHostCounts {
  readonly matching: number;
  readonly up: number;
}

/** Hosts at each step, and (`failedBeforeRevert`) how many failed on the rollout's job before a revert started over. */
export type RolloutProgress = Readonly<Record<HostStep, number>> & { readonly total: number; readonly failedBeforeRevert: number };

export interface RolloutSummary {
  readonly rolloutId: string;
  readonly group: string;
  readonly jobId: string;
  readonly targetJobId: string;
  readonly reason: Rollout['reason'];
  readonly status: Rollout['status'];
  readonly paused: boolean;
  readonly promoted: boolean;
  readonly error?: string;
  readonly startedAt: string;
  readonly progress: RolloutProgress;
}

export interface RolloutHostRow {
  readonly host: string;
  readonly step: HostStep;
  readonly canary: boolean;
  readonly up: boolean;
  readonly targetRunning: boolean;
  /** The target's image is on the host (its agent answered PrepareImage with PULLED); prestaging rollouts only. */
  readonly imagePulled: boolean;
  /** Why the agent could not get the image (`IMAGE_MISSING: …`), until it has it. */
  readonly imageError?: string;
  readonly failure?: RolloutHost['failure'];
  /** How the host failed on the rollout's job before a revert (the rollout's own failure; `failure` is the revert's). */
  readonly failureBeforeRevert?: RolloutHost['failure'];
  readonly deployRequestedAt?: string;
  readonly runningSince?: string;
  /** Came back during a plan's rollout and was started on the most popular version, until its turn. */
  readonly interimJobId?: string;
}

/** Which host rows a page holds: those after `after` in natural order, at most `limit`, their JSON under `maxChars`. */
export interface RolloutHostsPageRequest {
  readonly after?: string;
  readonly limit: number;
  readonly maxChars: number;
}

/** A rollout with one page of its hosts' rows; `nextHostsAfter` when more remain (ask again with it as `after`). */
export interface RolloutPage {
  readonly rollout: RolloutDetail;
  readonly nextHostsAfter?: string;
}

export interface RolloutDetail extends RolloutSummary {
  readonly options: Rollout['options'];
  readonly limits: Rollout['limits'];
  readonly revertTo?: string;
  readonly batches: number;
  /** The rollout's hosts in natural order, with their step: every one, or one page (`rolloutPage`). */
  readonly hosts: RolloutHostRow[];
}

const STEPS: readonly HostStep[] = ['PENDING', 'UP_TO_DATE', 'DEPLOYING', 'HEALTHY', 'FAILED', 'SKIPPED'];

function groupNotFound(name: string): DomainError {
  return new DomainError(ErrorCode.DEPLOYMENT_GROUP_NOT_FOUND, `Deployment group not found: ${name}`, { name });
}

function progressOf(rollout: Rollout): RolloutProgress {
  const counts: Record<string, number> = Object.fromEntries(STEPS.map((step) => [step, 0]));
  const rows = rolloutHostRows(rollout);
  let failedBeforeRevert = 0;
  for (const row of rows) {
    counts[row.step] = (counts[row.step] ?? 0) + 1;
    if (row.failureBeforeRevert !== undefined) failedBeforeRevert += 1;
  }
  return { ...(counts as Record<HostStep, number>), total: rows.length, failedBeforeRevert };
}

function summaryOf(rollout: Rollout): RolloutSummary {
  const { rolloutId, group, jobId, targetJobId, reason, status, paused, promoted, startedAt } = rollout;
  return {
    rolloutId,
    group,
    jobId,
    targetJobId,
    reason,
    status,
    paused,
    promoted,
    ...(rollout.error === undefined ? {} : { error: rollout.error }),
    startedAt,
    progress: progressOf(rollout),
  };
}

/** Index of the first of `names` (in natural order) after `after`. */
function firstAfter(names: readonly string[], after: string): number {
  let low = 0;
  let high = names.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareNatural(names[mid] ?? '', after) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * One page of a rollout's host rows: after `after` in natural order (the
 * rows' own order), at most `limit` of them and — at least one row — not
 * past `maxChars` of JSON; `next` is the last row's host when more remain.
 */
export function rolloutHostsPage(rollout: Rollout, page: RolloutHostsPageRequest): { rows: RolloutHostRow[]; next?: string } {
  const rows = rolloutHostRows(rollout);
  const from = page.after === undefined ? 0 : firstAfter(rollout.order, page.after);
  const taken: RolloutHostRow[] = [];
  let chars = 0;
  for (let i = from; i < rows.length && taken.length < page.limit; i += 1) {
    const row = hostRowOf(rows[i] as RolloutHost);
    chars += JSON.stringify(row).length + 1;
    if (taken.length > 0 && chars > page.maxChars) break;
    taken.push(row);
  }
  const last = taken.at(-1);
  return from + taken.length < rows.length && last !== undefined ? { rows: taken, next: last.host } : { rows: taken };
}

function hostRowOf(row: RolloutHost): RolloutHostRow {
  return {
    host: row.host,
    step: row.step,
    canary: row.canary,
    up: row.up,
    targetRunning: row.targetRunning,
    imagePulled: row.imagePulled,
    ...(row.imageError === undefined ? {} : { imageError: row.imageError }),
    ...(row.failure === undefined ? {} : { failure: row.failure }),
    ...(row.failureBeforeRevert === undefined ? {} : { failureBeforeRevert: row.failureBeforeRevert }),
    ...(row.deployRequestedAt === undefined ? {} : { deployRequestedAt: row.deployRequestedAt }),
    ...(row.runningSince === undefined ? {} : { runningSince: row.runningSince }),
    ...(row.interimJobId === undefined ? {} : { interimJobId: row.interimJobId }),
  };
}

function detailOf(rollout: Rollout, hosts: RolloutHostRow[]): RolloutDetail {
  return {
    ...summaryOf(rollout),
    options: rollout.options,
    limits: rollout.limits,
    ...(rollout.revertTo === undefined ? {} : { revertTo: rollout.revertTo }),
    batches: rollout.batches,
    hosts,
  };
}

/** Read questions about deployment groups and rollouts, over the shared projection. */
export class DeploymentGroupQueries {
  private readonly view: BerthView;

  constructor(projection: BerthProjection) {
    this.view = new BerthView(projection);
  }

  /** Every group, sorted by name (Helios's `list-deployment-groups`). */
  groups(): DeploymentGroupRow[] {
    return naturalSort(this.view.groups().map((group) => group.name)).map((name) => this.group(name));
  }

  group(name: string): DeploymentGroupRow {
    const group = this.view.group(name);
    if (group === undefined) throw groupNotFound(name);
    return { ...group, selectorText: group.selectors.map(formatSelector) };
  }

  status(name: string): DeploymentGroupStatus {
    const group = this.view.group(name);
    if (group === undefined) throw groupNotFound(name);
    const hosts = naturalSort(this.view.hosts().filter((h) => h.status === 'UP' && groupMatches(group, h.labels)).map((h) => h.host));
    const optional = <K extends keyof DeploymentGroup>(key: K) => (group[key] === undefined ? {} : { [key]: group[key] });
    return {
      name: group.name,
      status: group.status,
      ...optional('error'),
      ...optional('jobId'),
      ...optional('rolloutId'),
      ...optional('reason'),
      ...optional('lastStableJobId'),
      hosts: hosts.map((host) => this.groupHostRow(group, host)),
    };
  }

  /** Hosts matching the group's selectors now (a group that matches none rolls out to nothing); undefined for a group that does not exist. */
  hostCounts(name: string): GroupHostCounts | undefined {
    const group = this.view.group(name);
    if (group === undefined) return undefined;
    let matching = 0;
    let up = 0;
    for (const host of this.view.hosts()) {
      if (!groupMatches(group, host.labels)) continue;
      matching += 1;
      if (host.status === 'UP') up += 1;
    }
    return { matching, up };
  }

  /** Rollouts, oldest first; only those of `group` when given. */
  rollouts(group?: string): RolloutSummary[] {
    return this.view
      .rollouts()
      .filter((rollout) => group === undefined || rollout.group === group)
      .sort((a, b) => (a.startedAt === b.startedAt ? (a.rolloutId < b.rolloutId ? -1 : 1) : a.startedAt < b.startedAt ? -1 : 1))
      .map(summaryOf);
  }

  /** A rollout without its per-host rows: a few hundred bytes at any fleet size (answers to changes stay under NATS's 1 MB). */
  rolloutSummary(id: string): RolloutSummary {
    return summaryOf(this.existingRollout(id));
  }

  rollout(id: string): RolloutDetail {
    const rollout = this.existingRollout(id);
    return detailOf(rollout, rolloutHostRows(rollout).map(hostRowOf));
  }

  /** The rollout with one page of its host rows (NATS answers: a whole 10,000-host rollout is over 1 MB). */
  rolloutPage(id: string, page: RolloutHostsPageRequest): RolloutPage {
    const rollout = this.existingRollout(id);
    const { rows, next } = rolloutHostsPage(rollout, page);
    return { rollout: detailOf(rollout, rows), ...(next === undefined ? {} : { nextHostsAfter: next }) };
  }

  private existingRollout(id: string): Rollout {
    const rollout = this.view.rollout(id);
    if (rollout === undefined) throw new DomainError(ErrorCode.ROLLOUT_NOT_FOUND, `Rollout not found: ${id}`, { rolloutId: id });
    return rollout;
  }

  private groupHostRow(group: DeploymentGroup, host: string): GroupHostRow {
    const deployments = Object.values(this.view.deployments(host).deployments).filter((d) => d.deploymentGroupName === group.name);
    const current = deployments.find((d) => d.jobId === group.jobId) ?? deployments[0];
    if (current === undefined) return { host, upToDate: false };
    return {
      host,
      upToDate: current.jobId === group.jobId && current.goal === 'START',
      job: current.jobId,
      state: current.lastStatus?.state ?? 'UNKNOWN',
    };
  }
}
