import { RELEASE_PROGRESS_SUBSCRIPTION } from '../api/documents';
import type { Release } from '../api/types';
import { Link } from '../app/router';
import { ErrorNote } from '../components/error-note';
import { useLive } from '../components/use-live';
import { GateReports } from '../release/gate-report';
import { ReleaseActions } from '../release/release-actions';
import { isReleaseFinal, releaseTimer, stageLabel, stepOutcome } from '../release/release-format';

interface ReleaseProgressMessage {
  readonly releaseProgress: { readonly event: string | null; readonly sequence: number; readonly release: Release };
}

function Steps(props: { readonly release: Release }) {
  return (
    <table data-testid="release-steps">
      <thead>
        <tr>
          <th>Stage</th>
          <th>Step</th>
          <th>Kind</th>
          <th>State</th>
          <th>Started</th>
          <th>Rollout</th>
        </tr>
      </thead>
      <tbody>
        {props.release.steps.map((s) => (
          <tr key={s.key} className={s.stage === props.release.stage ? 'current' : undefined}>
            <td>
              {s.stage + 1}
              {s.triggerNextStepManually ? <small className="muted"> (manual next)</small> : null}
            </td>
            <td>{s.kind === 'group' ? <Link to={`/groups/${encodeURIComponent(s.name)}`}>{s.name}</Link> : s.name}</td>
            <td>{s.kind}</td>
            <td>
              <span className={`status status-${s.status.toLowerCase()}`}>{stepOutcome(s)}</span>
            </td>
            <td>{s.startedAt ?? '—'}</td>
            <td>{s.rolloutId ? <code>{s.rolloutId}</code> : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Rollback(props: { readonly release: Release }) {
  const { release } = props;
  if (release.rollback.length === 0) return null;
  return (
    <>
      <h2>Rollback{release.rollbackReason ? `: ${release.rollbackReason}` : ''}</h2>
      <table data-testid="release-rollback">
        <thead>
          <tr>
            <th>Group</th>
            <th>Back to job</th>
            <th>State</th>
          </tr>
        </thead>
        <tbody>
          {release.rollback.map((r) => (
            <tr key={r.group}>
              <td>{r.group}</td>
              <td>{r.toJobId}</td>
              <td>{r.error ? `${r.status} — ${r.error}` : r.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

const isFinal = (message: ReleaseProgressMessage) => isReleaseFinal(message.releaseProgress.release);

/**
 * One release, live from releaseProgress (its state now, then after each of
 * its events and of its rollouts) until it reaches a final state, with its
 * actions and a verdict on the gates it waits on.
 */
export function ReleasePage(props: { readonly id: string }) {
  const progress = useLive<ReleaseProgressMessage>(RELEASE_PROGRESS_SUBSCRIPTION, { releaseId: props.id }, props.id, { until: isFinal });
  const release = progress.data?.releaseProgress.release ?? null;
  const missing = progress.error?.code === 'RELEASE_NOT_FOUND';
  const timer = release ? releaseTimer(release) : null;
  return (
    <main>
      <p className="crumbs">
        <Link to="/releases">Releases</Link> /
      </p>
      <h1>
        {release ? `${release.service} → ${release.jobId}` : `Release ${props.id}`}{' '}
        {release ? (
          <span className={`status status-${release.status}`} data-testid="release-status">
            {release.status}
          </span>
        ) : null}
      </h1>
      {missing ? (
        <p className="empty">
          There is no release <code>{props.id}</code>. See the <Link to="/releases">releases</Link>.
        </p>
      ) : (
        <ErrorNote error={progress.error} />
      )}
      {!release && !progress.error ? <p className="muted">Loading…</p> : null}
      {release ? (
        <>
          <p className="muted">
            release <code>{release.releaseId}</code> · stage <span data-testid="release-stage">{stageLabel(release)}</span> · started {release.createdAt} · updated{' '}
            {release.updatedAt}
            {release.group ? ` · group ${release.group} only` : ''}
            {release.autoRollback ? ' · auto-rollback' : ''}
          </p>
          {progress.ended ? (
            <p className="muted" data-testid="release-final">
              Final state: nothing more happens to this release, so the page no longer follows it.
            </p>
          ) : null}
          {release.error ? <p className="error">{release.error}</p> : null}
          {timer ? <p className="notice">{timer}</p> : null}
          {release.freezeOverride ? <p className="muted">started through a deploy freeze: {release.freezeOverride}</p> : null}
          {release.badGroups.length > 0 ? <p className="muted">this job is marked bad for {release.badGroups.join(', ')}</p> : null}
          <ReleaseActions release={release} />
          <GateReports release={release} />
          <h2>Steps</h2>
          <Steps release={release} />
          <Rollback release={release} />
        </>
      ) : null}
    </main>
  );
}
