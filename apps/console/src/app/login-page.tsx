import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../components/error-note';

/** Asks for an API token (sent as `Authorization: Bearer`, and in the websocket's connection params). */
export function LoginPage(props: { readonly error: unknown; readonly busy: boolean; onToken(token: string): void }) {
  const [token, setToken] = useState('');
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    props.onToken(token.trim());
  };
  return (
    <main className="login">
      <h1>Berth console</h1>
      <form onSubmit={onSubmit} aria-label="sign in">
        <label>
          API token <input name="token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} required />
        </label>
        <button type="submit" disabled={props.busy || token.trim() === ''}>
          Sign in
        </button>
        <ErrorNote error={props.error} />
        <p className="muted">
          An admin creates tokens (roles read, deploy or admin); <code>npm start</code> prints one for the local cluster. The token stays in this browser
          (localStorage) until you sign out.
        </p>
      </form>
    </main>
  );
}
