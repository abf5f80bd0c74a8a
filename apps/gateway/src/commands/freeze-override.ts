import { ApiRole, ErrorCode, roleAllows } from '@berth/contracts';
import type { Principal } from '../auth/api-tokens';
import { gatewayError } from '../errors/error-mapping';

/**
 * Starting a release or rollout through a deploy freeze is an admin's call
 * (the reason is recorded); a deploy token may start releases, not
 * override freezes. Without authentication (--auth none) there is no role to check.
 */
export function assertMayOverrideFreeze(overrideFreeze: string | undefined | null, principal: Principal | undefined): void {
  if (overrideFreeze === undefined || overrideFreeze === null) return;
  if (principal !== undefined && !roleAllows(principal.role, ApiRole.ADMIN)) {
    throw gatewayError(ErrorCode.FORBIDDEN, 'overriding a deploy freeze needs the admin role', { required: ApiRole.ADMIN, role: principal.role });
  }
}
