import { ErrorCode } from '@berth/domain';
import { useState, type FormEvent } from 'react';
import { BerthApiError } from '../api/berth-api';
import { DEPLOYMENT_GROUPS_QUERY, JOBS_QUERY, START_RELEASE_PLAN } from '../api/documents';
import type { DeploymentGroupSummary, JobPage, PipelineProblem } from '../api/types';
import { navigate } from '../app/router';
import { useSession } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { useAction } from '../components/use-action';
import { useQuery } from '../components/use-live';
import { refusedProblems } from '../pipeline/pipeline-format';
import { EMPTY_ROW, parsePlanForm, problemPlace, type PlanField, type PlanServiceRow } from './release-plan-form';

const FIELDS: readonly { readonly name: PlanField; readonly label: string; readonly placeholder: string; readonly list?: string }[] = [
  { name: 'service', label: 'Service', placeholder: 'a job name', list: 'plan-services' },
  { name: 'job', label: 'Job', placeholder: '"2", svc:2 or a job id', list: 'plan-jobs' },
  { name: 'group', label: 'Group', placeholder: 'deployment group', list: 'plan-groups' },
  { name: 'quorum', label: 'Quorum', placeholder: 'all hosts' },
  { name: 'maxUnavailable', label: 'Max unavailable', placeholder: 'count or 25%' },
  { name: 'dependsOn', label: 'Depends on', placeholder: 'services of this plan, "," between' },
];

/** Names to pick from: job names and ids, deployment groups (typing anything else stays possible). */
function Suggestions() {
  const jobs = useQuery<{ jobs: JobPage }>(JOBS_QUERY, { first: 1000 }, 'plan-jobs');
  const groups = useQuery<{ deploymentGroups: { items: DeploymentGroupSummary[] } }>(DEPLOYMENT_GROUPS_QUERY, {}, 'plan-groups');
  const jobItems = jobs.data?.jobs.items ?? [];
  const options = (id: string, values: readonly string[]) => (
    <datalist id={id}>
      {[...new Set(values)].map((v) => (
        <option key={v} value={v} />
      ))}
    </datalist>
  );
  return (
    <>
      {options('plan-services', jobItems.map((j) => j.name))}
      {options('plan-jobs', jobItems.map((j) => j.id))}
      {options('plan-groups', (groups.data?.deploymentGroups.items ?? []).map((g) => g.name))}
    </>
  );
}

function Problems(props: { readonly problems: readonly PipelineProblem[] }) {
  return (
    <ol className="pipeline-problems" data-testid="plan-problems" aria-label="problems">
      {props.problems.map((p, i) => (
        <li key={i} data-line={p.line ?? ''}>
          {p.line === null ? null : <span className="line">line {p.line} </span>}
          {p.path ? <code>{p.path}</code> : null}
          {p.path ? ' ' : null}
          {p.message}
        </li>
      ))}
    </ol>
  );
}

const TEXT_EXAMPLE = 'services:\n- service: db-proxy\n  job: 2\n  group: dc1.db-proxy\n- service: api\n  job: api:7\n  group: dc1.api\n  dependsOn: [db-proxy]';

function refusedBeforeSending(problems: readonly unknown[]): BerthApiError {
  const n = problems.length;
  return new BerthApiError(ErrorCode.INVALID_RELEASE_PLAN, `${n} ${n === 1 ? 'problem' : 'problems'} in the plan: nothing was sent`);
}

/**
 * Starts a release plan (startReleasePlan takes release.yaml): one row per
 * service — its job, group, quorum, maxUnavailable and the services it
 * depends on — checked by the scheduler's own rules before anything is
 * sent, each problem on its field and in the list; or a release.yaml pasted
 * as it is, whose problems the scheduler lists by line. The plan's page
 * opens once it has started.
 */
