import type { PipelineStep } from '@berth/domain';
import { BerthApiError } from '../api/berth-api';
import { lineRange, refusedProblems, stepOptions } from './pipeline-format';

const step = (over: Partial<PipelineStep>): PipelineStep => ({ kind: 'group', name: 'prod', autoRollback: false, ignoreFailure: false, disabled: false, waitForDeployment: true, ...over });

describe('stepOptions', () => {
  it('names the options set, as deploy.yaml spells them, and none for a plain group step', () => {
    expect(stepOptions(step({}))).toEqual([]);
    expect(stepOptions(step({ timeout: 900, autoRollback: true, ignoreFailure: true, disabled: true, waitForDeployment: false }))).toEqual([
      'timeout 900 s',
      'auto_rollback',
      'ignore_failure',
      'disabled',
      'wait_for_deployment: false',
    ]);
  });

  it("shows a gate's default timeout as the default, and its own when set", () => {
    expect(stepOptions(step({ kind: 'gate', name: 'itest' }))).toEqual(['timeout 3600 s (default)']);
    expect(stepOptions(step({ kind: 'gate', name: 'itest', timeout: 600 }))).toEqual(['timeout 600 s']);
  });
});

describe('refusedProblems', () => {
  it("reads INVALID_PIPELINE's problems, a problem without a line as null, and drops what is not a problem", () => {
    const error = new BerthApiError('INVALID_PIPELINE', 'Invalid pipeline file', {
      problems: [{ path: 'pipeline[1].timeout', line: 4, message: 'must be a number' }, { path: '', message: 'bad file' }, 'noise', { path: 'x' }],
    });
    expect(refusedProblems(error)).toEqual([
      { path: 'pipeline[1].timeout', line: 4, message: 'must be a number' },
      { path: '', line: null, message: 'bad file' },
    ]);
  });

  it('is null for any other error', () => {
    expect(refusedProblems(new BerthApiError('FORBIDDEN', 'no'))).toBeNull();
    expect(refusedProblems(new Error('INVALID_PIPELINE'))).toBeNull();
  });
});

describe('lineRange', () => {
  const text = 'pipeline:\n- step: a\n  timeout: soon\n';
  it('gives where a 1-based line starts and ends', () => {
    expect(lineRange(text, 1)).toEqual({ start: 0, end: 9 });
    const third = lineRange(text, 3);
    expect(text.slice(third.start, third.end)).toBe('  timeout: soon');
  });

  it('gives the last line for a line past the end', () => {
    expect(lineRange('a\nb', 9)).toEqual({ start: 2, end: 3 });
  });
});
