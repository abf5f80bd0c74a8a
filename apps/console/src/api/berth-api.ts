import { createClient, type Client } from 'graphql-ws';

/** An API error with the Berth error code (`extensions.code`) and details (`extensions.details`), shown next to what caused it. */
export class BerthApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'BerthApiError';
  }
}

export type Unsubscribe = () => void;

/** What the pages need from the gateway; tests give the pages a stand-in. */
export interface BerthApi {
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  subscribe<T>(query: string, variables: Record<string, unknown>, onData: (data: T) => void, onError: (error: BerthApiError) => void): Unsubscribe;
  close(): void;
}

interface GraphQLErrorShape {
  readonly message: string;
  readonly extensions?: { readonly code?: unknown; readonly details?: unknown };
}

export function toApiError(errors: readonly GraphQLErrorShape[] | undefined, fallback: string): BerthApiError {
  const first = errors?.[0];
  if (!first) return new BerthApiError('INTERNAL', fallback);
  const code = typeof first.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL';
  const details = first.extensions?.details;
  return new BerthApiError(code, first.message, typeof details === 'object' && details !== null && !Array.isArray(details) ? (details as Record<string, unknown>) : {});
}

function httpStatusCode(status: number): string {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  return `HTTP_${status}`;
}

function authHeader(token: string | null): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** GraphQL over HTTP (`Authorization: Bearer`) and graphql-ws (`connectionParams`) on one origin. */
export function createBerthApi(options: { readonly origin: string; readonly token: string | null; readonly fetchImpl?: typeof fetch }): BerthApi {
  const fetchImpl = options.fetchImpl ?? fetch.bind(globalThis);
  let ws: Client | undefined;
  const wsClient = (): Client => {
    ws ??= createClient({
      url: `${options.origin.replace(/^http/, 'ws')}/graphql`,
      connectionParams: options.token ? { authorization: `Bearer ${options.token}`, token: options.token } : {},
      retryAttempts: Infinity,
      shouldRetry: () => true,
      lazy: true,
    });
    return ws;
  };
  return {
    async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      let response: Response;
      try {
        response = await fetchImpl(`${options.origin}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...authHeader(options.token) },
          body: JSON.stringify({ query, variables }),
        });
      } catch (err) {
        throw new BerthApiError('UNAVAILABLE', `the gateway cannot be reached: ${(err as Error).message}`);
      }
      let body: { data?: T | null; errors?: GraphQLErrorShape[] } | undefined;
      try {
        body = (await response.json()) as typeof body;
      } catch {
        throw new BerthApiError(httpStatusCode(response.status), `the gateway answered ${response.status} ${response.statusText}`);
      }
      if (body?.errors?.length) throw toApiError(body.errors, `the gateway answered ${response.status}`);
      if (!response.ok || !body?.data) throw new BerthApiError(httpStatusCode(response.status), `the gateway answered ${response.status}`);
      return body.data;
    },
    subscribe<T>(query: string, variables: Record<string, unknown>, onData: (data: T) => void, onError: (error: BerthApiError) => void): Unsubscribe {
      return wsClient().subscribe<T>(
        { query, variables },
        {
          next: (result) => {
            if (result.errors?.length) onError(toApiError(result.errors, 'subscription failed'));
            else if (result.data) onData(result.data as T);
          },
          error: (err) => {
            if (Array.isArray(err)) onError(toApiError(err as GraphQLErrorShape[], 'subscription failed'));
            else if (err instanceof Error) onError(new BerthApiError('UNAVAILABLE', err.message));
            else {
              const close = err as { code?: number; reason?: string };
              onError(new BerthApiError(close.code === 4401 || close.code === 4403 ? httpStatusCode(close.code - 4000) : 'UNAVAILABLE', close.reason || 'the live connection closed'));
            }
          },
          complete: () => undefined,
        },
      );
    },
    close() {
      void ws?.dispose();
      ws = undefined;
    },
  };
}
