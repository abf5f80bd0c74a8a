import { BerthApiError, type BerthApi } from '../api/berth-api';

/**
 * A stand-in gateway for component tests (no network): answers requests from
 * a handler, records them, and lets the test push subscription messages.
 */
export class ScriptedBerthApi implements BerthApi {
  readonly requests: { query: string; variables: Record<string, unknown> }[] = [];
  private readonly subscribers: { query: string; variables: Record<string, unknown>; onData: (d: unknown) => void; onError: (e: BerthApiError) => void }[] = [];

  constructor(private readonly answer: (query: string, variables: Record<string, unknown>) => unknown) {}

  /** The open subscriptions' documents and variables. */
  get subscriptions(): readonly { readonly query: string; readonly variables: Record<string, unknown> }[] {
    return this.subscribers;
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    this.requests.push({ query, variables });
    const result = this.answer(query, variables);
    if (result instanceof BerthApiError) throw result;
    return result as T;
  }

  subscribe<T>(query: string, variables: Record<string, unknown>, onData: (data: T) => void, onError: (error: BerthApiError) => void) {
    const entry = { query, variables, onData: onData as (d: unknown) => void, onError };
    this.subscribers.push(entry);
    return () => {
      this.subscribers.splice(this.subscribers.indexOf(entry), 1);
    };
  }

  /** Sends `data` to every open subscription whose document contains `field`. */
  push(field: string, data: unknown): number {
    const targets = this.subscribers.filter((s) => s.query.includes(field));
    for (const s of targets) s.onData(data);
    return targets.length;
  }

  close(): void {
    this.subscribers.length = 0;
  }
}
