import { API_TOKEN_ROLES } from '@berth/domain';

/**
 * Roles of API tokens, each allowing everything the ones before it allow:
 * `read` (queries, subscriptions), `deploy` (jobs, deployments, rollouts),
 * `admin` (hosts, deployment group definitions, API tokens).
 */
export const ApiRole = { READ: 'read', DEPLOY: 'deploy', ADMIN: 'admin' } as const;
export type ApiRole = (typeof ApiRole)[keyof typeof ApiRole];

/** In order of power; the domain's list (an admin-created token's role is checked there). */
export const API_ROLES: readonly ApiRole[] = API_TOKEN_ROLES;

export function isApiRole(value: unknown): value is ApiRole {
  return typeof value === 'string' && (API_ROLES as readonly string[]).includes(value);
}

/** Whether a token holding `held` may do what needs `required`. */
export function roleAllows(held: ApiRole, required: ApiRole): boolean {
  return API_ROLES.indexOf(held) >= API_ROLES.indexOf(required);
}
