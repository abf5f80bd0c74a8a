import { toGraphQLError } from '../errors/berth-exception.filter';
import type { Authenticator, Principal } from './api-tokens';

/** graphql-ws close code for a connection without a valid token (the protocol's own "Unauthorized"). */
export const WS_UNAUTHENTICATED = 4401;

interface HttpContextArgs {
  readonly req: { headers: Record<string, unknown> };
}

interface WsExtra {
  principal?: Principal;
  /** the connection's `authorization` param, checked again for each operation */
  authorization?: unknown;
  socket?: { close(code: number, reason: string): void };
}

/** graphql-ws's context: `extra` is what its `ws` adapter puts there (socket, request) */
interface WsContextArgs {
  readonly connectionParams?: Readonly<Record<string, unknown>>;
  readonly extra: unknown;
}

function authorizationParam(params: Readonly<Record<string, unknown>> | undefined): unknown {
  if (!params) return undefined;
  const key = Object.keys(params).find((k) => k.toLowerCase() === 'authorization');
  return key === undefined ? undefined : params[key];
}

function closeUnauthenticated(extra: WsExtra, err: unknown): void {
  const reason = `UNAUTHENTICATED: ${err instanceof Error ? err.message : 'invalid token'}`;
  extra.socket?.close(WS_UNAUTHENTICATED, reason.slice(0, 120));
}

/**
 * The GraphQL context: over HTTP the `Authorization` header is checked
 * before anything executes (so even introspection needs a token), and a
 * missing/unknown token answers HTTP 401 with `extensions.code`
 * UNAUTHENTICATED; over graphql-ws the principal of the connection.
 */
export function graphqlContext(authenticator: Authenticator) {
  return (args: HttpContextArgs | WsContextArgs): { principal?: Principal } => {
    if ('req' in args && args.req) {
      try {
        return { principal: authenticator.authenticate(args.req.headers['authorization']) };
      } catch (err) {
        throw toGraphQLError(err);
      }
    }
    // each operation checks the connection's token again: a connection whose token was revoked is closed (4401)
    const extra = (args as WsContextArgs).extra as WsExtra;
    try {
      if (extra.principal !== undefined) extra.principal = authenticator.authenticate(extra.authorization);
    } catch (err) {
      closeUnauthenticated(extra, err);
      throw toGraphQLError(err);
    }
    return { principal: extra.principal };
  };
}

/**
 * Closes (4401) every open graphql-ws connection whose token no longer
 * authenticates: called when an API token event (a revocation) is applied,
 * so a revoked token's subscriptions stop at once instead of at the
 * connection's next operation.
 */
export function closeRevokedConnections(authenticator: Authenticator, connections: Iterable<object>): void {
  for (const extra of connections as Iterable<WsExtra>) {
    if (extra.principal === undefined) continue;
    try {
      authenticator.authenticate(extra.authorization);
    } catch (err) {
      extra.principal = undefined;
      closeUnauthenticated(extra, err);
    }
  }
}

/**
 * graphql-ws `onConnect`: the token comes in the connection params
 * (`{authorization: "Bearer …"}`); without a valid one the connection is
 * closed with 4401 and the reason names the code.
 */
export function authenticateConnection(authenticator: Authenticator) {
  return (ctx: WsContextArgs): boolean => {
    const extra = ctx.extra as WsExtra;
    try {
      extra.authorization = authorizationParam(ctx.connectionParams);
      extra.principal = authenticator.authenticate(extra.authorization);
      return true;
    } catch (err) {
      closeUnauthenticated(extra, err);
      return false;
    }
  };
}
