import { useEffect, useMemo, useRef, useState } from 'react';
import { BerthApiError } from '../api/berth-api';
import { DEPLOYMENT_GROUP_QUERY, ROLLOUT_PROGRESS_SUBSCRIPTION } from '../api/documents';
import type { DeploymentGroup, Rollout } from '../api/types';
import { Link } from '../app/router';
import { useCan } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { GroupAdmin } from '../group/group-admin';
import { hostCountsText } from '../group/host-counts';
import { useReloadOnEvents } from '../components/use-debounced-reload';
import { useLive, useQuery } from '../components/use-live';
import { CELL_COLOURS, CELL_STATES, countCells, hostCells } from '../rollout/host-cells';
import { HostGrid } from '../rollout/host-grid';
import { RollingUpdateForm } from '../rollout/rolling-update-form';
import { RolloutActions } from '../rollout/rollout-actions';
import { etaText, formatDuration, percentDone, rolloutTiming } from '../rollout/rollout-clock';
import { failedHostLines, progressText } from '../rollout/rollout-summary';
import { useTaskStates } from '../rollout/use-task-states';

export interface RolloutProgressMessage {
  readonly rolloutProgress: { readonly event: string | null; readonly sequence: number; readonly rollout: Rollout };
}

/**
 * A rolloutProgress message (changedHostsOnly: only the hosts whose row
 * changed) laid over the rollout so far: the changed rows replace theirs,
 * in the rollout's host order; a host not seen before goes last.
 */
export function mergeRolloutProgress(previous: RolloutProgressMessage | null, next: RolloutProgressMessage): RolloutProgressMessage {
  const before = previous?.rolloutProgress.rollout;
  const changed = next.rolloutProgress.rollout.hosts;
  if (!before?.hosts || !changed || before.rolloutId !== next.rolloutProgress.rollout.rolloutId) return next;
  const byHost = new Map(changed.map((h) => [h.host, h]));
  const hosts = before.hosts.map((h) => byHost.get(h.host) ?? h);
  const known = new Set(before.hosts.map((h) => h.host));
  for (const h of changed) if (!known.has(h.host)) hosts.push(h);
  return { rolloutProgress: { ...next.rolloutProgress, rollout: { ...next.rolloutProgress.rollout, hosts } } };
}

/** Ticks every second while `on`, so elapsed and ETA move between events. */
function useNow(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return undefined;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [on]);
  return on ? Date.now() : now;
}

function Legend() {
  return (
    <ul className="legend">
      {CELL_STATES.map((s) => (
        <li key={s}>
          <span className="swatch" style={{ background: CELL_COLOURS[s] }} /> {s === 'skipped' ? 'skipped' : s}
        </li>
      ))}
      <li>
        <span className="swatch canary-swatch" /> canary
      </li>
      <li>
        <span className="swatch current-swatch" /> current batch
      </li>
    </ul>
  );
}

function RolloutPanel(props: { readonly rollout: Rollout; readonly sequence: number }) {
  const { rollout } = props;
  const tasks = useTaskStates(rollout.finished ? null : rollout.targetJobId);
  const cells = useMemo(() => hostCells(rollout, tasks), [rollout, tasks]);
  const counts = countCells(cells);
  const endedAt = useRef<number | undefined>(undefined);
  if (rollout.finished && endedAt.current === undefined) endedAt.current = Date.now();
  if (!rollout.finished) endedAt.current = undefined;
  const now = useNow(!rollout.finished);
  const timing = rolloutTiming(rollout, now, endedAt.current);
  const pct = percentDone(rollout);
  const failed = failedHostLines(rollout);
  return (
    <section className="rollout" aria-label="current rollout">
      <h2>
        Rollout <code>{rollout.rolloutId}</code>{' '}
        <span className={`status status-${rollout.status.toLowerCase()}`} data-testid="rollout-status">
          {rollout.status}
          {rollout.paused ? ' (paused)' : ''}
        </span>
      </h2>
      <p className="muted">
        to <Link to={`/jobs/${encodeURIComponent(rollout.jobId)}`}>{rollout.jobId}</Link>
        {rollout.targetJobId !== rollout.jobId ? ` — ${rollout.status === 'REVERTED' ? 'reverted' : 'reverting'} to ${rollout.targetJobId}` : ''} · {rollout.reason} · batches started: {rollout.batches ?? 0}
      </p>
      {rollout.error ? <p className="error">{rollout.error}</p> : null}
      <div className={`progress progress-${rollout.status.toLowerCase()}${rollout.progress.total === 0 ? ' progress-empty' : ''}`} role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} data-testid="rollout-progress">
        <div className="progress-bar" style={{ width: `${pct}%` }} />
        <span className="progress-text">{progressText(rollout)}</span>
      </div>
      {failed.lines.length > 0 ? (
        <ul className="failed-hosts" data-testid="failed-hosts">
          {failed.lines.map((line) => (
            <li key={line.host} data-host={line.host}>
              <strong>{line.host}</strong> {line.text}
            </li>
          ))}
          {failed.more > 0 ? <li>and {failed.more} more</li> : null}
        </ul>
      ) : null}
      <p className="timing">
        Elapsed <strong data-testid="elapsed">{formatDuration(timing.elapsedMs)}</strong>
        {' · '}ETA <strong data-testid="eta">{etaText(rollout, timing)}</strong>
      </p>
      <RolloutActions rollout={rollout} />
      <Legend />
      <p className="counts" data-testid="cell-counts">
        {CELL_STATES.filter((s) => counts[s] > 0)
          .map((s) => `${s} ${counts[s]}`)
          .join(' · ')}
      </p>
      <HostGrid cells={cells} sequence={props.sequence} />
    </section>
  );
}

