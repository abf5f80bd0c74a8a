import { parseRequest } from '@berth/contracts';
import { InMemoryEventStore, type EventStore, type Subscription } from '@berth/event-store';
import { createLogger } from '@berth/service';
import { CommandExecutor } from '../command-executor';
import type { CommandRoute } from '../command-server';
import { loadSchedulerConfig } from '../config';
import { deploymentGroupRoutes } from '../deployment-group-handlers';
import { deploymentRoutes } from '../deployment-handlers';
import { hostRoutes } from '../host-handlers';
import { jobRoutes } from '../job-handlers';
import { queryRoutes } from '../query-handlers';
import { rolloutRoutes } from '../rollout-handlers';
import { BerthView, JobHistoryIndex, createBerthProjection, type BerthProjection } from '@berth/read-model';

export const silentLogger = createLogger('scheduler-test', 'silent');

/** A clock the test moves: starts at `start`, advanced by hand. */
export function manualClock(start = Date.parse('2026-01-01T00:00:00.000Z')) {
  let now = start;
  return {
    now: () => now,
    date: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** The scheduler's state: a projection with its job history, following a store. */
export interface SchedulerState {
  readonly projection: BerthProjection;
  readonly history: JobHistoryIndex;
  readonly view: BerthView;
}

export function newSchedulerState(): SchedulerState {
  const projection = createBerthProjection();
  const history = new JobHistoryIndex();
  projection.onEvent((e) => history.apply(e));
  return { projection, history, view: new BerthView(projection) };
}

/**
 * The scheduler's command handling without NATS: the same routes, executor
 * and projection as the real one, over any EventStore (by default in memory).
 */
export class InMemoryScheduler {
  readonly state = newSchedulerState();
  readonly executor: CommandExecutor;
  private readonly routes = new Map<string, CommandRoute>();
  private following: Subscription | undefined;

  constructor(
    readonly store: EventStore = new InMemoryEventStore(),
    clock: () => Date = () => new Date(),
  ) {
    this.executor = new CommandExecutor(store, this.state.projection, clock);
    const config = loadSchedulerConfig([], {});
    for (const r of [
      ...jobRoutes(this.executor, this.state.view, config),
      ...hostRoutes(this.executor, config),
      ...deploymentRoutes(this.executor, this.state.view, config),
      ...queryRoutes(this.state.view, this.state.history),
      ...deploymentGroupRoutes(this.executor, this.state.view),
      ...rolloutRoutes(this.executor, this.state.view),
    ]) {
      this.routes.set(r.name, r);
    }
  }

  async start(): Promise<this> {
    this.following = this.state.projection.follow(this.store);
    await this.following.caughtUp;
    return this;
  }

  /** Validates like the command server, then runs the handler; throws the handler's errors. */
  async call<T = unknown>(command: string, body: object): Promise<T> {
    const route = this.routes.get(command);
    if (!route) throw new Error(`unknown command ${command}`);
    return (await route.handle(parseRequest(route.request, { actor: 'tester', ...body }))) as T;
  }

  async stop(): Promise<void> {
    await this.following?.stop();
  }
}
