import { formatTable, formatTimestamp, shortJobId } from '../table';

export interface PipelineProblem {
  readonly path: string;
  readonly line?: number | null;
  readonly message: string;
}

export interface ReleaseStepView {
  readonly key: string;
  readonly kind: string;
  readonly name: string;
  readonly stage: number;
  readonly status: string;
  readonly rolloutId?: string | null;
  readonly error?: string | null;
  readonly ignored?: boolean | null;
  readonly message?: string | null;
  readonly triggerNextStepManually: boolean;
}

export interface ReleaseView {
  readonly releaseId: string;
  readonly service: string;
  readonly jobId: string;
  readonly group?: string | null;
  readonly status: string;
  readonly finished: boolean;
  readonly stage: number;
  readonly stages: number;
  readonly awaitingTrigger: boolean;
  readonly autoRollback: boolean;
  readonly badGroups: readonly string[];
  readonly error?: string | null;
  readonly rollbackReason?: string | null;
  readonly createdAt: string;
  readonly certifyAt?: string | null;
  readonly abandonAt?: string | null;
  readonly steps: readonly ReleaseStepView[];
  readonly rollback: readonly { group: string; toJobId: string; status: string; rolloutId?: string | null; error?: string | null }[];
}

/** `deploy.yaml:3: pipeline[1]: unknown deployment group "x"`, one problem a line (compiler style). */
export function formatPipelineProblems(file: string, problems: readonly PipelineProblem[]): string {
  return problems
    .map((p) => `${file}${p.line === undefined || p.line === null ? '' : `:${p.line}`}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`)
    .join('\n');
}

function stepLabel(step: ReleaseStepView): string {
  const outcome = step.status === 'FAILED' && step.ignored ? 'FAILED (ignored)' : step.status;
  const detail = step.error ?? step.message;
  return `${outcome}${detail ? ` - ${detail}` : ''}`;
}

function releaseLabel(release: ReleaseView): string {
  if (release.awaitingTrigger) return `${release.status}, waiting for: berth release advance ${release.releaseId}`;
  if (release.status === 'deployed' && release.certifyAt) return `deployed, complete at ${formatTimestamp(release.certifyAt)} (berth release complete ${release.releaseId})`;
  return release.status;
}

export function formatReleaseDetails(release: ReleaseView): string {
  const head = [
    `Release:  ${release.releaseId}`,
    `Service:  ${release.service}`,
    `Job:      ${release.jobId}`,
    ...(release.group ? [`Group:    ${release.group}`] : []),
    `Status:   ${releaseLabel(release)}`,
    `Started:  ${formatTimestamp(release.createdAt)}`,
    ...(release.error ? [`Error:    ${release.error}`] : []),
    ...(release.badGroups.length > 0 ? [`Marked bad for: ${release.badGroups.join(', ')}`] : []),
  ];
  const steps = formatTable(
    ['STAGE', 'STEP', 'KIND', 'STATUS', 'ROLLOUT'],
    release.steps.map((s) => [`${s.stage + 1}${s.triggerNextStepManually ? ' (manual next)' : ''}`, s.name, s.kind, stepLabel(s), s.rolloutId ?? '']),
  );
  const rollback =
    release.rollback.length === 0 ? [] : ['', `Rollback${release.rollbackReason ? ` (${release.rollbackReason})` : ''}:`, formatTable(['GROUP', 'TO JOB', 'STATUS'], release.rollback.map((r) => [r.group, shortJobId(r.toJobId), r.error ? `${r.status} - ${r.error}` : r.status]))];
  return [...head, '', steps, ...rollback].join('\n');
}

export function formatReleasesTable(releases: readonly ReleaseView[]): string {
  return formatTable(
    ['RELEASE', 'SERVICE', 'JOB', 'STATUS', 'STEP', 'STARTED'],
    releases.map((r) => {
      const current = r.steps.filter((s) => s.stage === r.stage).map((s) => s.name).join('+');
      return [r.releaseId, r.service, shortJobId(r.jobId), releaseLabel(r), current, formatTimestamp(r.createdAt)];
    }),
  );
}

/** One line per change of a step or of the release, for --wait-for-deployment. */
export class ReleaseLinePrinter {
  private readonly seen = new Map<string, string>();

  constructor(private readonly print: (line: string) => void) {}

  update(release: ReleaseView): void {
    for (const step of release.steps) this.once(`step:${step.key}`, `${step.name} (${step.kind}): ${stepLabel(step)}`);
    for (const row of release.rollback) this.once(`rollback:${row.group}`, `rollback ${row.group} -> ${shortJobId(row.toJobId)}: ${row.status}`);
    this.once('release', `release: ${releaseLabel(release)}`);
  }

  private once(key: string, line: string): void {
    if (this.seen.get(key) === line) return;
    this.seen.set(key, line);
    this.print(line);
  }
}

export interface ReleasePlanView {
  readonly planId: string;
  readonly status: string;
  readonly error?: string | null;
  readonly levels: readonly (readonly string[])[];
  readonly deployQueue: readonly string[];
  readonly services: readonly { service: string; jobId: string; group: string; quorum?: number | null; dependsOn: readonly string[]; status: string; releaseId?: string | null; releaseStatus?: string | null; error?: string | null }[];
  readonly current: readonly { service: string; hosts: readonly { host: string; online: boolean; version?: string | null }[] }[];
  readonly staging: readonly { service: string; jobId: string; hosts: readonly string[] }[];
}

/** The plan and the datacentre blog's three views: current, staging, deploy queue. */
export function formatReleasePlan(plan: ReleasePlanView): string {
  const services = formatTable(
    ['SERVICE', 'JOB', 'GROUP', 'DEPENDS ON', 'STATUS', 'RELEASE'],
    plan.services.map((s) => [s.service, shortJobId(s.jobId), s.group, s.dependsOn.join(',') || '-', s.error ? `${s.status} - ${s.error}` : s.status, s.releaseId ? `${s.releaseId} (${s.releaseStatus ?? '?'})` : '']),
  );
  const current = plan.current.map((view) => {
    const online = view.hosts.filter((h) => h.online).length;
    const versions = new Map<string, number>();
    for (const h of view.hosts) versions.set(h.version ? shortJobId(h.version) : 'none', (versions.get(h.version ? shortJobId(h.version) : 'none') ?? 0) + 1);
    const offline = view.hosts.filter((h) => !h.online).map((h) => h.host);
    return `  ${view.service}: ${online}/${view.hosts.length} online; ${[...versions].map(([v, n]) => `${v} on ${n}`).join(', ')}${offline.length > 0 ? `; offline: ${offline.join(', ')}` : ''}`;
  });
  const staging = plan.staging.map((view) => `  ${view.service}: ${shortJobId(view.jobId)} staged on ${view.hosts.length} host${view.hosts.length === 1 ? '' : 's'}`);
  return [
    `Release plan ${plan.planId}: ${plan.status}${plan.error ? ` - ${plan.error}` : ''}`,
    `Order: ${plan.levels.map((level) => level.join(' + ')).join(' -> ')}`,
    '',
    services,
    '',
    'Current:',
    ...current,
    'Staging:',
    ...staging,
    `Deploy queue: ${plan.deployQueue.length === 0 ? '(empty)' : plan.deployQueue.join(', ')}`,
  ].join('\n');
}
