import type { GroupHostView, GroupStatusView, GroupView, RolloutHostView, RolloutView } from '../group-queries';
import { formatTable, formatTimestamp, shortJobId } from '../table';

/** `k = v` → `k=v` and `k != v` → `k!=v`, as Helios writes labels; set selectors stay as they are. */
export function compactSelector(text: string): string {
  return text.replace(/^(\S+) (!?=) (.*)$/, '$1$2$3');
}

/** Helios's "Creating deployment group: {json}" line: keys sorted, selectors as typed. */
export function creatingGroupLine(name: string, selectors: readonly string[]): string {
  return `Creating deployment group: ${JSON.stringify({ name, selectors })}`;
}

/** `3 matching (2 UP)`, `none match` */
export function hostCountText(counts: GroupView['hostCounts']): string {
  if (!counts) return '-';
  return counts.matching === 0 ? 'none match' : `${counts.matching} matching (${counts.up} UP)`;
}

/** The warning for a group whose selectors match no host: a rolling update to it deploys nothing (until a host matches). */
export function noHostsWarning(group: Pick<GroupView, 'name' | 'selectors'>, jobId?: string): string {
  const job = jobId ? `; hosts that match later get ${jobId}` : '';
  return `Warning: deployment group ${group.name} matches no host (${group.selectors.map(compactSelector).join(', ')}): nothing was deployed${job}. Check the selectors and the hosts' labels (berth hosts).`;
}

/** Helios's inspect-deployment-group: Name, Labels (one per line, aligned, sorted), Job; then how many hosts match now. */
export function formatGroupDetails(group: GroupView): string {
  const labels = group.selectors.map(compactSelector).sort();
  const [first = '', ...rest] = labels;
  const hosts = group.hostCounts ? [`Hosts: ${hostCountText(group.hostCounts)}`] : [];
  return [`Name: ${group.name}`, `Labels: ${first}`.trimEnd(), ...rest.map((l) => `        ${l}`), `Job: ${group.jobId ?? ''}`.trimEnd(), ...hosts].join('\n');
}

/** list-deployment-groups --long: a row per group with its host counts, status and job. */
export function formatGroupsTable(groups: readonly GroupView[], full: boolean): string {
  const rows = groups.map((g) => [g.name, g.hostCounts ? String(g.hostCounts.matching) : '-', g.hostCounts ? String(g.hostCounts.up) : '-', g.status, g.jobId ? shortJobId(g.jobId, full) : '-']);
  return formatTable(['NAME', 'HOSTS', 'UP', 'STATUS', 'JOB ID'], rows);
}

function hostRow(row: GroupHostView, full: boolean): string[] {
  return [row.host, row.upToDate ? 'X' : '', row.job ? shortJobId(row.job, full) : '-', row.state ?? '-'];
}

/** Helios's deployment-group-status: Name, Job Id, Status (and Error), then HOST UP-TO-DATE JOB STATE. */
export function formatGroupStatus(status: GroupStatusView, full: boolean): string {
  const head = [`Name: ${status.name}`, `Job Id: ${status.jobId ?? ''}`.trimEnd(), `Status: ${status.status}`];
  if (status.error) head.push(`Error: ${status.error}`);
  const table = formatTable(['HOST', 'UP-TO-DATE', 'JOB', 'STATE'], status.hosts.map((h) => hostRow(h, full)));
  return [...head, '', table, ...(status.hosts.length === 0 ? ['(no UP host matches the group: berth inspect-deployment-group shows its selectors)'] : [])].join('\n');
}

/**
 * `3/3`, with failed and skipped hosts named when there are any. A revert
 * counts its own steps (hosts back on the stable job), so a reverting or
 * reverted rollout says so instead of a count that would read as done:
 * `reverting 1/3 (1 failed)`, `reverted (1 failed)`.
 */
export function progressLabel(rollout: Pick<RolloutView, 'progress' | 'status'>): string {
  const { healthy, upToDate, failed, skipped, total } = rollout.progress;
  const failedOnJob = rollout.progress.failedBeforeRevert ?? 0;
  const reverting = rollout.status === 'REVERTING' || rollout.status === 'REVERTED';
  const failures = reverting ? failedOnJob + failed : failed;
  const extra = [failures > 0 ? `${failures} failed` : '', skipped > 0 ? `${skipped} skipped` : ''].filter(Boolean);
  const suffix = extra.length > 0 ? ` (${extra.join(', ')})` : '';
  if (total === 0) return '0/0 (no hosts)';
  if (rollout.status === 'REVERTED') return `reverted${suffix}`;
  if (rollout.status === 'REVERTING') return `reverting ${healthy + upToDate}/${total}${suffix}`;
  return `${healthy + upToDate}/${total}${suffix}`;
}

