import { useState, type FormEvent } from 'react';
import { useSession, useCan } from '../app/session';
import { Link } from '../app/router';
import { ErrorNote } from '../components/error-note';
import { useAction } from '../components/use-action';
import { useReloadOnEvents } from '../components/use-debounced-reload';
import { useQuery } from '../components/use-live';
import { RemoveJobForm } from '../job/remove-job-form';

interface JobDetail {
  readonly id: string;
  readonly job: unknown;
  readonly deployments: readonly { readonly host: string; readonly goal: string; readonly state: string; readonly deploymentGroupName: string | null; readonly status: { readonly throttled: string; readonly containerError: string | null; readonly time: string } | null }[];
}

interface HistoryEntry {
  readonly host: string;
  readonly state: string;
  readonly time: string;
  readonly throttled: string;
  readonly exitCode: number | null;
}

const JOB_QUERY = `query Job($id: String!) {
  job(id: $id) { job { id job deployments { host goal state deploymentGroupName status { throttled containerError time } } } }
  jobHistory(id: $id) { entries { host state time throttled exitCode } }
}`;

type HostAction = 'deploy' | 'undeploy' | 'start' | 'stop';

const CONFIRM: Readonly<Record<HostAction, string>> = {
  deploy: 'Deploy {job} to {host}?',
  undeploy: 'Undeploy {job} from {host}? Its container is stopped and removed.',
  start: 'Start {job} on {host}?',
  stop: 'Stop {job} on {host}?',
};

function mutationOf(action: HostAction): string {
  return `mutation Act($job: String!, $host: String!, $token: String) { ${action}(job: $job, host: $host, token: $token) { sequence status } }`;
}

/** A job: its definition, where it runs with task states, its history, deploy/undeploy/start/stop, and its removal. */
export function JobPage(props: { readonly id: string }) {
  const { api } = useSession();
  const canDeploy = useCan('deploy');
  const data = useQuery<{ job: { job: JobDetail }; jobHistory: { entries: HistoryEntry[] } }>(JOB_QUERY, { id: props.id }, props.id);
  useReloadOnEvents('deployment', data.reload);
  const [host, setHost] = useState('');
  const [token, setToken] = useState('');
  const [actedOn, setActedOn] = useState<string | null>(null);
  const act = useAction(async (action: HostAction, onHost: string) => {
    setActedOn(onHost);
    if (!window.confirm(CONFIRM[action].replace('{job}', props.id).replace('{host}', onHost))) return;
    await api.request(mutationOf(action), { job: props.id, host: onHost, ...(token ? { token } : {}) });
    data.reload();
  });
  const job = data.data?.job.job;
  const onDeploy = (e: FormEvent) => {
    e.preventDefault();
    void act.perform('deploy', host.trim());
  };
  return (
    <main>
      <p className="crumbs">
        <Link to="/jobs">Jobs</Link> /
      </p>
      <h1>{job?.id ?? props.id}</h1>
      <ErrorNote error={data.error} />
      {job ? (
        <>
          <h2>Definition</h2>
          <pre data-testid="job-definition">{JSON.stringify(job.job, null, 2)}</pre>
          <h2>Deployments</h2>
          {job.deployments.length === 0 ? <p className="empty">Not deployed anywhere. {canDeploy ? 'Deploy it to a host below, or roll it out to a deployment group.' : ''}</p> : null}
          {job.deployments.length > 0 ? (
            <table data-testid="deployments">
              <thead>
                <tr>
                  <th>Host</th>
                  <th>Goal</th>
                  <th>Task state</th>
                  <th>Group</th>
                  {canDeploy ? <th>Actions</th> : null}
                </tr>
              </thead>
              <tbody>
                {job.deployments.map((d) => (
                  <tr key={d.host}>
                    <td>{d.host}</td>
                    <td>{d.goal}</td>
                    <td>
                      {d.state}
                      {d.status && d.status.throttled !== 'NO' ? ` (throttled: ${d.status.throttled})` : ''}
                      {d.status?.containerError ? <small> {d.status.containerError}</small> : null}
                    </td>
                    <td>{d.deploymentGroupName ? <Link to={`/groups/${encodeURIComponent(d.deploymentGroupName)}`}>{d.deploymentGroupName}</Link> : '—'}</td>
                    {canDeploy ? (
                      <td>
                        {d.goal === 'STOP' ? (
                          <button type="button" onClick={() => void act.perform('start', d.host)}>
                            Start
                          </button>
                        ) : (
                          <button type="button" onClick={() => void act.perform('stop', d.host)}>
                            Stop
                          </button>
                        )}{' '}
                        <button type="button" className="danger" onClick={() => void act.perform('undeploy', d.host)}>
                          Undeploy
                        </button>
                        {actedOn === d.host ? <ErrorNote error={act.error} /> : null}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {canDeploy ? (
            <form onSubmit={onDeploy} className="inline-form" aria-label="deploy the job">
              <label>
                Deploy to host <input name="host" value={host} onChange={(e) => setHost(e.target.value)} required />
              </label>
              <label>
                Job token <input name="token" value={token} onChange={(e) => setToken(e.target.value)} placeholder="only if the job has one" />
              </label>
              <button type="submit" disabled={act.busy}>
                Deploy
              </button>
              {actedOn === host.trim() && !job.deployments.some((d) => d.host === actedOn) ? <ErrorNote error={act.error} /> : null}
            </form>
          ) : null}
          <h2>History</h2>
          {data.data && data.data.jobHistory.entries.length === 0 ? <p className="empty">No task state changes yet: they appear once agents report.</p> : null}
          <table data-testid="history">
            <tbody>
              {[...(data.data?.jobHistory.entries ?? [])].reverse().map((h, i) => (
                <tr key={`${h.time}-${h.host}-${i}`}>
                  <td>{h.time}</td>
                  <td>{h.host}</td>
                  <td>{h.state}</td>
                  <td>{h.throttled !== 'NO' ? h.throttled : ''}</td>
                  <td>{h.exitCode ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <RemoveJobForm jobId={job.id} definition={job.job} />
        </>
      ) : null}
    </main>
  );
}
