import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { BerthCliError } from './errors';

interface GraphQLErrorJson {
  readonly message: string;
  readonly extensions?: { readonly code?: string; readonly details?: Record<string, unknown> };
}

interface GraphQLAnswer<T> {
  readonly data?: T | null;
  readonly errors?: readonly GraphQLErrorJson[];
}

export interface LiveFeed {
  /** resolves when the server completes the subscription; rejects on a transport or GraphQL error */
  readonly done: Promise<void>;
  close(): Promise<void>;
}

/** What the commands need from the gateway; a fake in unit tests. */
export interface GatewayApi {
  readonly url: string;
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  subscribe<T>(query: string, variables: Record<string, unknown>, onData: (data: T) => void): LiveFeed;
}

/** The first GraphQL error as a BerthCliError carrying its `extensions.code`. */
export function errorFromGraphQL(errors: readonly GraphQLErrorJson[]): BerthCliError {
  const first = errors[0];
  if (first === undefined) return new BerthCliError('INTERNAL', 'the gateway answered with an empty error list');
  return new BerthCliError(first.extensions?.code ?? 'GRAPHQL_ERROR', first.message, first.extensions?.details ?? {});
}

/** The gateway closes a graphql-ws connection without a valid token with 4401 and "UNAUTHENTICATED: why" as reason. */
export function refusedConnection(err: unknown): BerthCliError | undefined {
  const { code, reason } = (err ?? {}) as { code?: unknown; reason?: unknown };
  if (code !== 4401 && code !== 4403) return undefined;
  const text = typeof reason === 'string' ? reason : '';
  const match = /^([A-Z_]+): (.*)$/.exec(text);
  return new BerthCliError(match?.[1] ?? (code === 4401 ? 'UNAUTHENTICATED' : 'FORBIDDEN'), match?.[2] ?? (text || 'the gateway refused the connection'));
}

/** What to do when the gateway wants a token and the CLI found none. */
export function missingTokenMessage(gatewayUrl: string): string {
  return (
    `the gateway at ${gatewayUrl} needs an API token and berth found none: export BERTH_TOKEN=<token>, or pass --token-file <file> ` +
    '(or "token"/"tokenFile" in ~/.berth/config.json). npm start prints an admin token and keeps it in .data/admin.token: export BERTH_TOKEN=$(cat .data/admin.token)'
  );
}

/** GraphQL over HTTP POST (fetch) and subscriptions over graphql-ws. */
export class GatewayClient implements GatewayApi {
  constructor(
    readonly url: string,
    private readonly token?: string,
  ) {}

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...this.authHeader() },
        body: JSON.stringify({ query, variables }),
      });
    } catch (err) {
      throw this.unreachable(err);
    }
    const text = await res.text();
    let answer: GraphQLAnswer<T>;
    try {
      answer = JSON.parse(text) as GraphQLAnswer<T>;
    } catch {
      throw new BerthCliError('UNAVAILABLE', `the gateway at ${this.url} answered HTTP ${res.status} with something that is not GraphQL: ${text.slice(0, 200)}`);
    }
    if (answer.errors && answer.errors.length > 0) throw this.explained(errorFromGraphQL(answer.errors));
    if (answer.data === undefined || answer.data === null) throw new BerthCliError('INTERNAL', `the gateway answered HTTP ${res.status} without data`);
    return answer.data;
  }

  subscribe<T>(query: string, variables: Record<string, unknown>, onData: (data: T) => void): LiveFeed {
    const client: Client = createClient({
      url: `${this.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: this.token ? { authorization: `Bearer ${this.token}` } : {},
    });
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe<T>(
        { query, variables },
        {
          next: (msg) => {
            if (msg.errors && msg.errors.length > 0) reject(errorFromGraphQL(msg.errors as GraphQLErrorJson[]));
            else if (msg.data) onData(msg.data as T);
          },
          error: (err) => reject(this.explained(Array.isArray(err) ? errorFromGraphQL(err as GraphQLErrorJson[]) : (refusedConnection(err) ?? this.unreachable(err)))),
          complete: () => resolve(),
        },
      );
    });
    return { done, close: () => client.dispose() as Promise<void> };
  }

  /** A refusal for want of a token says where the CLI takes one from, not which HTTP header carries it. */
  private explained(err: BerthCliError): BerthCliError {
    if (err.code !== 'UNAUTHENTICATED' || this.token) return err;
    return new BerthCliError('UNAUTHENTICATED', missingTokenMessage(this.url), err.details);
  }

  private authHeader(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  private unreachable(err: unknown): BerthCliError {
    const cause = (err as { cause?: { code?: string; message?: string } } | null)?.cause;
    const reason = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : 'connection closed');
    return new BerthCliError('UNAVAILABLE', `cannot reach the gateway at ${this.url} (${reason})`);
  }
}
