import type { GatewayReadModel } from './gateway-read-model';
import { BerthQueries, DeploymentGroupQueries } from '@berth/read-model';
import { HostStatsCache } from './host-stats-cache';

/**
 * Answers a query from the read model, after waiting (bounded) until it has
 * reached `atLeastSequence`. The answer and the sequence it reflects are
 * taken in one synchronous step, so they agree.
 */
export class ReadService {
  readonly views: BerthQueries;
  /** deployment groups and rollouts */
  readonly groups: DeploymentGroupQueries;
  /** hosts' load and memory from their heartbeats (not events): followed once the gateway is connected */
  readonly hostStats = new HostStatsCache();

  constructor(
    readonly model: GatewayReadModel,
    private readonly waitTimeoutMs: number,
  ) {
    this.views = new BerthQueries(model.projection);
    this.groups = new DeploymentGroupQueries(model.projection);
  }

  /** An asynchronous `answer` must read the read model before its first await (as the audit log's queries do). */
  async read<T extends object>(atLeastSequence: number | undefined, answer: (views: BerthQueries) => T | Promise<T>): Promise<T & { sequence: number }> {
    await this.model.waitFor(atLeastSequence, this.waitTimeoutMs);
    const sequence = this.model.sequence;
    return { ...(await answer(this.views)), sequence };
  }
}
