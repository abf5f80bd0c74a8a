import { useState, type FormEvent } from 'react';
import { API_TOKENS_QUERY, CREATE_API_TOKEN, REVOKE_API_TOKEN } from '../api/documents';
import type { ApiToken, CreatedApiToken } from '../api/types';
import { hasRole, useSession, type Role } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { useAction } from '../components/use-action';
import { useReloadOnEvents } from '../components/use-debounced-reload';
import { useQuery } from '../components/use-live';

const ROLES: readonly Role[] = ['read', 'deploy', 'admin'];

/** The secret of a token just created: the gateway keeps only its hash, so this is the one time it can be read. */
function NewToken(props: { readonly created: CreatedApiToken; onDismiss(): void }) {
  const { created } = props;
  const [copied, setCopied] = useState(false);
  const copy = () => {
    // the clipboard API exists only in secure contexts (https or localhost)
    void navigator.clipboard?.writeText(created.token).then(() => setCopied(true));
  };
  return (
    <section className="notice new-token" aria-label="new API token">
      <p>
        Token for <strong>{created.subject}</strong> ({created.role}):
      </p>
      <p>
        <code className="data" data-testid="new-token">
          {created.token}
        </code>
      </p>
      <p>
        <strong>Copy it now: it will not be shown again.</strong> Select it and copy it (or use the button), then give it to its owner; they sign in with it or
        send it as <code>Authorization: Bearer &lt;token&gt;</code>.
      </p>
      <div className="actions">
        {navigator.clipboard ? (
          <button type="button" onClick={copy}>
            {copied ? 'Copied' : 'Copy'}
          </button>
        ) : null}
        <button type="button" onClick={props.onDismiss}>
          I have copied it
        </button>
      </div>
    </section>
  );
}

function CreateTokenForm(props: { onCreated(): void }) {
  const { api } = useSession();
  const [subject, setSubject] = useState('');
  const [role, setRole] = useState<Role>('read');
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const create = useAction(async () => {
    setCreated(null);
    const answer = await api.request<{ createApiToken: CreatedApiToken }>(CREATE_API_TOKEN, { subject: subject.trim(), role });
    setCreated(answer.createApiToken);
    setSubject('');
    props.onCreated();
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void create.perform();
  };
  return (
    <form onSubmit={onSubmit} aria-label="create an API token" className="inline-form">
      <h2>New API token</h2>
      <label>
        Subject <input name="subject" value={subject} onChange={(e) => setSubject(e.target.value)} required />
        <small>who the token belongs to: the actor recorded on every event it causes (one token per subject)</small>
      </label>
      <label>
        Role{' '}
        <select name="role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <small>read sees everything; deploy also acts on jobs, rollouts and releases; admin also manages groups, pipelines, freezes and tokens</small>
      </label>
      <button type="submit" disabled={create.busy || subject.trim() === ''}>
        Create token
      </button>
      <ErrorNote error={create.error} />
      {created ? <NewToken created={created} onDismiss={() => setCreated(null)} /> : null}
    </form>
  );
}

function TokenAdmin() {
  const { api } = useSession();
  const tokens = useQuery<{ apiTokens: { items: ApiToken[] } }>(API_TOKENS_QUERY, {}, 'tokens');
  useReloadOnEvents('api-token', tokens.reload);
  const [actedOn, setActedOn] = useState<string | null>(null);
  const revoke = useAction(async (subject: string) => {
    setActedOn(subject);
    if (!window.confirm(`Revoke the token of ${subject}? Every request with it is refused from the next one on, and its live connections close.`)) return;
    await api.request(REVOKE_API_TOKEN, { subject });
    tokens.reload();
  });
  const items = tokens.data?.apiTokens.items ?? [];
  return (
    <main>
      <h1>API tokens</h1>
      <ErrorNote error={tokens.error} />
      {tokens.data && items.length === 0 ? <p className="empty">No tokens created here yet (tokens from the gateway&apos;s tokens file are not listed). Create one below.</p> : null}
      {items.length > 0 ? (
        <table data-testid="tokens">
          <thead>
            <tr>
              <th>Subject</th>
              <th>Role</th>
              <th>Created</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((t) => (
              <tr key={t.subject}>
                <td>{t.subject}</td>
                <td>{t.role}</td>
                <td>{t.createdAt}</td>
                <td>{t.revoked ? `revoked ${t.revokedAt ?? ''}`.trim() : 'live'}</td>
                <td>
                  {t.revoked ? null : (
                    <button type="button" className="danger" disabled={revoke.busy} onClick={() => void revoke.perform(t.subject)}>
                      Revoke
                    </button>
                  )}
                  {actedOn === t.subject ? <ErrorNote error={revoke.error} /> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <CreateTokenForm onCreated={tokens.reload} />
    </main>
  );
}

/** API tokens (admin only): the list, create (the secret shown once) and revoke. */
export function TokensPage() {
  const { role } = useSession();
  if (!hasRole(role, 'admin')) {
    return (
      <main>
        <h1>API tokens</h1>
        <p className="empty" role="note">
          Managing API tokens needs the admin role; your token has the {role} role. Ask an admin for a token with more rights.
        </p>
      </main>
    );
  }
  return <TokenAdmin />;
}
