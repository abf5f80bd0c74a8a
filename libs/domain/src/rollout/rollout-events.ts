import type { DomainEvent } from '../decider';
import type { ObservedHost } from './host-observation';
import type { ResolvedRolloutOptions, RolloutLimits } from './rollout-options';

/**
 * Rollout events. For throughput (every event is an fsync'd append) a host
 * step is never an event of its own: BatchStarted lists the hosts whose
 * deploys it requests, and HostsHealthy/HostsFailed/HostsObserved coalesce
 * every host that changed in one decision. A single host is a list of one.
 */

export type RolloutReason = 'MANUAL' | 'HOSTS_CHANGED';

/** Where a host stands in the rollout. */
export type HostStep =
  /** To do, in natural order. */
  | 'PENDING'
  /** Already running the target at start: nothing to do. */
  | 'UP_TO_DATE'
  /** Its deploy was requested (BatchStarted); awaiting health. */
  | 'DEPLOYING'
  | 'HEALTHY'
  | 'FAILED'
  /** DOWN when its turn came (or while deploying): not a failure; back to PENDING when it comes back. */
  | 'SKIPPED';

export type HostFailureReason =
  /** Not healthy within timeout/healthyDeadline of its deploy request. */
  | 'timeout'
  /** The target task reported FAILED. */
  | 'failed'
  /** A SetHostHealth verdict (manual health). */
  | 'unhealthy'
  /** The target job is deployed there outside the group and migrate is off (Helios JOB_ALREADY_DEPLOYED). */
  | 'conflict'
  /** The deploy or undeploy itself was refused (PORT_CONFLICT, FORBIDDEN, …), reported by the process manager. */
  | 'error';

export interface HostFailure {
  readonly host: string;
  readonly reason: HostFailureReason;
  readonly message: string;
}

export interface RolloutHost extends ObservedHost {
  readonly host: string;
  readonly step: HostStep;
  readonly canary: boolean;
  readonly conflict: boolean;
  /** The rollout asked for a deploy here at least once (what a revert must undo). */
  readonly touched: boolean;
  readonly startJobIds: readonly string[];
  readonly oldJobIds: readonly string[];
  /** Since when the target has been RUNNING without interruption. */
  readonly runningSince?: string;
  readonly deployRequestedAt?: string;
  readonly failure?: HostFailure;
  /**
   * How the host failed on the rollout's own job before a revert, kept
   * through the revert (whose steps start over) so that a reverted rollout
   * still tells which hosts failed and why.
   */
  readonly failureBeforeRevert?: HostFailure;
  /** Came back (HostsReturned) and the version it runs until its turn is not chosen yet (ReturnedHostsStarted). */
  readonly returned?: true;
  /** The version it was started on when it came back (the most popular), until its turn in the rollout. */
  readonly interimJobId?: string;
}

export interface RolloutPlan {
  /** The batches as planned at start; maxUnavailable, hosts coming back and retries may change the real ones. */
  readonly batches: readonly (readonly string[])[];
  readonly canaries: readonly string[];
  readonly skipped: readonly string[];
  readonly upToDate: readonly string[];
}

interface RolloutEventBase<T extends string> extends DomainEvent<T> {
  readonly rolloutId: string;
  readonly time: string;
}

export interface RolloutStarted extends RolloutEventBase<'RolloutStarted'> {
  readonly group: string;
  readonly jobId: string;
  readonly reason: RolloutReason;
  /** The group's last stable job: where autoRevert goes. */
  readonly revertTo?: string;
  readonly options: ResolvedRolloutOptions;
  readonly limits: RolloutLimits;
  /**
   * Every host of the group as classified at start, hosts with identical rows
   * listed once per class (names in natural order): a fleet of 10,000 alike
   * hosts is a few classes, so the event stays far below NATS's 1 MB payload
   * (about 40 bytes per host with the plan). `rolloutHostsOf` expands it.
   */
  readonly hostClasses: readonly RolloutHostClass[];
  readonly plan: RolloutPlan;
}

