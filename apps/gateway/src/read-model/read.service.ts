import type { GatewayReadModel } from './gateway-read-model';
import { BerthQueries } from '@berth/read-model';

/**
 * Answers a query from the read model, after waiting (bounded) until it has
 * reached `atLeastSequence`. The answer and the sequence it reflects are
 * taken in one synchronous step, so they agree.
 */
export class ReadService {
  readonly views: BerthQueries;

  constructor(
    readonly model: GatewayReadModel,
    private readonly waitTimeoutMs: number,
  ) {
    this.views = new BerthQueries(model.projection);
  }

  async read<T extends object>(atLeastSequence: number | undefined, answer: (views: BerthQueries) => T): Promise<T & { sequence: number }> {
    await this.model.waitFor(atLeastSequence, this.waitTimeoutMs);
    return { ...answer(this.views), sequence: this.model.sequence };
  }
}