/** A rollout's status with its flags: `ROLLING_OUT (paused)`. */
export function rolloutStatusLabel(rollout: Pick<RolloutView, 'status' | 'paused'>): string {
  return rollout.paused && !['SUCCEEDED', 'FAILED', 'REVERTED'].includes(rollout.status) ? `${rollout.status} (paused)` : rollout.status;
}

/** Like Nomad's deployment Description: why a rollout failed or was reverted (the hosts and their exit codes), last so it may be long. */
export function formatRolloutsTable(rollouts: readonly RolloutView[], full: boolean): string {
  const rows = rollouts.map((r) => [r.rolloutId, r.group, shortJobId(r.jobId, full), r.reason, rolloutStatusLabel(r), progressLabel(r), formatTimestamp(r.startedAt), r.error ?? '']);
  return formatTable(['ROLLOUT ID', 'GROUP', 'JOB ID', 'REASON', 'STATUS', 'PROGRESS', 'STARTED', 'ERROR'], rows);
}

function describeFailure(host: string, failure: { readonly reason: string; readonly message: string }): string {
  return `${failure.reason}: ${failure.message.replace(`${host}: `, '')}`;
}

/** Why the host failed: in the revert, else on the rollout's job before the revert (`… (before the revert)`). */
function failureText(host: RolloutHostView): string {
  if (host.failure) return describeFailure(host.host, host.failure);
  return host.failureBeforeRevert ? `${describeFailure(host.host, host.failureBeforeRevert)} (before the revert)` : '';
}

/** A rollout with its per-host progress. */
export function formatRolloutDetails(rollout: RolloutView): string {
  const head = [
    `Rollout: ${rollout.rolloutId}`,
    `Group: ${rollout.group}`,
    `Job Id: ${rollout.jobId}`,
    ...(rollout.targetJobId !== rollout.jobId ? [`Target: ${rollout.targetJobId}`] : []),
    `Reason: ${rollout.reason}`,
    `Status: ${rolloutStatusLabel(rollout)}`,
    ...(rollout.error ? [`Error: ${rollout.error}`] : []),
    `Started: ${formatTimestamp(rollout.startedAt)}`,
    `Progress: ${progressLabel(rollout)}`,
  ];
  const rows = (rollout.hosts ?? []).map((h) => [h.host, h.state, h.batch == null ? '-' : String(h.batch), h.canary ? 'X' : '', h.up ? 'UP' : 'DOWN', failureText(h)]);
  return [...head, '', formatTable(['HOST', 'STATE', 'BATCH', 'CANARY', 'HOST STATUS', 'FAILURE'], rows)].join('\n').replace(/\n$/, '');
}

const RUNNING_STEPS = new Set(['HEALTHY', 'UP_TO_DATE']);

/** The Helios line label a host's state earns: RUNNING once healthy or already up to date, FAILED, SKIPPED; none while on its way. */
function lineLabel(state: string): string | undefined {
  if (RUNNING_STEPS.has(state)) return 'RUNNING';
  return state === 'FAILED' || state === 'SKIPPED' ? state : undefined;
}

/**
 * Turns rolloutProgress updates into Helios's rolling-update lines: one
 * `host -> RUNNING (n/total)` when a host gets there (FAILED and SKIPPED
 * likewise), plus a line when the rollout waits for promotion, pauses,
 * resumes or reverts. Feeding it the same state twice prints nothing.
 *
 * A revert starts the count again over the hosts it has to put back on the
 * stable job (`host -> RUNNING on <job> (n/m)`); hosts it leaves alone (they
 * never left the stable job) get no line.
 */
export class RolloutLinePrinter {
  private readonly reported = new Map<string, string>();
  private lastPhase = '';
  /** hosts a revert has to put back, once one has started */
  private revertTotal: number | undefined;

  constructor(private readonly print: (line: string) => void) {}

