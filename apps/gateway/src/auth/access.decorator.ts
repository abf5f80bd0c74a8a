import { ApiRole } from '@berth/contracts';
import { SetMetadata } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

/** What an operation needs: a role, or nothing at all (health probes). */
export type AccessLevel = ApiRole | 'public';

const ACCESS_METADATA = 'berth:access';

/**
 * THE declaration of who may call a query, mutation, subscription or REST
 * route — on the handler, or on its class for all its handlers. The one
 * AuthGuard enforces it; the auth matrix test is generated from it.
 */
export const Access = (level: AccessLevel) => SetMetadata(ACCESS_METADATA, level);

/** Undeclared operations need `admin`: a handler someone forgot to annotate fails closed. */
export const UNDECLARED_ACCESS: AccessLevel = ApiRole.ADMIN;

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function accessOf(reflector: Reflector, handler: Function, cls: Function): AccessLevel {
  return reflector.getAllAndOverride<AccessLevel | undefined>(ACCESS_METADATA, [handler, cls]) ?? UNDECLARED_ACCESS;
}

/** The same lookup without a Nest Reflector (for tests that enumerate operations). */
export function declaredAccess(cls: { prototype: object }, method: string): AccessLevel {
  const handler = (cls.prototype as Record<string, unknown>)[method];
  const own = typeof handler === 'function' ? (Reflect.getMetadata(ACCESS_METADATA, handler) as AccessLevel | undefined) : undefined;
  return own ?? (Reflect.getMetadata(ACCESS_METADATA, cls) as AccessLevel | undefined) ?? UNDECLARED_ACCESS;
}
