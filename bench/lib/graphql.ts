import { performance } from 'node:perf_hooks';
import { median } from './measure';

export type Gql = <T = unknown>(url: string, query: string, variables?: Record<string, unknown>) => Promise<T>;

/** GraphQL requests to a gateway with one bearer token: the answer's data, or an Error carrying its errors. */
export function graphqlClient(token: string): Gql {
  return async <T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
    const answer = (await res.json()) as { data?: T; errors?: unknown[] };
    if (answer.errors) throw new Error(JSON.stringify(answer.errors));
    return answer.data as T;
  };
}

/** The median wall time of `runs` runs of `run`, one after another, in ms. */
export async function medianTimeMs(runs: number, run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return median(times);
}
