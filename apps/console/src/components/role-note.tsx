import type { ReactNode } from 'react';
import { useSession, type Role } from '../app/session';

/** Says why the actions of a page are missing: `what` needs a role the signed-in token lacks. */
export function RoleNote(props: { readonly what: string; readonly needed: Role; readonly children?: ReactNode }) {
  const { role } = useSession();
  return (
    <p className="muted" role="note">
      {props.what} needs the {props.needed} role; your token has the {role} role.{props.children}
    </p>
  );
}
