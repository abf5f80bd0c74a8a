import type { DeploymentGoal } from '../deployment/deployment.decider';
import type { HostLiveness } from '../host/host.decider';
import type { TaskState, ThrottleState } from '../task/task-status';

/** One deployment on a host as the scheduler's projections know it: desired (deployment aggregate) plus last reported state. */
export interface JobOnHost {
  readonly jobId: string;
  readonly goal: DeploymentGoal;
  readonly deploymentGroupName?: string;
  /** The agent's last reported task state; absent until it reports. */
  readonly state?: TaskState;
  /** From the same report: why the agent holds back restarts, the container's exit code and error. */
  readonly throttled?: ThrottleState;
  readonly exitCode?: number;
  readonly containerError?: string;
  /** With an exit: the last lines the container wrote, when the agent could read them. */
  readonly logTail?: readonly string[];
}

/**
 * What the process manager tells a rollout about one host: at start (the
 * snapshot of the group's matching hosts) and whenever something changes.
 * `jobs` may list every deployment on the host; the rollout only looks at the
 * group's own and at copies of the target job.
 */
export interface HostObservation {
  readonly host: string;
  readonly status: HostLiveness;
  readonly jobs: readonly JobOnHost[];
  /**
   * The target job's image is on the host (the agent's PULLED answer to
   * PrepareImage). Absent: no news about the image, and an ObserveHosts
   * leaves what the rollout knew.
   */
  readonly imagePulled?: boolean;
  /** Why the agent could not get the image (`IMAGE_MISSING: …`), with `imagePulled: false`. */
  readonly imageError?: string;
}

/** The facts a rollout keeps about a host, derived from its last observation. */
export interface ObservedHost {
  readonly up: boolean;
  /** UP and some group job (old or new) RUNNING with goal START: the host serves. */
  readonly available: boolean;
  /** The group owns a deployment of the target job here (the deploy was done). */
  readonly targetPresent: boolean;
  readonly targetRunning: boolean;
  /** The target task FAILED, EXITED or is FLAPPING: it does not serve, whatever it did before. */
  readonly targetFailed: boolean;
  /** With targetFailed: what the agent said, e.g. `EXITED with exit code 3 (FLAPPING); last output: no config file`. */
  readonly targetExit?: string;
  /** The old job ids the rollout must undeploy that are still deployed. */
  readonly presentOldJobIds: readonly string[];
  readonly imagePulled: boolean;
  /** The agent's last answer when it could not get the image; gone once it has it. */
  readonly imageError?: string;
}

export interface ObservationContext {
  readonly group: string;
  readonly targetJobId: string;
  readonly oldJobIds: readonly string[];
}

const OUTPUT_MARK = '; last output: ';

/** An exit as `exitOf` tells it, with `clause` after what happened and before the container's output (which stays last). */
export function exitWithClause(exit: string, clause: string): string {
  const at = exit.indexOf(OUTPUT_MARK);
  return at < 0 ? `${exit}${clause}` : `${exit.slice(0, at)}${clause}${exit.slice(at)}`;
}

/**
 * A task that exited, failed or flaps has left RUNNING for good as far as a
 * rollout is concerned: the agent restarting it is a crash loop, not health.
 */
function exitOf(job: JobOnHost | undefined): string | undefined {
  if (job === undefined) return undefined;
  const flapping = job.throttled === 'FLAPPING';
  if (job.state !== 'EXITED' && job.state !== 'FAILED' && !flapping) return undefined;
  const code = job.exitCode === undefined ? '' : ` with exit code ${job.exitCode}`;
  const error = job.containerError === undefined || job.containerError === '' ? '' : `: ${job.containerError}`;
  const output = job.logTail === undefined || job.logTail.length === 0 ? '' : `${OUTPUT_MARK}${job.logTail.join(' | ')}`;
  return `${job.state ?? 'UNKNOWN'}${code}${flapping ? ' (FLAPPING)' : ''}${error}${output}`;
}

function relevant(job: JobOnHost, context: ObservationContext): boolean {
  return job.deploymentGroupName === context.group || job.jobId === context.targetJobId;
}

export function observedHost(observation: HostObservation, context: ObservationContext): ObservedHost {
  const up = observation.status === 'UP';
  const jobs = observation.jobs.filter((job) => relevant(job, context));
  // the rollout's own copy; a stopped or unowned copy of the same job id is an old one to replace
  const isNew = (job: JobOnHost): boolean =>
    job.jobId === context.targetJobId && job.deploymentGroupName === context.group && job.goal === 'START';
  const target = jobs.find(isNew);
  const exit = exitOf(target);
  return {
    up,
    available: up && jobs.some((job) => job.goal === 'START' && job.state === 'RUNNING'),
    targetPresent: target !== undefined,
    targetRunning: up && target?.state === 'RUNNING',
    targetFailed: exit !== undefined,
    ...(exit === undefined ? {} : { targetExit: exit }),
    presentOldJobIds: context.oldJobIds.filter((id) => observation.jobs.some((job) => job.jobId === id && !isNew(job))),
    imagePulled: observation.imagePulled === true,
    ...(observation.imagePulled !== true && observation.imageError !== undefined ? { imageError: observation.imageError } : {}),
  };
}

export function sameObservedHost(a: ObservedHost, b: ObservedHost): boolean {
  return (
    a.up === b.up &&
    a.available === b.available &&
    a.targetPresent === b.targetPresent &&
    a.targetRunning === b.targetRunning &&
    a.targetFailed === b.targetFailed &&
    a.targetExit === b.targetExit &&
    a.imagePulled === b.imagePulled &&
    a.imageError === b.imageError &&
    a.presentOldJobIds.join('\n') === b.presentOldJobIds.join('\n')
  );
}

export interface HostClassification {
  /** The group's jobs on the host when the rollout started (and a migrated copy): what a revert must clear. */
  readonly startJobIds: readonly string[];
  /** What the rollout undeploys from the host. */
  readonly oldJobIds: readonly string[];
  /** A copy of the target job not owned by the group and `migrate` off: Helios's JOB_ALREADY_DEPLOYED. */
  readonly conflict: boolean;
  /** Owned, goal START, RUNNING and nothing to undeploy: a re-rollout of the same job leaves it alone. */
  readonly upToDate: boolean;
}

/**
 * Helios's UNDEPLOY_OLD_JOBS: the group's own deployments, and with `migrate`
 * also unowned copies of the target job, except the owned target with goal
 * START ("redundant"), so re-rolling the same job is a no-op while a stopped
 * owned copy is undeployed and redeployed, i.e. restarted.
 */
export function classifyHost(observation: HostObservation, group: string, targetJobId: string, migrate: boolean): HostClassification {
  const owned = observation.jobs.filter((job) => job.deploymentGroupName === group);
  const unownedTarget = observation.jobs.filter((job) => job.jobId === targetJobId && job.deploymentGroupName !== group);
  const redundant = owned.find((job) => job.jobId === targetJobId && job.goal === 'START');
  const adopted = migrate ? unownedTarget.map((job) => job.jobId) : [];
  const oldJobIds = [...owned.filter((job) => job !== redundant).map((job) => job.jobId), ...adopted];
  const conflict = !migrate && unownedTarget.length > 0;
  return {
    startJobIds: [...owned.map((job) => job.jobId), ...adopted],
    oldJobIds,
    conflict,
    upToDate: redundant?.state === 'RUNNING' && oldJobIds.length === 0 && !conflict,
  };
}
