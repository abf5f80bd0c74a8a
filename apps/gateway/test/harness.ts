import { SchedulerClient } from '@berth/scheduler-client';
import { createLogger } from '@berth/service';
import { startNatsServer, startService, type NatsServer, type ServiceProcess } from '@berth/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ApiRole } from '@berth/contracts';
import { createGatewayApp, type GatewayOptions, type RunningGateway } from '../src/app/create-gateway-app';
import { ApiTokens, hashToken } from '../src/auth/api-tokens';

/** the subject of the admin token the harness calls with by default */
export const GATEWAY_ACTOR = 'gateway-test';

/** One API token per role; `gql`, `rest` and `wsClient` use the admin one unless told otherwise. */
export const TEST_TOKENS: Readonly<Record<ApiRole, { readonly subject: string; readonly token: string }>> = {
  read: { subject: 'reader-test', token: 'read-token-0123456789abcdef' },
  deploy: { subject: 'deployer-test', token: 'deploy-token-0123456789abcdef' },
  admin: { subject: GATEWAY_ACTOR, token: 'admin-token-0123456789abcdef' },
};

export const testAuthenticator = () => new ApiTokens(Object.entries(TEST_TOKENS).map(([role, t]) => ({ subject: t.subject, role: role as ApiRole, tokenSha256: hashToken(t.token) })));

/** `Authorization` header value: a role's test token, a raw string, or none at all (null). */
export type Credential = ApiRole | { readonly raw: string } | null;

function authorization(credential: Credential): Record<string, string> {
  if (credential === null) return {};
  return { authorization: typeof credential === 'string' ? `Bearer ${TEST_TOKENS[credential].token}` : credential.raw };
}

export interface GraphQLAnswer<T = Record<string, unknown>> {
  /** the HTTP status of the answer */
  readonly status: number;
  readonly data?: T;
  readonly errors?: { message: string; extensions?: { code?: string; details?: Record<string, unknown> } }[];
}

/** A real nats-server, a real scheduler (as a process, as `npm start` runs it) and the gateway in-process. */
export interface Stack {
  readonly gateway: RunningGateway;
  /** a direct scheduler client acting as "alice" (another actor than the gateway) */
  readonly alice: SchedulerClient;
  /** the test's own NATS connection (fake agents use it); drained by stop() */
  readonly nc: NatsConnection;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, as?: Credential): Promise<GraphQLAnswer<T>>;
  rest(method: string, path: string, body?: unknown, as?: Credential): Promise<{ status: number; body: Record<string, unknown> }>;
  wsClient(as?: Credential): Client;
  /** gateway and scheduler first, nats-server last (or jest hangs on open connections) */
  stop(): Promise<void>;
}

/** `gateway`: options for the gateway in place of the harness's (e.g. tighter query limits). */
export async function startStack(gatewayOptions: Partial<GatewayOptions> = {}): Promise<Stack> {
  const nats: NatsServer = await startNatsServer();
  let scheduler: ServiceProcess | undefined;
  let nc: NatsConnection | undefined;
  let gateway: RunningGateway | undefined;
  const clients: Client[] = [];
  const stop = async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await gateway?.close();
    await nc?.drain();
    await scheduler?.stop();
    await nats.stop();
  };
  try {
    scheduler = startService('scheduler', 'apps/scheduler/src/main.ts', ['--nats', nats.url, '--http-port', '0']);
    await scheduler.waitForOutput(/scheduler serving/);
    nc = await connect({ servers: nats.url });
    gateway = await createGatewayApp({ nats: nats.url, port: 0, host: '127.0.0.1', actor: 'unauthenticated-actor', authenticator: testAuthenticator(), waitTimeoutMs: 500, logger: createLogger('gateway', 'silent'), ...gatewayOptions });
  } catch (err) {
    await stop();
    throw err;
  }
  const url = gateway.url;
  return {
    gateway,
    alice: new SchedulerClient(nc, { actor: 'alice' }),
    nc,
    async gql(query, variables = {}, as = ApiRole.ADMIN) {
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...authorization(as) }, body: JSON.stringify({ query, variables }) });
      return { ...((await res.json()) as object), status: res.status } as GraphQLAnswer<never>;
    },
    async rest(method, path, body, as = ApiRole.ADMIN) {
      const headers = { ...authorization(as), ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
      const init: RequestInit = { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
      const res = await fetch(`${url}${path}`, init);
      const text = await res.text();
      return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text } };
    },
    wsClient(as = ApiRole.ADMIN) {
      const client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0, connectionParams: authorization(as) });
      clients.push(client);
      return client;
    },
    stop,
  };
}

/** Collects a subscription's messages; `next(n)` resolves once n have arrived. */
export function collect<T>(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const received: T[] = [];
  const errors: unknown[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = client.subscribe<T>({ query, variables }, {
    next: (msg) => {
      if (msg.errors) errors.push(msg.errors);
      if (msg.data) received.push(msg.data as T);
      wake?.();
    },
    error: (err) => {
      errors.push(err);
      wake?.();
    },
    complete: () => wake?.(),
  });
  const next = async (count: number, timeoutMs = 5000): Promise<T[]> => {
    const deadline = Date.now() + timeoutMs;
    while (received.length < count && errors.length === 0) {
      if (Date.now() > deadline) throw new Error(`only ${received.length} of ${count} messages within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (errors.length > 0) throw new Error(`subscription failed: ${JSON.stringify(errors)}`);
    return received.slice(0, count);
  };
  /** Resolves with the first message that satisfies `accept`, as soon as it arrives. */
  const until = async (accept: (message: T) => boolean, timeoutMs = 15_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (let seen = 0; ; seen++) {
      const batch = await next(seen + 1, Math.max(1, deadline - Date.now()));
      const message = batch[seen] as T;
      if (accept(message)) return message;
    }
  };
  return { received, next, until, unsubscribe };
}
