import { ErrorCode, roleAllows } from '@berth/contracts';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { gatewayError } from '../errors/error-mapping';
import { accessOf } from './access.decorator';
import type { Authenticator, Principal } from './api-tokens';

export const AUTHENTICATOR = Symbol('Authenticator');

/** Where a request's principal is kept: on the Express request (REST) or in the GraphQL context. */
interface PrincipalHolder {
  principal?: Principal;
  headers?: Record<string, unknown>;
}

function holderOf(ctx: ExecutionContext): PrincipalHolder {
  if (ctx.getType<string>() === 'graphql') return GqlExecutionContext.create(ctx).getContext<PrincipalHolder>();
  return ctx.switchToHttp().getRequest<PrincipalHolder>();
}

/** The principal the guard let through, for the actor of the commands it causes. */
export function principalOf(ctx: ExecutionContext): Principal | undefined {
  return holderOf(ctx).principal;
}

/**
 * The one guard: every query, mutation, subscription and REST route needs
 * the role its `@Access` declares. GraphQL callers were authenticated when
 * their context was built (HTTP header or graphql-ws connection params); REST
 * callers are authenticated here. Missing/unknown token → UNAUTHENTICATED
 * (401), too weak a role → FORBIDDEN (403).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const required = accessOf(this.reflector, ctx.getHandler(), ctx.getClass());
    if (required === 'public') return true;
    const holder = holderOf(ctx);
    holder.principal ??= this.authenticator.authenticate(holder.headers?.['authorization']);
    const { subject, role } = holder.principal;
    if (!roleAllows(role, required)) {
      throw gatewayError(ErrorCode.FORBIDDEN, `this needs an API token with the ${required} role; the token of ${subject} has ${role}`, { required, role });
    }
    return true;
  }
}
