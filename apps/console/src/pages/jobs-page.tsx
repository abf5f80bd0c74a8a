import { useState, type FormEvent } from 'react';
import { BerthApiError } from '../api/berth-api';
import { CREATE_JOB, JOBS_QUERY } from '../api/documents';
import type { JobPage } from '../api/types';
import { Link } from '../app/router';
import { useCan, useSession } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { useAction } from '../components/use-action';
import { useReloadOnEvents } from '../components/use-debounced-reload';
import { useQuery } from '../components/use-live';

const EXAMPLE_JOB = JSON.stringify({ id: 'web:1', image: 'local/busybox:1', command: ['sleep', '600'] }, null, 2);

function CreateJobForm(props: { onCreated(jobId: string): void }) {
  const { api } = useSession();
  const [text, setText] = useState(EXAMPLE_JOB);
  const create = useAction(async () => {
    let job: unknown;
    try {
      job = JSON.parse(text);
    } catch (err) {
      throw new BerthApiError('INVALID_JOB_DEFINITION', `the job file is not JSON: ${(err as Error).message}`);
    }
    const { createJob } = await api.request<{ createJob: { jobId: string } }>(CREATE_JOB, { job });
    props.onCreated(createJob.jobId);
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void create.perform();
  };
  return (
    <form onSubmit={onSubmit} aria-label="create a job" className="inline-form">
      <h2>New job</h2>
      <label>
        Job file (JSON, Helios field names: id name:version, image, command, env, ports, healthCheck, …)
        <textarea name="job" rows={8} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
      </label>
      <button type="submit" disabled={create.busy}>
        Create job
      </button>
      <ErrorNote error={create.error} />
    </form>
  );
}

const PAGE_SIZE = 50;

/** Jobs, a page at a time (cursor), filtered by Helios matching. */
export function JobsPage() {
  const canDeploy = useCan('deploy');
  const [pattern, setPattern] = useState('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [created, setCreated] = useState<string | null>(null);
  const after = cursors[cursors.length - 1] ?? null;
  // absent, not null: the gateway reads `after: null` as a cursor
  const variables = { first: PAGE_SIZE, ...(after === null ? {} : { after }), ...(pattern ? { filter: { pattern } } : {}) };
  const jobs = useQuery<{ jobs: JobPage }>(JOBS_QUERY, variables, `${pattern}\n${after}\n${created}`);
  useReloadOnEvents('job', jobs.reload);
  const page = jobs.data?.jobs;
  return (
    <main>
      <h1>Jobs</h1>
      <label className="filter">
        Filter{' '}
        <input
          name="pattern"
          value={pattern}
          placeholder="name, name:version, id prefix or substring"
          onChange={(e) => {
            setPattern(e.target.value);
            setCursors([null]);
          }}
        />
      </label>
      <ErrorNote error={jobs.error} />
      {page && page.totalCount === 0 ? (
        <p className="empty">{pattern ? `No job matches "${pattern}".` : canDeploy ? 'No jobs yet. Create one with the form below.' : 'No jobs yet.'}</p>
      ) : null}
      {page && page.items.length > 0 ? (
        <>
          <table>
            <thead>
              <tr>
                <th>Job id</th>
                <th>Deployed on</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((job) => (
                <tr key={job.id}>
                  <td>
                    <Link to={`/jobs/${encodeURIComponent(job.id)}`}>{job.id}</Link>
                  </td>
                  <td>{job.deployments.length === 0 ? '—' : `${job.deployments.length} hosts (${job.deployments.filter((d) => d.state === 'RUNNING').length} RUNNING)`}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="pager">
            {cursors.length > 1 ? (
              <button type="button" onClick={() => setCursors((c) => c.slice(0, -1))}>
                Previous
              </button>
            ) : null}{' '}
            {page.totalCount} jobs{' '}
            {page.nextCursor ? (
              <button type="button" onClick={() => setCursors((c) => [...c, page.nextCursor])}>
                Next
              </button>
            ) : null}
          </p>
        </>
      ) : null}
      {created ? (
        <p className="notice" data-testid="job-created">
          Created <Link to={`/jobs/${encodeURIComponent(created)}`}>{created}</Link>
        </p>
      ) : null}
      {canDeploy ? <CreateJobForm onCreated={setCreated} /> : null}
    </main>
  );
}
