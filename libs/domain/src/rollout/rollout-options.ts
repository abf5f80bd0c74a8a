import { DomainError, ErrorCode, type Problem } from '../errors';
import { DEFAULT_ROLLOUT_OPTIONS, type RolloutOptions } from '../job/job';

/**
 * The update strategy: Helios's six rolling-update options plus Nomad's
 * `update` stanza and what neither has (maxUnavailable, failureThreshold,
 * prestage). Durations are seconds.
 *
 * Health modes: `task_states` counts a host when the target job's task is
 * RUNNING; `checks` is the same today, because the agent only reports RUNNING
 * after the job's health check passed in HEALTHCHECKING (jobs without a check
 * go straight to RUNNING); `manual` ignores task states and waits for
 * SetHostHealth verdicts.
 *
 * Per-host clock: `timeout` runs from the moment the rollout asks for the
 * host's deploy (its BatchStarted) until the host counts as healthy, i.e.
 * RUNNING and, with `minHealthyTime`, continuously so for that long. Unlike
 * Helios (time since the previous plan step) it is per host and per attempt.
 * `healthyDeadline` is Nomad's name for the same clock; when both are set the
 * earlier wins.
 */
export type HealthCheckMode = 'task_states' | 'checks' | 'manual';

export const HEALTH_CHECK_MODES: readonly HealthCheckMode[] = ['task_states', 'checks', 'manual'];

/** A count of hosts, or a percentage of the hosts the rollout covers ("25%"). */
export type CountOrPercent = number | `${number}%`;

export interface UpdateStrategy extends RolloutOptions {
  /**
   * The token of the jobs the rollout replaces (undeploys, and deploys again
   * when it reverts or starts a returning host on them); `token` is the new
   * job's. Default: `token` (Helios uses one token for both).
   */
  readonly oldJobToken?: string;
  /** Nomad's name for `parallelism`. */
  readonly maxParallel?: number;
  /** Minimum seconds between the starts of two batches. */
  readonly stagger?: number;
  readonly healthCheck?: HealthCheckMode;
  /** Seconds a host must stay RUNNING before it counts as healthy. */
  readonly minHealthyTime?: number;
  readonly healthyDeadline?: number;
  /** Seconds without progress (a batch started, a host healthy, an image pulled, a promotion) before the rollout fails. */
  readonly progressDeadline?: number;
  /** On failure, roll the touched hosts back to the group's last stable job. */
  readonly autoRevert?: boolean;
  /** Hosts updated first; the rest waits for a promotion. Equal to the group size: blue/green. */
  readonly canary?: number;
  readonly autoPromote?: boolean;
  /** Hosts of the group allowed to be not RUNNING (old or new job) at once; absent: no limit (Helios). */
  readonly maxUnavailable?: CountOrPercent;
  /** Failed hosts tolerated before the rollout fails; `ignoreFailures` makes it unlimited. */
  readonly failureThreshold?: CountOrPercent;
  /** Pull the image on every host before the first batch. */
  readonly prestage?: boolean;
  /** Hosts that must have pulled before the switch; default all. */
  readonly prestageQuorum?: CountOrPercent;
}

/** Every field decided; JSON-safe (no Infinity), recorded in RolloutStarted. */
export interface ResolvedRolloutOptions {
  readonly parallelism: number;
  readonly timeout: number;
  readonly overlap: boolean;
  readonly migrate: boolean;
  readonly token: string;
  /** Always set by resolveRolloutOptions; absent in rollouts started before it existed (then `token`). */
  readonly oldJobToken?: string;
  readonly ignoreFailures: boolean;
  readonly stagger: number;
  readonly healthCheck: HealthCheckMode;
  readonly minHealthyTime: number;
  readonly healthyDeadline: number | null;
  readonly progressDeadline: number | null;
  readonly autoRevert: boolean;
  readonly canary: number;
  readonly autoPromote: boolean;
  readonly maxUnavailable: CountOrPercent | null;
  readonly failureThreshold: CountOrPercent;
  readonly prestage: boolean;
  readonly prestageQuorum: CountOrPercent;
}

/** Counts resolved against the number of hosts at start; null: unlimited. */
export interface RolloutLimits {
  readonly maxUnavailable: number | null;
  readonly failureThreshold: number | null;
  readonly prestageQuorum: number;
}

/** Helios's defaults, and Nomad features off. */
export const DEFAULT_UPDATE_STRATEGY: ResolvedRolloutOptions = {
  ...DEFAULT_ROLLOUT_OPTIONS,
  stagger: 0,
  healthCheck: 'task_states',
  minHealthyTime: 0,
  healthyDeadline: null,
  progressDeadline: null,
  autoRevert: false,
  canary: 0,
  autoPromote: false,
  maxUnavailable: null,
  failureThreshold: 0,
  prestage: false,
  prestageQuorum: '100%',
};

export interface RolloutOptionLayers {
  /** The rolling-update request's own options: win over everything. */
  readonly request?: UpdateStrategy;
  /** `job.rolloutOptions` of the job being rolled out. */
  readonly job?: RolloutOptions;
  /** The deployment group's defaults. */
  readonly group?: UpdateStrategy;
}