  update(rollout: RolloutView): void {
    const hosts = rollout.hosts ?? [];
    if (this.revertTotal === undefined && (rollout.status === 'REVERTING' || rollout.status === 'REVERTED')) {
      // the failure that started the revert may come in the same update as the revert itself
      for (const host of hosts) {
        if (!host.failureBeforeRevert || this.reported.get(host.host) === 'FAILED') continue;
        this.reported.set(host.host, 'FAILED');
        this.print(`${host.host} -> FAILED (${this.reported.size}/${rollout.progress.total}): ${describeFailure(host.host, host.failureBeforeRevert)}`);
      }
      this.reported.clear();
      for (const host of hosts) {
        const label = lineLabel(host.state);
        if (label !== undefined) this.reported.set(host.host, label);
      }
      this.revertTotal = hosts.length - this.reported.size;
    }
    const baseline = this.revertTotal === undefined ? 0 : hosts.length - this.revertTotal;
    for (const host of hosts) {
      const label = lineLabel(host.state);
      if (label === undefined || this.reported.get(host.host) === label) continue;
      this.reported.set(host.host, label);
      const why = label === 'FAILED' ? `: ${failureText(host)}` : label === 'SKIPPED' ? ': host is DOWN' : '';
      const count = this.revertTotal === undefined ? `(${this.reported.size}/${rollout.progress.total})` : `on ${rollout.targetJobId} (${this.reported.size - baseline}/${this.revertTotal})`;
      this.print(`${host.host} -> ${label} ${count}${why}`);
    }
    const phase = this.phaseLine(rollout);
    if (phase !== this.lastPhase) {
      this.lastPhase = phase;
      if (phase) this.print(phase);
    }
  }

  private phaseLine(rollout: RolloutView): string {
    if (rollout.finished) return '';
    if (rollout.paused) return 'Paused (berth resume to carry on).';
    if (rollout.status === 'AWAITING_PROMOTION') return `Canaries are healthy: waiting for promotion (berth promote ${rollout.rolloutId}).`;
    if (rollout.status === 'REVERTING') return `Reverting to ${rollout.targetJobId}${rollout.error ? `: ${rollout.error}` : ''}`;
    if (rollout.status === 'PRESTAGING') return prestageLine(rollout);
    return '';
  }
}

/**
 * `Prestaging the image: 2 of 3 hosts needed have it…`, and the hosts that
 * could not get it (`; h3: IMAGE_MISSING: …`): a new line at each change.
 */
export function prestageLine(rollout: Pick<RolloutView, 'hosts' | 'limits'>): string {
  const quorum = rollout.limits?.['prestageQuorum'];
  if (typeof quorum !== 'number' || !rollout.hosts) return 'Prestaging the image on every host…';
  const pulled = rollout.hosts.filter((h) => h.imagePulled === true).length;
  const errors = rollout.hosts.flatMap((h) => (h.imageError ? [`; ${h.host}: ${h.imageError}`] : []));
  return `Prestaging the image: ${pulled} of ${quorum} hosts needed have it…${errors.join('')}`;
}

/** `Duration: 4.00 s` */
export function durationLine(ms: number): string {
  return `Duration: ${(ms / 1000).toFixed(2)} s`;
}

/** watch-deployment-group: a line when the group's status or a host's row changes. */
export class GroupWatchPrinter {
  private readonly last = new Map<string, string>();
  private headerShown = false;

  constructor(
    private readonly print: (line: string) => void,
    private readonly full: boolean,
  ) {}

  update(status: GroupStatusView | null | undefined, name: string, now: number): void {
    const time = formatTimestamp(now);
    const groupKey = status ? `${status.status}|${status.jobId ?? ''}|${status.error ?? ''}` : 'absent';
    if (this.last.get('\u0000group') !== groupKey) {
      this.last.set('\u0000group', groupKey);
      const line = status ? `Status: ${status.status}${status.jobId ? `    Job Id: ${status.jobId}` : ''}${status.error ? `    Error: ${status.error}` : ''}` : `no deployment group ${name}`;
      this.print(`${time}    ${name}    ${line}`);
    }
    for (const row of status?.hosts ?? []) {
      const cells = hostRow(row, this.full);
      const key = cells.join('|');
      if (this.last.get(row.host) === key) continue;
      this.last.set(row.host, key);
      if (!this.headerShown) {
        this.headerShown = true;
        this.print(['TIME'.padEnd(23), 'HOST', 'UP-TO-DATE', 'JOB', 'STATE'].join('    '));
      }
      this.print([time, ...cells].join('    '));
    }
  }
}
