import { foldEvents } from '../decider';
import type { TaskState } from '../task/task-status';
import type { HostObservation, JobOnHost } from './host-observation';
import { pendingActions, type RolloutAction } from './rollout-actions';
import type { RolloutEvent } from './rollout-events';
import type { UpdateStrategy } from './rollout-options';
import { rolloutDecider, type RolloutCommand, type StartRollout } from './rollout.decider';
import type { Rollout, RolloutState } from './rollout-state';
import { plusSeconds } from './rollout-time';

/** Shared by the rollout specs: a fleet of fake hosts that carries out a rollout's actions. Not exported from the library. */

export const T0 = '2024-01-01T00:00:00.000Z';
export const at = (seconds: number): string => plusSeconds(T0, seconds);
export const GROUP = 'web-group';
export const V1 = 'web:1:1111';
export const V2 = 'web:2:2222';
export const ROLLOUT = 'r1';

export function job(jobId: string, state: TaskState | undefined = 'RUNNING', extra: Partial<JobOnHost> = {}): JobOnHost {
  return { jobId, goal: 'START', deploymentGroupName: GROUP, ...(state === undefined ? {} : { state }), ...extra };
}

export function hostOn(host: string, jobs: readonly JobOnHost[] = [job(V1)], status: 'UP' | 'DOWN' = 'UP'): HostObservation {
  return { host, status, jobs };
}

export function start(hosts: readonly HostObservation[], options: UpdateStrategy = {}, extra: Partial<StartRollout> = {}): StartRollout {
  return { type: 'StartRollout', rolloutId: ROLLOUT, group: GROUP, jobId: V2, hosts, options, time: T0, ...extra };
}

/** Decides and folds command after command, keeping every event. */
export class RolloutDriver {
  state: RolloutState = rolloutDecider.initialState;
  readonly events: RolloutEvent[] = [];

  send(command: RolloutCommand): RolloutEvent[] {
    const events = rolloutDecider.decide(command, this.state);
    this.state = foldEvents(rolloutDecider, events, this.state);
    this.events.push(...events);
    return [...events];
  }

  get rollout(): Rollout {
    if (this.state.kind !== 'rollout') throw new Error('no rollout');
    return this.state;
  }

  tick(time: string): RolloutEvent[] {
    return this.send({ type: 'Tick', rolloutId: ROLLOUT, time });
  }

  observe(time: string, ...observations: HostObservation[]): RolloutEvent[] {
    return this.send({ type: 'ObserveHosts', rolloutId: ROLLOUT, observations, time });
  }

  types(events: readonly RolloutEvent[] = this.events): string[] {
    return events.map((event) => event.type);
  }

  ofType<T extends RolloutEvent['type']>(type: T): Extract<RolloutEvent, { type: T }>[] {
    return this.events.filter((event): event is Extract<RolloutEvent, { type: T }> => event.type === type);
  }

  steps(): Record<string, string> {
    return Object.fromEntries(Object.values(this.rollout.hosts).map((row) => [row.host, row.step]));
  }
}

/** A fake fleet: desired state per host, with task states the test sets. */
export class FakeFleet {
  readonly hosts = new Map<string, { up: boolean; jobs: JobOnHost[]; pulled: boolean }>();

  constructor(observations: readonly HostObservation[]) {
    for (const observation of observations) {
      this.hosts.set(observation.host, { up: observation.status === 'UP', jobs: [...observation.jobs], pulled: false });
    }
  }

  apply(actions: readonly RolloutAction[]): void {
    for (const action of actions) {
      const host = this.hosts.get(action.host);
      if (host === undefined) continue;
      if (action.type === 'PrepareImage') host.pulled = true;
      if (action.type === 'UndeployJob') host.jobs = host.jobs.filter((job) => job.jobId !== action.jobId);
      if (action.type === 'DeployJob' && !host.jobs.some((job) => job.jobId === action.jobId)) {
        host.jobs.push({ jobId: action.jobId, goal: 'START', deploymentGroupName: action.deploymentGroupName, state: 'PULLING_IMAGE' });
      }
    }
  }

  setState(name: string, jobId: string, state: TaskState): void {
    const host = this.hosts.get(name);
    if (host !== undefined) host.jobs = host.jobs.map((job) => (job.jobId === jobId ? { ...job, state } : job));
  }

  setUp(name: string, up: boolean): void {
    const host = this.hosts.get(name);
    if (host !== undefined) host.up = up;
  }

  observations(): HostObservation[] {
    return [...this.hosts.entries()].map(([host, { up, jobs, pulled }]) => ({ host, status: up ? 'UP' : 'DOWN', jobs, imagePulled: pulled }));
  }

  /** Every deployed job still starting reaches `state`. */
  settle(jobId: string, state: TaskState, only?: (host: string) => boolean): void {
    for (const [name, host] of this.hosts) {
      if (only !== undefined && !only(name)) continue;
      if (host.jobs.some((job) => job.jobId === jobId && job.state === 'PULLING_IMAGE')) this.setState(name, jobId, state);
    }
  }
}

/** One round of the process manager: carry out pending actions, let tasks settle, observe. */
export function round(driver: RolloutDriver, fleet: FakeFleet, time: string, outcome: (host: string) => TaskState = () => 'RUNNING'): void {
  fleet.apply(pendingActions(driver.state));
  for (const name of fleet.hosts.keys()) fleet.settle(driver.rollout.targetJobId, outcome(name), (host) => host === name);
  driver.observe(time, ...fleet.observations());
}