/** Hosts that started a rollout with the same row. */
export interface RolloutHostClass {
  readonly hosts: readonly string[];
  readonly row: Omit<RolloutHost, 'host'>;
}

export interface PrestageStarted extends RolloutEventBase<'PrestageStarted'> {
  readonly hosts: readonly string[];
  readonly quorum: number;
}

export interface PrestageCompleted extends RolloutEventBase<'PrestageCompleted'> {
  readonly pulled: number;
  readonly quorum: number;
}

export interface HostsObserved extends RolloutEventBase<'HostsObserved'> {
  readonly hosts: readonly (ObservedHost & { readonly host: string })[];
}

export interface BatchStarted extends RolloutEventBase<'BatchStarted'> {
  /** 0-based count of batches started so far in this rollout. */
  readonly batch: number;
  readonly hosts: readonly string[];
  readonly canary: boolean;
}

export interface HostsHealthy extends RolloutEventBase<'HostsHealthy'> {
  readonly hosts: readonly string[];
}

export interface HostsFailed extends RolloutEventBase<'HostsFailed'> {
  readonly failures: readonly HostFailure[];
}

export interface HostsSkipped extends RolloutEventBase<'HostsSkipped'> {
  readonly hosts: readonly string[];
}

export interface HostsReturned extends RolloutEventBase<'HostsReturned'> {
  readonly hosts: readonly string[];
}

/**
 * Hosts that came back during the rollout, each started at once on the
 * version most online hosts of the service run (`jobId`; absent when no
 * online host runs one: left as it is); the rollout still brings each to
 * the target in its turn.
 */
export interface ReturnedHostsStarted extends RolloutEventBase<'ReturnedHostsStarted'> {
  readonly hosts: readonly { readonly host: string; readonly jobId?: string }[];
}

export interface CanaryAwaitingPromotion extends RolloutEventBase<'CanaryAwaitingPromotion'> {
  readonly canaries: readonly string[];
}

export interface RolloutPromoted extends RolloutEventBase<'RolloutPromoted'> {
  readonly auto: boolean;
}

export type RolloutPaused = RolloutEventBase<'RolloutPaused'>;
export type RolloutResumed = RolloutEventBase<'RolloutResumed'>;

export interface RevertStarted extends RolloutEventBase<'RevertStarted'> {
  readonly fromJobId: string;
  readonly toJobId: string;
  /** Why the forward rollout failed. */
  readonly error: string;
}

export interface RolloutFailed extends RolloutEventBase<'RolloutFailed'> {
  readonly error: string;
  readonly failedHosts: readonly string[];
  /** Stopped by an operator or superseded: no revert, containers left as they are (Helios stop). */
  readonly stopped: boolean;
}

export interface RolloutReverted extends RolloutEventBase<'RolloutReverted'> {
  readonly toJobId: string;
  readonly error: string;
  readonly failedHosts: readonly string[];
}

export interface RolloutSucceeded extends RolloutEventBase<'RolloutSucceeded'> {
  readonly failedHosts: readonly string[];
  /** Hosts DOWN at the end: brought to the target when they come back (group reconcile). */
  readonly skippedHosts: readonly string[];
  /** No host failed: the job becomes the group's last stable job. */
  readonly stable: boolean;
}

export interface RolloutRetried extends RolloutEventBase<'RolloutRetried'> {
  readonly hosts: readonly string[];
}

export type RolloutEvent =
  | RolloutStarted
  | PrestageStarted
  | PrestageCompleted
  | HostsObserved
  | BatchStarted
  | HostsHealthy
  | HostsFailed
  | HostsSkipped
  | HostsReturned
  | ReturnedHostsStarted
  | CanaryAwaitingPromotion
  | RolloutPromoted
  | RolloutPaused
  | RolloutResumed
  | RevertStarted
  | RolloutFailed
  | RolloutReverted
  | RolloutSucceeded
  | RolloutRetried;
