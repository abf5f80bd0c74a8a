import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from './api-tokens';
import { principalOf } from './auth.guard';

/**
 * The principal the guard let through (undefined without authentication,
 * `--auth none`), as a handler parameter: handlers pass it on explicitly
 * (`commands.as(caller)`), so its subject is the actor of the commands they
 * send. (An AsyncLocalStorage would spare the parameter, but its promise
 * hooks cost every promise in the process, subscriptions' fan-out included.)
 */
export const Caller = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal | undefined => principalOf(ctx));