function definedFields(layer: UpdateStrategy | undefined, problems: Problem[], path: string): Partial<ResolvedRolloutOptions> {
  const { maxParallel, ...rest } = layer ?? {};
  const fields: Record<string, unknown> = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  if (maxParallel !== undefined) {
    if (fields['parallelism'] !== undefined && fields['parallelism'] !== maxParallel) {
      problems.push({ path: `${path}.maxParallel`, message: 'maxParallel and parallelism disagree' });
    }
    fields['parallelism'] = maxParallel;
  }
  return fields as Partial<ResolvedRolloutOptions>;
}

const PERCENT = /^(\d+(?:\.\d+)?)%$/;

function validCountOrPercent(value: CountOrPercent): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0;
  const match = PERCENT.exec(value);
  return match !== null && Number(match[1]) <= 100;
}

function checkNumbers(options: ResolvedRolloutOptions, problems: Problem[]): void {
  const need = (ok: boolean, field: string, message: string): void => {
    if (!ok) problems.push({ path: field, message });
  };
  need(Number.isInteger(options.parallelism) && options.parallelism >= 1, 'parallelism', 'must be an integer ≥ 1');
  need(options.timeout > 0, 'timeout', 'must be > 0 seconds');
  need(options.stagger >= 0, 'stagger', 'must be ≥ 0 seconds');
  need(options.minHealthyTime >= 0, 'minHealthyTime', 'must be ≥ 0 seconds');
  need(options.healthyDeadline === null || options.healthyDeadline > 0, 'healthyDeadline', 'must be > 0 seconds');
  need(options.progressDeadline === null || options.progressDeadline > 0, 'progressDeadline', 'must be > 0 seconds');
  need(Number.isInteger(options.canary) && options.canary >= 0, 'canary', 'must be an integer ≥ 0');
  need(HEALTH_CHECK_MODES.includes(options.healthCheck), 'healthCheck', `must be one of ${HEALTH_CHECK_MODES.join(', ')}`);
  need(options.maxUnavailable === null || validCountOrPercent(options.maxUnavailable), 'maxUnavailable', 'must be a count ≥ 0 or a percentage');
  need(validCountOrPercent(options.failureThreshold), 'failureThreshold', 'must be a count ≥ 0 or a percentage');
  need(validCountOrPercent(options.prestageQuorum), 'prestageQuorum', 'must be a count ≥ 0 or a percentage');
}

function checkCombinations(options: ResolvedRolloutOptions, problems: Problem[]): void {
  const deadline = Math.min(options.timeout, options.healthyDeadline ?? Infinity);
  if (options.healthCheck !== 'manual' && options.minHealthyTime >= deadline) {
    problems.push({ path: 'minHealthyTime', message: 'must be shorter than timeout and healthyDeadline, or no host could ever be healthy' });
  }
  // without overlap every deploy takes a running host down: a budget of 0 could never start one
  if (options.maxUnavailable === 0 && !options.overlap) {
    problems.push({ path: 'maxUnavailable', message: '0 needs overlap (deploy before undeploy)' });
  }
}

/**
 * Field by field: request, then the job's rolloutOptions, then the group's
 * defaults, then DEFAULT_UPDATE_STRATEGY. Throws INVALID_ROLLOUT_OPTIONS with
 * every problem found.
 */
export function resolveRolloutOptions(layers: RolloutOptionLayers): ResolvedRolloutOptions {
  const problems: Problem[] = [];
  const options: ResolvedRolloutOptions = {
    ...DEFAULT_UPDATE_STRATEGY,
    ...definedFields(layers.group, problems, 'group'),
    ...definedFields(layers.job, problems, 'job'),
    ...definedFields(layers.request, problems, 'request'),
  };
  const resolved = { ...options, oldJobToken: options.oldJobToken ?? options.token };
  checkNumbers(resolved, problems);
  if (problems.length === 0) checkCombinations(resolved, problems);
  if (problems.length > 0) {
    const text = problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
    throw new DomainError(ErrorCode.INVALID_ROLLOUT_OPTIONS, `Invalid rollout options: ${text}`, { problems });
  }
  return resolved;
}

/** Percentages round down, but a positive percentage of a non-empty fleet is at least one host. */
export function countOf(value: CountOrPercent, total: number): number {
  if (typeof value === 'number') return value;
  const percent = Number(PERCENT.exec(value)?.[1] ?? 0);
  const count = Math.floor((percent * total) / 100);
  return percent > 0 && total > 0 ? Math.max(1, count) : count;
}

export function limitsOf(options: ResolvedRolloutOptions, hostCount: number, prestageHostCount: number): RolloutLimits {
  return {
    maxUnavailable: options.maxUnavailable === null ? null : countOf(options.maxUnavailable, hostCount),
    failureThreshold: options.ignoreFailures ? null : countOf(options.failureThreshold, hostCount),
    prestageQuorum: Math.min(countOf(options.prestageQuorum, prestageHostCount), prestageHostCount),
  };
}
