import type { GatewayReadModel } from './gateway-read-model';
import { ReadViews } from './read-views';

/**
 * Answers a query from the read model, after waiting (bounded) until it has
 * reached `atLeastSequence`. The answer and the sequence it reflects are
 * taken in one synchronous step, so they agree.
 */
export class ReadService {
  readonly views: ReadViews;

  constructor(
    readonly model: GatewayReadModel,
    private readonly waitTimeoutMs: number,
  ) {
    this.views = new ReadViews(model.projection);
  }

  async read<T extends object>(atLeastSequence: number | undefined, answer: (views: ReadViews) => T): Promise<T & { sequence: number }> {
    await this.model.waitFor(atLeastSequence, this.waitTimeoutMs);
    return { ...answer(this.views), sequence: this.model.sequence };
  }
}
