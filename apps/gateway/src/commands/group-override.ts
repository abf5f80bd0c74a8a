import { ApiRole, ErrorCode, roleAllows } from '@berth/contracts';
import type { Principal } from '../auth/api-tokens';
import { gatewayError } from '../errors/error-mapping';

/**
 * Undeploying a deployment group's deployment without naming the group (for
 * one a removed group left behind, or to clear a host) is an admin's call.
 * Without authentication (--auth none) there is no role to check.
 */
export function assertMayOverrideGroup(overrideGroup: boolean | undefined | null, principal: Principal | undefined): void {
  if (overrideGroup !== true) return;
  if (principal !== undefined && !roleAllows(principal.role, ApiRole.ADMIN)) {
    throw gatewayError(ErrorCode.FORBIDDEN, "undeploying a deployment group's deployment without naming the group needs the admin role", {
      required: ApiRole.ADMIN,
      role: principal.role,
    });
  }
}