export function StartPlanForm() {
  const { api } = useSession();
  const [mode, setMode] = useState<'rows' | 'text'>('rows');
  const [rows, setRows] = useState<readonly PlanServiceRow[]>([EMPTY_ROW]);
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<readonly PipelineProblem[]>([]);
  const start = useAction(async () => {
    setProblems([]);
    let source = text;
    if (mode === 'rows') {
      const parsed = parsePlanForm(rows);
      if (parsed.source === undefined) {
        setProblems(parsed.problems.map((p) => ({ ...p, line: null })));
        throw refusedBeforeSending(parsed.problems);
      }
      source = parsed.source;
    } else if (!text.trim()) {
      const missing = [{ path: '', line: null, message: 'paste a release.yaml with its services' }];
      setProblems(missing);
      throw refusedBeforeSending(missing);
    }
    try {
      const answer = await api.request<{ startReleasePlan: { plan: { planId: string } } }>(START_RELEASE_PLAN, { source });
      navigate(`/plans/${encodeURIComponent(answer.startReleasePlan.plan.planId)}`);
    } catch (err) {
      setProblems(refusedProblems(err, ErrorCode.INVALID_RELEASE_PLAN) ?? []);
      throw err;
    }
  });
  const invalid = (row: number, field: PlanField) =>
    problems.filter((p) => {
      const place = problemPlace(p.path);
      return place?.row === row && place.field === field;
    });
  const set = (i: number, field: PlanField, value: string) => setRows((all) => all.map((r, j) => (j === i ? { ...r, [field]: value } : r)));
  const switchMode = () => {
    // the rows, when they make a plan, become the text to start from
    if (mode === 'rows') setText((current) => parsePlanForm(rows).source ?? current);
    setMode(mode === 'rows' ? 'text' : 'rows');
    setProblems([]);
    start.clearError();
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void start.perform();
  };
  return (
    <form onSubmit={onSubmit} aria-label="start a release plan" className="inline-form ask-form" noValidate>
      <h2>Start a release plan</h2>
      <p className="muted">Services start in dependency order; each one's image is staged on its group's hosts before the switch, which waits for the quorum.</p>
      <Suggestions />
      {mode === 'text' ? (
        <label>
          <span className="muted">release.yaml (YAML or JSON), sent as it is</span>
          <textarea name="source" aria-label="release.yaml" spellCheck={false} rows={Math.max(8, text.split('\n').length + 1)} value={text} placeholder={TEXT_EXAMPLE} onChange={(e) => setText(e.target.value)} />
        </label>
      ) : (
        rows.map((row, i) => (
          <fieldset key={i} aria-label={`service ${i + 1}`}>
            <legend>Service {i + 1}</legend>
            {FIELDS.map((field) => {
              const mine = invalid(i, field.name);
              return (
                <label key={field.name} className={mine.length > 0 ? 'invalid' : undefined}>
                  {field.label}{' '}
                  <input name={field.name} value={row[field.name]} placeholder={field.placeholder} list={field.list} aria-invalid={mine.length > 0 || undefined} onChange={(e) => set(i, field.name, e.target.value)} />
                  {mine.length > 0 ? <small>{mine.map((p) => p.message).join('; ')}</small> : null}
                </label>
              );
            })}
            {rows.length > 1 ? (
              <button type="button" onClick={() => setRows((all) => all.filter((_, j) => j !== i))}>
                Remove service {i + 1}
              </button>
            ) : null}
          </fieldset>
        ))
      )}
      <div className="actions">
        {mode === 'rows' ? (
          <button type="button" onClick={() => setRows((all) => [...all, EMPTY_ROW])}>
            Add a service
          </button>
        ) : null}
        <button type="button" onClick={switchMode}>
          {mode === 'rows' ? 'Paste a release.yaml instead' : 'Fill in the services instead'}
        </button>
        <button type="submit" disabled={start.busy}>
          Start release plan
        </button>
      </div>
      <ErrorNote error={start.error} />
      {problems.length > 0 ? <Problems problems={problems} /> : null}
    </form>
  );
}