/**
 * A deployment group and its current rollout, live: the group re-read on its
 * own events, the rollout from rolloutProgress; its administration below.
 */
export function GroupPage(props: { readonly name: string }) {
  const canDeploy = useCan('deploy');
  const groupQuery = useQuery<{ deploymentGroup: { group: DeploymentGroup } }>(DEPLOYMENT_GROUP_QUERY, { name: props.name }, props.name);
  useReloadOnEvents('deployment-group', groupQuery.reload);
  useReloadOnEvents('host', groupQuery.reload);
  const group = groupQuery.data?.deploymentGroup.group ?? null;
  const missing = groupQuery.error instanceof BerthApiError && groupQuery.error.code === 'DEPLOYMENT_GROUP_NOT_FOUND';
  const rolloutId = group?.rolloutId ?? null;
  const progress = useLive<RolloutProgressMessage>(ROLLOUT_PROGRESS_SUBSCRIPTION, rolloutId ? { rolloutId } : null, rolloutId, { merge: mergeRolloutProgress });
  const message = progress.data?.rolloutProgress;

  return (
    <main>
      <p className="crumbs">
        <Link to="/groups">Deployment groups</Link> /
      </p>
      <h1>
        {props.name}{' '}
        {group ? (
          <span className={`status status-${group.status.toLowerCase()}`} data-testid="group-status">
            {group.status}
          </span>
        ) : null}
      </h1>
      {missing ? (
        <p className="empty">
          There is no deployment group named <code>{props.name}</code> (yet). Create it on the <Link to="/groups">deployment groups</Link> page.
        </p>
      ) : (
        <ErrorNote error={groupQuery.error} />
      )}
      {group ? (
        <p className="muted">
          hosts matching {group.selectors.join('; ')} ({hostCountsText(group.hostCounts)}) · job {group.jobId ?? 'none yet'}
          {group.lastStableJobId ? ` · last stable ${group.lastStableJobId}` : ''}
          {group.error ? ` · ${group.error}` : ''}
        </p>
      ) : null}
      {group?.hostCounts?.matching === 0 ? (
        <p className="empty warning" role="note" data-testid="no-hosts">
          No host matches {group.selectors.join('; ')}: a rolling update deploys nothing now (it is done at once); hosts that match later get the group&apos;s job. Check the selectors against the hosts&apos; labels on the{' '}
          <Link to="/fleet">fleet</Link> page.
        </p>
      ) : null}
      {group?.hostCounts && group.hostCounts.matching > 0 && group.hostCounts.up === 0 ? (
        <p className="empty warning" role="note" data-testid="no-hosts">
          All {group.hostCounts.matching} hosts that match are DOWN: a rolling update skips them until they come back.
        </p>
      ) : null}
      <ErrorNote error={progress.error} />
      {message ? <RolloutPanel rollout={message.rollout} sequence={message.sequence} /> : null}
      {group && !rolloutId ? (
        <p className="empty">No rollout yet. {canDeploy ? 'Start one with the form below: pick a job and the options.' : 'A user with the deploy role can start one.'}</p>
      ) : null}
      {group && canDeploy ? <RollingUpdateForm group={props.name} /> : null}
      {group ? <GroupAdmin group={group} onChanged={groupQuery.reload} /> : null}
    </main>
  );
}
