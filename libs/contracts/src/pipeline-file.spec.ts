import { ErrorCode, isDomainError } from '@berth/domain';
import { parsePipelineFile, pathKeys, requirePipelineFile, requireReleasePlanFile } from './pipeline-file';

const yaml = `# deploy.yaml
pipeline:
- gate: itest
  timeout: 600
- step: "{service}.canary"
  trigger_next_step_manually: true
- parallel:
  - step: prod.east
  - step: prod.west
    timeout: -5
- step: prod.east
`;

describe('parsePipelineFile', () => {
  it('reads a valid YAML file', () => {
    const { pipeline, problems } = parsePipelineFile(yaml.replace('timeout: -5', 'timeout: 5').replace(/- step: prod.east\n$/, ''), 'web');
    expect(problems).toEqual([]);
    expect(pipeline?.stages[1]?.steps[0]?.name).toBe('web.canary');
  });

  it('names the line of each problem, field by field', () => {
    const { pipeline, problems } = parsePipelineFile(yaml, 'web');
    expect(pipeline).toBeUndefined();
    expect(problems).toEqual([
      { path: 'pipeline[2].parallel[1].timeout', line: 10, message: expect.stringContaining('seconds > 0') },
      { path: 'pipeline[3]', line: 11, message: 'duplicate step "prod.east" (first at pipeline[2].parallel[0])' },
    ]);
  });

  it('reads JSON the same way, with lines', () => {
    const json = '{\n  "pipeline": [\n    {"step": "a"},\n    {"step": "b", "disabled": "no"}\n  ]\n}';
    expect(parsePipelineFile(json, 's').problems).toEqual([{ path: 'pipeline[1].disabled', line: 4, message: 'must be a boolean' }]);
  });

  it('a missing field points at its parent; syntax errors and duplicate keys have their line', () => {
    expect(parsePipelineFile('pipeline:\n- timeout: 3\n', 's').problems).toEqual([{ path: 'pipeline[0]', line: 2, message: expect.stringContaining('exactly one of') }]);
    const broken = parsePipelineFile('pipeline:\n- step: a\n  step: b\n', 's').problems;
    expect(broken).toEqual([{ path: '', line: 3, message: expect.stringContaining('unique') }]);
    expect(parsePipelineFile('pipeline: [\n', 's').problems[0]?.line).toBeGreaterThanOrEqual(1);
  });

  it('a second document (after "..." or "---") is named in the file\'s terms, on its line, not as the library\'s API', () => {
    const message = 'a second YAML document starts here (a "---" line, or what follows a "..." line); the file must be one document: remove the marker, or what follows it';
    expect(parsePipelineFile('pipeline:\n- step: web.canary\n...\n- step: web.main\n', 'web').problems).toEqual([{ path: '', line: 4, message }]);
    expect(parsePipelineFile('pipeline:\n- step: web.canary\n---\npipeline: []\n', 'web').problems).toEqual([{ path: '', line: 3, message }]);
    expect(JSON.stringify(parsePipelineFile('a: 1\n...\nb: 2\n', 'web').problems)).not.toContain('parseAllDocuments');
    // a document end with nothing after it is one document
    expect(parsePipelineFile('pipeline:\n- step: web.canary\n...\n', 'web').problems).toEqual([]);
  });

  it('requirePipelineFile throws INVALID_PIPELINE with every problem', () => {
    let thrown: unknown;
    try {
      requirePipelineFile(yaml, 'web');
    } catch (err) {
      thrown = err;
    }
    expect(isDomainError(thrown) && thrown.code).toBe(ErrorCode.INVALID_PIPELINE);
    expect(isDomainError(thrown) && thrown.message).toContain('line 10: pipeline[2].parallel[1].timeout');
  });

  it('pathKeys splits paths the way the domain writes them', () => {
    expect(pathKeys('pipeline[2].parallel[0]["odd key"]')).toEqual(['pipeline', 2, 'parallel', 0, 'odd key']);
    expect(pathKeys('')).toEqual([]);
  });
});

describe('requireReleasePlanFile', () => {
  it('reads release.yaml; a cycle is refused naming it, with its line', () => {
    expect(requireReleasePlanFile('services:\n- service: a\n  job: 2\n  group: g\n').services).toEqual([{ service: 'a', job: '2', group: 'g', dependsOn: [] }]);
    let thrown: unknown;
    try {
      requireReleasePlanFile('services:\n- service: a\n  job: 1\n  group: g\n  dependsOn: [b]\n- service: b\n  job: 1\n  group: g\n  dependsOn: [a]\n');
    } catch (err) {
      thrown = err;
    }
    expect(isDomainError(thrown) && thrown.code).toBe(ErrorCode.INVALID_RELEASE_PLAN);
    expect(isDomainError(thrown) && thrown.details['problems']).toEqual([{ path: 'services[0].dependsOn', line: 5, message: 'dependency cycle: a → b → a' }]);
  });
});
