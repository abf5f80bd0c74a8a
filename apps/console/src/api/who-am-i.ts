import { BerthApiError, type BerthApi } from './berth-api';
import { parseRole, type Role } from '../app/session';

export interface Identity {
  readonly subject: string;
  readonly role: Role;
}

const WHO_AM_I = 'query WhoAmI { whoAmI { subject role } }';
/** any read proves the token is accepted when the gateway has no whoAmI query */
const PROBE = 'query Probe { deploymentGroups { sequence } }';

/**
 * The token's subject and role. A gateway without API tokens (no `whoAmI`
 * query in its schema) lets everyone do everything, so the console shows every
 * action; a rejected token is UNAUTHENTICATED.
 */
export async function whoAmI(api: BerthApi): Promise<Identity> {
  try {
    const data = await api.request<{ whoAmI: { subject: string; role: string } }>(WHO_AM_I);
    const role = parseRole(data.whoAmI.role);
    if (!role) throw new BerthApiError('INTERNAL', `unknown role ${data.whoAmI.role}`);
    return { subject: data.whoAmI.subject, role };
  } catch (err) {
    if (!(err instanceof BerthApiError) || err.code !== 'GRAPHQL_VALIDATION_FAILED') throw err;
  }
  await api.request(PROBE);
  return { subject: 'anonymous', role: 'admin' };
}
