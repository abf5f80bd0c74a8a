import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Observable } from 'rxjs';
import type { Principal } from './api-tokens';
import { principalOf } from './auth.guard';

const current = new AsyncLocalStorage<Principal>();

/** The principal of the request being served, if any (read by CommandService for the actor). */
export function currentPrincipal(): Principal | undefined {
  return current.getStore();
}

/**
 * Runs each handler inside its caller's principal, so the commands it sends
 * carry the token's subject as actor without every handler passing it on.
 * (Nest binds the handler to the async context `handle()` is called in.)
 */
@Injectable()
export class ActorInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const principal = principalOf(ctx);
    return principal ? current.run(principal, () => next.handle()) : next.handle();
  }
}
