import type { Decider, DomainCommand, DomainEvent } from '../decider';
import { DomainError, ErrorCode } from '../errors';
import type { CountOrPercent } from '../rollout/rollout-options';
import { dependencyLevels, describeCycle } from './release-plan';

/** A service of a started plan: its job resolved. */
export interface PlanServiceSpec {
  readonly service: string;
  readonly jobId: string;
  readonly group: string;
  readonly quorum?: number;
  readonly maxUnavailable?: CountOrPercent;
  readonly dependsOn: readonly string[];
}

export type PlanServiceStatus = 'WAITING' | 'RUNNING' | 'COMPLETE' | 'FAILED';

export interface PlanService extends PlanServiceSpec {
  readonly status: PlanServiceStatus;
  readonly releaseId?: string;
  readonly error?: string;
}

export type ReleasePlanStatus = 'running' | 'complete' | 'failed' | 'abandoned';

export interface ReleasePlan {
  readonly kind: 'plan';
  readonly planId: string;
  readonly status: ReleasePlanStatus;
  readonly services: Readonly<Record<string, PlanService>>;
  /** Dependency levels: a level's services may run together. */
  readonly levels: readonly (readonly string[])[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly error?: string;
}

export type ReleasePlanState = { readonly kind: 'none' } | ReleasePlan;

interface PlanCommandBase<T extends string> extends DomainCommand<T> {
  readonly planId: string;
}

export interface StartReleasePlan extends PlanCommandBase<'StartReleasePlan'> {
  readonly services: readonly PlanServiceSpec[];
}
export interface RecordPlanRelease extends PlanCommandBase<'RecordPlanRelease'> {
  readonly service: string;
  readonly releaseId: string;
}
export interface ReportPlanServiceError extends PlanCommandBase<'ReportPlanServiceError'> {
  readonly service: string;
  readonly error: string;
}
export interface ObservePlanReleases extends PlanCommandBase<'ObservePlanReleases'> {
  readonly releases: readonly { readonly releaseId: string; readonly status: string; readonly error?: string }[];
}
export type AbandonReleasePlan = PlanCommandBase<'AbandonReleasePlan'>;

export type ReleasePlanCommand = StartReleasePlan | RecordPlanRelease | ReportPlanServiceError | ObservePlanReleases | AbandonReleasePlan;

interface PlanEventBase<T extends string> extends DomainEvent<T> {
  readonly planId: string;
  readonly time: string;
}
export interface ReleasePlanStarted extends PlanEventBase<'ReleasePlanStarted'> {
  readonly services: readonly PlanServiceSpec[];
  readonly levels: readonly (readonly string[])[];
}
export interface PlanServiceStarted extends PlanEventBase<'PlanServiceStarted'> {
  readonly service: string;
  readonly releaseId: string;
}
export interface PlanServiceFinished extends PlanEventBase<'PlanServiceFinished'> {
  readonly service: string;
  readonly ok: boolean;
  readonly error?: string;
}
export type ReleasePlanCompleted = PlanEventBase<'ReleasePlanCompleted'>;
export interface ReleasePlanFailed extends PlanEventBase<'ReleasePlanFailed'> {
  readonly error: string;
}
export type ReleasePlanAbandoned = PlanEventBase<'ReleasePlanAbandoned'>;

export type ReleasePlanEvent = ReleasePlanStarted | PlanServiceStarted | PlanServiceFinished | ReleasePlanCompleted | ReleasePlanFailed | ReleasePlanAbandoned;

/** Release statuses that end a plan's service: complete is success, the rest failure. */
const RELEASE_DONE: Readonly<Record<string, boolean>> = { complete: true, failed: false, abandoned: false, rolled_back: false };

function start(command: StartReleasePlan): ReleasePlanEvent[] {
  const order = dependencyLevels(command.services);
  if ('cycle' in order) throw new DomainError(ErrorCode.INVALID_RELEASE_PLAN, `dependency cycle: ${describeCycle(order.cycle)}`, { cycle: order.cycle });
  const names = new Set(command.services.map((s) => s.service));
  const unknown = command.services.flatMap((s) => s.dependsOn.filter((d) => !names.has(d)));
  if (unknown.length > 0) throw new DomainError(ErrorCode.INVALID_RELEASE_PLAN, `unknown dependencies: ${unknown.join(', ')}`, { unknown });
  return [{ type: 'ReleasePlanStarted', planId: command.planId, services: command.services, levels: order.levels, time: command.time }];
}

function evolvePlan(plan: ReleasePlan, event: ReleasePlanEvent): ReleasePlan {
  const withService = (name: string, change: (s: PlanService) => PlanService): ReleasePlan => {
    const service = plan.services[name];
    return service === undefined ? plan : { ...plan, services: { ...plan.services, [name]: change(service) } };
  };
  switch (event.type) {
    case 'PlanServiceStarted':
      return withService(event.service, (s) => ({ ...s, status: 'RUNNING', releaseId: event.releaseId }));
    case 'PlanServiceFinished':
      return withService(event.service, (s) => ({ ...s, status: event.ok ? 'COMPLETE' : 'FAILED', ...(event.error === undefined ? {} : { error: event.error }) }));
    case 'ReleasePlanCompleted':
      return { ...plan, status: 'complete' };
    case 'ReleasePlanFailed':
      return { ...plan, status: 'failed', error: event.error };
    case 'ReleasePlanAbandoned':
      return { ...plan, status: 'abandoned' };
    default:
      return plan;
  }
}

function evolve(state: ReleasePlanState, event: ReleasePlanEvent): ReleasePlanState {
  if (event.type === 'ReleasePlanStarted') {
    const services = Object.fromEntries(event.services.map((s) => [s.service, { ...s, status: 'WAITING' as const }]));
    return { kind: 'plan', planId: event.planId, status: 'running', services, levels: event.levels, createdAt: event.time, updatedAt: event.time };
  }
  return state.kind === 'none' ? state : { ...evolvePlan(state, event), updatedAt: event.time };
}

/** The plan ends once a service failed (services not started stay so), or every one completed. */
function settle(state: ReleasePlanState, events: ReleasePlanEvent[], time: string): ReleasePlanEvent[] {
  const plan = events.reduce(evolve, state);
  if (plan.kind === 'none' || plan.status !== 'running') return events;
  const services = Object.values(plan.services);
  const failed = services.filter((s) => s.status === 'FAILED');
  if (failed.length > 0) return [...events, { type: 'ReleasePlanFailed', planId: plan.planId, error: failed.map((s) => `${s.service}: ${s.error ?? 'failed'}`).join('; '), time }];
  if (services.every((s) => s.status === 'COMPLETE')) return [...events, { type: 'ReleasePlanCompleted', planId: plan.planId, time }];
  return events;
}

function operate(plan: ReleasePlan, command: Exclude<ReleasePlanCommand, StartReleasePlan>): ReleasePlanEvent[] {
  const base = { planId: plan.planId, time: command.time };
  switch (command.type) {
    case 'RecordPlanRelease': {
      const service = plan.services[command.service];
      return service?.status === 'WAITING' && plan.status === 'running' ? [{ type: 'PlanServiceStarted', ...base, service: command.service, releaseId: command.releaseId }] : [];
    }
    case 'ReportPlanServiceError': {
      const service = plan.services[command.service];
      return service?.status === 'WAITING' || service?.status === 'RUNNING' ? [{ type: 'PlanServiceFinished', ...base, service: command.service, ok: false, error: command.error }] : [];
    }
    case 'ObservePlanReleases': {
      const byId = new Map(command.releases.map((r) => [r.releaseId, r]));
      return Object.values(plan.services).flatMap((s): ReleasePlanEvent[] => {
        const seen = s.releaseId === undefined ? undefined : byId.get(s.releaseId);
        const ok = seen === undefined ? undefined : RELEASE_DONE[seen.status];
        if (s.status !== 'RUNNING' || ok === undefined) return [];
        return [{ type: 'PlanServiceFinished', ...base, service: s.service, ok, ...(ok ? {} : { error: `release ${seen?.status ?? ''}${seen?.error ? `: ${seen.error}` : ''}` }) }];
      });
    }
    case 'AbandonReleasePlan':
      if (plan.status !== 'running') throw new DomainError(ErrorCode.RELEASE_STATE_CONFLICT, `Cannot abandon a release plan that is ${plan.status}`, { planId: plan.planId });
      return [{ type: 'ReleasePlanAbandoned', ...base }];
  }
}

/**
 * The release-plan aggregate (id = uuid). It decides which services may
 * start (`pendingPlanActions`: every dependency complete) and when the plan
 * is over; the scheduler's plan manager starts each service as a one-group
 * release with prestaging and the service's quorum.
 */
export const releasePlanDecider: Decider<ReleasePlanCommand, ReleasePlanEvent, ReleasePlanState> = {
  initialState: { kind: 'none' },
  decide(command, state) {
    if (command.type === 'StartReleasePlan') {
      if (state.kind !== 'none') throw new DomainError(ErrorCode.RELEASE_ALREADY_EXISTS, `Release plan already exists: ${command.planId}`, { planId: command.planId });
      return settle(state, start(command), command.time);
    }
    if (state.kind === 'none') throw new DomainError(ErrorCode.RELEASE_PLAN_NOT_FOUND, `Release plan not found: ${command.planId}`, { planId: command.planId });
    const events = operate(state, command);
    return events.length === 0 ? [] : settle(state, events, command.time);
  },
  evolve,
};

/** Services whose dependencies are all complete and that have not started: the plan manager starts them. */
export function pendingPlanServices(plan: ReleasePlan): PlanService[] {
  if (plan.status !== 'running') return [];
  return Object.values(plan.services).filter((s) => s.status === 'WAITING' && s.dependsOn.every((d) => plan.services[d]?.status === 'COMPLETE'));
}

/** The deploy queue (the blog's /dc/deploy): services not started yet, in dependency order. */
export function planDeployQueue(plan: ReleasePlan): string[] {
  return plan.levels.flat().filter((name) => plan.services[name]?.status === 'WAITING');
}
