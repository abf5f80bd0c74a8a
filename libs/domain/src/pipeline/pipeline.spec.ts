import { ErrorCode } from '../errors';
import { given } from '../testing/given-when-then';
import { checkPipelineAgainstCluster } from './pipeline-check';
import { pipelineGroups, readPipeline } from './pipeline';
import { pipelineDecider } from './pipeline.decider';

const paasta = {
  pipeline: [
    { gate: 'itest', timeout: 600 },
    { step: '{service}.canary', trigger_next_step_manually: true, auto_rollback: true },
    { parallel: [{ step: 'prod.east' }, { step: 'prod.west', ignore_failure: true, wait_for_deployment: false }], trigger_next_step_manually: true },
    { step: 'prod.extra', disabled: true },
  ],
  auto_certify_delay: 30,
};

describe('readPipeline', () => {
  it('reads steps, gates, parallel blocks and options, with {service} interpolated', () => {
    const { pipeline, problems } = readPipeline(paasta, 'web');
    expect(problems).toEqual([]);
    expect(pipeline?.autoCertifyDelay).toBe(30);
    expect(pipeline?.stages.map((stage) => [stage.parallel, stage.triggerNextStepManually, stage.steps.map((s) => `${s.kind}:${s.name}`)])).toEqual([
      [false, false, ['gate:itest']],
      [false, true, ['group:web.canary']],
      [true, true, ['group:prod.east', 'group:prod.west']],
      [false, false, ['group:prod.extra']],
    ]);
    expect(pipeline?.stages[0]?.steps[0]).toEqual({ kind: 'gate', name: 'itest', timeout: 600, autoRollback: false, ignoreFailure: false, disabled: false, waitForDeployment: true });
    expect(pipeline?.stages[2]?.steps[1]).toMatchObject({ ignoreFailure: true, waitForDeployment: false });
    expect(pipeline?.stages[1]?.steps[0]?.autoRollback).toBe(true);
    expect(pipelineGroups(pipeline ?? { stages: [] })).toEqual(['web.canary', 'prod.east', 'prod.west', 'prod.extra']);
  });

  it('reports every problem with its path, and returns no pipeline', () => {
    const { pipeline, problems } = readPipeline(
      {
        pipeline: [
          { step: 'a', timeout: -1 },
          { step: 'b', gate: 'c' },
          { stpe: 'typo' },
          { parallel: [{ step: 'd', trigger_next_step_manually: true }, { parallel: [] }] },
          { step: '{cluster}.all' },
          { step: 'a' },
          'text',
          { gate: 'g', auto_rollback: 'yes' },
        ],
        slack: 1,
      },
      'svc',
    );
    expect(pipeline).toBeUndefined();
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'slack', message: expect.stringContaining('unknown field') },
        { path: 'pipeline[0].timeout', message: expect.stringContaining('seconds > 0') },
        { path: 'pipeline[1]', message: expect.stringContaining('exactly one of') },
        { path: 'pipeline[2].stpe', message: expect.stringContaining('unknown field') },
        { path: 'pipeline[2]', message: expect.stringContaining('exactly one of') },
        { path: 'pipeline[3].parallel[0].trigger_next_step_manually', message: expect.stringContaining('set it on the block') },
        { path: 'pipeline[3].parallel[1]', message: expect.stringContaining('do not nest') },
        { path: 'pipeline[4].step', message: expect.stringContaining('unknown variable {cluster}') },
        { path: 'pipeline[5]', message: 'duplicate step "a" (first at pipeline[0])' },
        { path: 'pipeline[6]', message: expect.stringContaining('must be a step') },
        { path: 'pipeline[7].auto_rollback', message: 'must be a boolean' },
      ]),
    );
  });

  it('a file without a pipeline list, or not a mapping, is refused', () => {
    expect(readPipeline({}, 's').problems).toEqual([{ path: 'pipeline', message: 'required: a non-empty list of steps' }]);
    expect(readPipeline([], 's').problems).toEqual([{ path: '', message: expect.stringContaining('mapping') }]);
    expect(readPipeline({ pipeline: [] }, 's').problems).toHaveLength(1);
  });

  it('a group and a gate may share a name; the same gate twice may not', () => {
    expect(readPipeline({ pipeline: [{ gate: 'x' }, { step: 'x' }] }, 's').problems).toEqual([]);
    expect(readPipeline({ pipeline: [{ gate: 'x' }, { parallel: [{ gate: 'x' }] }] }, 's').problems).toEqual([{ path: 'pipeline[1].parallel[0]', message: 'duplicate gate "x" (first at pipeline[0])' }]);
  });
});

describe('checkPipelineAgainstCluster', () => {
  const { pipeline } = readPipeline({ pipeline: [{ gate: 'itest' }, { step: 'canary' }, { step: 'ghost' }, { step: 'empty' }, { step: 'off', disabled: true }] }, 's');
  it('reports unknown groups, steps reaching no host, and the service groups no step covers', () => {
    const problems = checkPipelineAgainstCluster(pipeline ?? { stages: [] }, {
      groups: [
        { name: 'canary', hosts: 2 },
        { name: 'empty', hosts: 0 },
        { name: 'off', hosts: 0 },
        { name: 'main', hosts: 5 },
      ],
      serviceGroups: ['canary', 'main', 'main'],
    });
    expect(problems).toEqual([
      { path: 'pipeline[2]', message: expect.stringContaining('unknown deployment group "ghost"') },
      { path: 'pipeline[3]', message: expect.stringContaining('matches no host') },
      { path: 'pipeline', message: 'deployment group "main" runs this service but no step covers it' },
    ]);
  });
});

describe('pipeline decider', () => {
  const { pipeline } = readPipeline({ pipeline: [{ step: 'a' }] }, 's');
  const p = pipeline ?? { stages: [] };
  const t0 = '2026-01-01T00:00:00.000Z';
  const set = { type: 'PipelineSet' as const, service: 's', pipeline: p, source: 'pipeline:\n- step: a\n', time: t0 };

  it('SetPipeline records the pipeline; the same one again changes nothing; another replaces it', () => {
    given(pipelineDecider).when({ type: 'SetPipeline', service: 's', pipeline: p, source: set.source, time: t0 }).then([set]);
    given(pipelineDecider, [set]).when({ type: 'SetPipeline', service: 's', pipeline: p, source: set.source, time: t0 }).then([]);
    const other = readPipeline({ pipeline: [{ step: 'b' }] }, 's').pipeline ?? p;
    given(pipelineDecider, [set]).when({ type: 'SetPipeline', service: 's', pipeline: other, time: t0 }).then([{ type: 'PipelineSet', service: 's', pipeline: other, time: t0 }]);
  });

  it('RemovePipeline needs a pipeline', () => {
    given(pipelineDecider).when({ type: 'RemovePipeline', service: 's', time: t0 }).thenThrows(ErrorCode.PIPELINE_NOT_FOUND);
    given(pipelineDecider, [set]).when({ type: 'RemovePipeline', service: 's', time: t0 }).then([{ type: 'PipelineRemoved', service: 's', time: t0 }]);
  });
});
