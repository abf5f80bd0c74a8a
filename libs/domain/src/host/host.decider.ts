import { canonicalJson } from '../canonical-json';
import type { Decider, DomainCommand, DomainEvent } from '../decider';
import { DomainError, ErrorCode } from '../errors';
import type { HostLabels } from '../selector/host-selector';
import type { PortRange } from './port-range';

/**
 * The host aggregate: one per host name. It records who (which agent id)
 * holds the name, the host's labels and info, and UP/DOWN *transitions* —
 * heartbeats themselves are not events.
 */

/** Helios's `--zk-registration-ttl` (10 min): how long a host must be DOWN before another agent may take its name. */
export const DEFAULT_TAKEOVER_AFTER_SECONDS = 600;

/** Docker version, agent version, env, cpus, memory…: stored and shown, never interpreted here. */
export type HostInfo = Readonly<Record<string, unknown>>;

export type HostLiveness = 'UP' | 'DOWN';

export interface RegisterHost extends DomainCommand<'RegisterHost'> {
  readonly host: string;
  /** The agent's persistent random id: two machines claiming one name are told apart by it. */
  readonly agentId: string;
  readonly labels: HostLabels;
  readonly info: HostInfo;
  readonly portRange?: PortRange;
  /** Default DEFAULT_TAKEOVER_AFTER_SECONDS. */
  readonly takeoverAfterSeconds?: number;
}

export interface DeregisterHost extends DomainCommand<'DeregisterHost'> {
  readonly host: string;
}

export interface MarkHostUp extends DomainCommand<'MarkHostUp'> {
  readonly host: string;
  /** The agent that heartbeated: only the registered one keeps the host alive. */
  readonly agentId: string;
}

export interface MarkHostDown extends DomainCommand<'MarkHostDown'> {
  readonly host: string;
}

export type HostCommand = RegisterHost | DeregisterHost | MarkHostUp | MarkHostDown;

export interface HostRegistered extends DomainEvent<'HostRegistered'> {
  readonly host: string;
  readonly agentId: string;
  readonly labels: HostLabels;
  readonly info: HostInfo;
  readonly portRange?: PortRange;
  /** Set when this registration took the name over from another agent. */
  readonly previousAgentId?: string;
  readonly time: string;
}

export interface HostUpdated extends DomainEvent<'HostUpdated'> {
  readonly host: string;
  readonly labels: HostLabels;
  readonly info: HostInfo;
  readonly portRange?: PortRange;
  readonly time: string;
}

export interface HostDeregistered extends DomainEvent<'HostDeregistered'> {
  readonly host: string;
  readonly time: string;
}

export interface HostUp extends DomainEvent<'HostUp'> {
  readonly host: string;
  readonly time: string;
}

export interface HostDown extends DomainEvent<'HostDown'> {
  readonly host: string;
  readonly time: string;
}

export type HostEvent = HostRegistered | HostUpdated | HostDeregistered | HostUp | HostDown;

export interface RegisteredHost {
  readonly kind: 'registered';
  readonly host: string;
  readonly agentId: string;
  readonly labels: HostLabels;
  readonly info: HostInfo;
  readonly portRange?: PortRange;
  /** Time of the registration by the current agent. */
  readonly registeredAt: string;
  readonly status: HostLiveness;
  /** Time of the HostDown event while DOWN. */
  readonly downSince?: string;
}

export type HostState = { readonly kind: 'unregistered' } | RegisteredHost;

function instant(time: string): number {
  const millis = Date.parse(time);
  // a bad time is the caller's bug, not the user's
  if (Number.isNaN(millis)) throw new TypeError(`Time is not an ISO-8601 instant: ${time}`);
  return millis;
}

function hostNotFound(host: string): DomainError {
  return new DomainError(ErrorCode.HOST_NOT_FOUND, `Host not found: ${host}`, { host });
}

function registered(command: RegisterHost, previousAgentId?: string): HostRegistered {
  return {
    type: 'HostRegistered',
    host: command.host,
    agentId: command.agentId,
    labels: command.labels,
    info: command.info,
    ...(command.portRange === undefined ? {} : { portRange: command.portRange }),
    ...(previousAgentId === undefined ? {} : { previousAgentId }),
    time: command.time,
  };
}

