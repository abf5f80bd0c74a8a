import { ErrorCode, GATE_DEFAULT_TIMEOUT_SECONDS, type PipelineStep } from '@berth/domain';
import { BerthApiError } from '../api/berth-api';
import type { PipelineProblem } from '../api/types';

/** A step's options as deploy.yaml spells them, defaults left out (a gate's default timeout is shown as such). */
export function stepOptions(step: PipelineStep): string[] {
  const options: string[] = [];
  if (step.timeout !== undefined) options.push(`timeout ${step.timeout} s`);
  else if (step.kind === 'gate') options.push(`timeout ${GATE_DEFAULT_TIMEOUT_SECONDS} s (default)`);
  if (step.autoRollback) options.push('auto_rollback');
  if (step.ignoreFailure) options.push('ignore_failure');
  if (step.disabled) options.push('disabled');
  if (!step.waitForDeployment) options.push('wait_for_deployment: false');
  return options;
}

function toProblem(raw: unknown): PipelineProblem | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { line, path, message } = raw as Record<string, unknown>;
  if (typeof message !== 'string') return null;
  return { line: typeof line === 'number' ? line : null, path: typeof path === 'string' ? path : '', message };
}

/** The problems of a gateway refusal with `code` (`details.problems`: INVALID_PIPELINE, INVALID_RELEASE_PLAN), or null for any other error. */
export function refusedProblems(error: unknown, code: string = ErrorCode.INVALID_PIPELINE): PipelineProblem[] | null {
  if (!(error instanceof BerthApiError) || error.code !== code) return null;
  const raw = error.details['problems'];
  return Array.isArray(raw) ? raw.map(toProblem).filter((p): p is PipelineProblem => p !== null) : [];
}

/** Where a 1-based line starts and ends in `text` (the last line when `line` is past the end). */
export function lineRange(text: string, line: number): { start: number; end: number } {
  let start = 0;
  for (let n = 1; n < line; n++) {
    const next = text.indexOf('\n', start);
    if (next === -1) break;
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return { start, end: end === -1 ? text.length : end };
}

/** A starting point for a service that has no pipeline yet (or one set without its text). */
export const PIPELINE_TEMPLATE = [
  '# deploy.yaml: the order a new version of the service reaches its deployment groups',
  'pipeline:',
  '- step: "{service}.canary"         # a rolling update of this deployment group',
  '  trigger_next_step_manually: true  # then wait for an advance',
  '- step: "{service}.main"',
  '',
].join('\n');
