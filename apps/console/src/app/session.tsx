import { createContext, useContext } from 'react';
import type { BerthApi } from '../api/berth-api';

/** Gateway roles, least to most (`read` sees, `deploy` acts on jobs and rollouts, `admin` everything). */
export type Role = 'read' | 'deploy' | 'admin';

const RANK: Readonly<Record<Role, number>> = { read: 0, deploy: 1, admin: 2 };

export function hasRole(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

export function parseRole(value: unknown): Role | null {
  const v = typeof value === 'string' ? value.toLowerCase() : '';
  return v === 'read' || v === 'deploy' || v === 'admin' ? v : null;
}

export interface Session {
  readonly api: BerthApi;
  readonly subject: string;
  readonly role: Role;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}

/** True when the signed-in token may use actions that need `needed`. */
export function useCan(needed: Role): boolean {
  return hasRole(useSession().role, needed);
}