function sameDescription(command: RegisterHost, state: RegisteredHost): boolean {
  const described = (value: Pick<RegisterHost, 'labels' | 'info' | 'portRange'>): string =>
    canonicalJson({ labels: value.labels, info: value.info, portRange: value.portRange ?? null });
  return described(command) === described(state);
}

/** A DOWN host may change hands once it has been DOWN for the takeover time; an UP one never. */
function mayTakeOver(command: RegisterHost, state: RegisteredHost): boolean {
  if (state.status !== 'DOWN' || state.downSince === undefined) return false;
  const waitMillis = (command.takeoverAfterSeconds ?? DEFAULT_TAKEOVER_AFTER_SECONDS) * 1000;
  return instant(command.time) - instant(state.downSince) >= waitMillis;
}

function registerHost(command: RegisterHost, state: HostState): HostEvent[] {
  instant(command.time);
  if (state.kind === 'unregistered') return [registered(command)];
  if (state.agentId === command.agentId) {
    // an agent re-registers on every start: only a changed description is news
    if (sameDescription(command, state)) return [];
    const { host, labels, info, portRange, time } = command;
    return [{ type: 'HostUpdated', host, labels, info, ...(portRange === undefined ? {} : { portRange }), time }];
  }
  if (mayTakeOver(command, state)) return [registered(command, state.agentId)];
  throw new DomainError(ErrorCode.HOST_ALREADY_REGISTERED, `Another agent already registered as '${command.host}'`, {
    host: command.host,
    agentId: state.agentId,
    status: state.status,
    ...(state.downSince === undefined ? {} : { downSince: state.downSince }),
    takeoverAfterSeconds: command.takeoverAfterSeconds ?? DEFAULT_TAKEOVER_AFTER_SECONDS,
  });
}

function markHostUp(command: MarkHostUp, state: HostState): HostEvent[] {
  if (state.kind === 'unregistered') throw hostNotFound(command.host);
  // a stale agent's heartbeats must not keep a name alive that another agent waits to take over
  if (state.agentId !== command.agentId) {
    throw new DomainError(ErrorCode.HOST_ALREADY_REGISTERED, `Host ${command.host} is registered to another agent`, {
      host: command.host,
      agentId: state.agentId,
    });
  }
  return state.status === 'UP' ? [] : [{ type: 'HostUp', host: command.host, time: command.time }];
}

function decide(command: HostCommand, state: HostState): HostEvent[] {
  switch (command.type) {
    case 'RegisterHost':
      return registerHost(command, state);
    case 'DeregisterHost':
      // Helios deregisters even with jobs deployed; the deployments are cleared by the caller (ClearHostDeployments)
      if (state.kind === 'unregistered') throw hostNotFound(command.host);
      return [{ type: 'HostDeregistered', host: command.host, time: command.time }];
    case 'MarkHostUp':
      return markHostUp(command, state);
    case 'MarkHostDown':
      if (state.kind === 'unregistered') throw hostNotFound(command.host);
      return state.status === 'DOWN' ? [] : [{ type: 'HostDown', host: command.host, time: command.time }];
  }
}

function evolve(state: HostState, event: HostEvent): HostState {
  switch (event.type) {
    case 'HostRegistered': {
      const { host, agentId, labels, info, portRange, time } = event;
      // registering is the agent talking to us: proof of life
      return { kind: 'registered', host, agentId, labels, info, ...(portRange ? { portRange } : {}), registeredAt: time, status: 'UP' };
    }
    case 'HostUpdated': {
      if (state.kind === 'unregistered') return state;
      const { portRange: _old, ...rest } = state;
      const { labels, info, portRange } = event;
      return { ...rest, labels, info, ...(portRange ? { portRange } : {}) };
    }
    case 'HostDeregistered':
      return { kind: 'unregistered' };
    case 'HostUp': {
      if (state.kind === 'unregistered') return state;
      const { downSince: _since, ...rest } = state;
      return { ...rest, status: 'UP' };
    }
    case 'HostDown':
      return state.kind === 'unregistered' ? state : { ...state, status: 'DOWN', downSince: event.time };
  }
}

/**
 * Registration, takeover and liveness. A registration (first, or a takeover)
 * leaves the host UP; after that only MarkHostUp/MarkHostDown change it, and
 * only on transitions.
 */
export const hostDecider: Decider<HostCommand, HostEvent, HostState> = {
  initialState: { kind: 'unregistered' },
  decide,
  evolve,
};
