import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { SessionContext, type Role } from '../app/session';
import type { ScriptedBerthApi } from './scripted-api';

/** Renders a page as a signed-in token with `role` would see it, talking to `api`. */
export function renderInSession(api: ScriptedBerthApi, page: ReactNode, role: Role = 'admin') {
  return render(<SessionContext.Provider value={{ api, role, subject: 'tester', signOut: () => undefined }}>{page}</SessionContext.Provider>);
}
