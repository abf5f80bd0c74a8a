import { useRef, useState, type FormEvent } from 'react';
import { BerthApiError } from '../api/berth-api';
import { SET_PIPELINE, VALIDATE_PIPELINE } from '../api/documents';
import type { PipelineProblem, PipelineValidation, ServicePipeline } from '../api/types';
import { useSession } from '../app/session';
import { ErrorNote } from '../components/error-note';
import { useAction } from '../components/use-action';
import { lineRange, refusedProblems } from './pipeline-format';

type Outcome =
  | { readonly kind: 'validated'; readonly problems: readonly PipelineProblem[] }
  | { readonly kind: 'refused'; readonly problems: readonly PipelineProblem[] }
  | { readonly kind: 'saved'; readonly pipeline: ServicePipeline; readonly changed: boolean };

function Problems(props: { readonly problems: readonly PipelineProblem[]; readonly onLine: (line: number) => void }) {
  return (
    <ol className="pipeline-problems" data-testid="pipeline-problems" aria-label="problems">
      {props.problems.map((p, i) => (
        <li key={i} data-line={p.line ?? ''}>
          {p.line === null ? (
            <span className="line">file</span>
          ) : (
            <button type="button" className="line" onClick={() => props.onLine(p.line as number)}>
              line {p.line}
            </button>
          )}{' '}
          {p.path ? <code>{p.path}</code> : null} {p.message}
        </li>
      ))}
    </ol>
  );
}

/**
 * A service's deploy.yaml as text: Validate asks the gateway to check it (the
 * schema and the cluster, nothing stored), Save sets it exactly as typed. Each
 * problem shows with its line; clicking the line selects it in the text.
 */
export function PipelineEditor(props: { readonly service: string; readonly initialSource: string; onSaved(): void }) {
  const { api } = useSession();
  const [source, setSource] = useState(props.initialSource);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const text = useRef<HTMLTextAreaElement>(null);
  const validate = useAction(async () => {
    setOutcome(null);
    const answer = await api.request<{ validatePipeline: PipelineValidation }>(VALIDATE_PIPELINE, { service: props.service, source });
    setOutcome({ kind: 'validated', problems: answer.validatePipeline.problems });
  });
  const save = useAction(async () => {
    setOutcome(null);
    try {
      const answer = await api.request<{ setPipeline: { changed: boolean; pipeline: ServicePipeline } }>(SET_PIPELINE, { service: props.service, source });
      setOutcome({ kind: 'saved', pipeline: answer.setPipeline.pipeline, changed: answer.setPipeline.changed });
      props.onSaved();
    } catch (err) {
      const problems = refusedProblems(err);
      if (problems) setOutcome({ kind: 'refused', problems });
      throw err;
    }
  });
  const goToLine = (line: number) => {
    const area = text.current;
    if (!area) return;
    const { start, end } = lineRange(area.value, line);
    area.focus();
    area.setSelectionRange(start, end);
    const lineHeight = parseFloat(getComputedStyle(area).lineHeight);
    if (Number.isFinite(lineHeight)) area.scrollTop = Math.max(0, (line - 1) * lineHeight - area.clientHeight / 2);
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void save.perform();
  };
  const busy = validate.busy || save.busy;
  const problems = outcome?.kind === 'validated' || outcome?.kind === 'refused' ? outcome.problems : [];
  const saveError = outcome?.kind === 'refused' && save.error instanceof BerthApiError ? new BerthApiError(save.error.code, `${problems.length} ${problems.length === 1 ? 'problem' : 'problems'} in the file: nothing was stored`) : save.error;
  return (
    <form onSubmit={onSubmit} aria-label="edit deploy.yaml" className="inline-form pipeline-editor" noValidate>
      <h2>deploy.yaml</h2>
      <label>
        <span className="muted">
          YAML or JSON; <code>{'{service}'}</code> stands for {props.service}
        </span>
        <textarea
          ref={text}
          name="source"
          aria-label="deploy.yaml"
          spellCheck={false}
          rows={Math.max(10, source.split('\n').length + 1)}
          value={source}
          onChange={(e) => setSource(e.target.value)}
        />
      </label>
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => void validate.perform()}>
          Validate
        </button>
        <button type="submit" disabled={busy}>
          Save
        </button>
      </div>
      <ErrorNote error={validate.error} />
      <ErrorNote error={saveError} />
      {outcome?.kind === 'validated' && problems.length === 0 ? (
        <p className="notice" role="status">
          No problems: the file is valid and its groups exist, match hosts and cover every group {props.service} runs in.
        </p>
      ) : null}
      {problems.length > 0 ? <Problems problems={problems} onLine={goToLine} /> : null}
      {outcome?.kind === 'saved' ? (
        <p className="notice" role="status">
          {outcome.changed ? `Saved as revision ${outcome.pipeline.revision}.` : `Unchanged: revision ${outcome.pipeline.revision} already has this text.`}
        </p>
      ) : null}
    </form>
  );
}
