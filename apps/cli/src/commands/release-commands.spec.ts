import { BerthCliError } from '../errors';
import { FakeGateway, runCli } from '../testing/fake-io';
import type { ReleaseView } from './release-format';

const ID = 'a0a0a0a0-0000-4000-8000-000000000001';
const JOB = 'web:2:0123456789abcdef0123456789abcdef01234567';

function release(status: string, steps: [string, string, string][], extra: Partial<ReleaseView> = {}): ReleaseView {
  return {
    releaseId: ID,
    service: 'web',
    jobId: JOB,
    status,
    finished: ['complete', 'abandoned', 'failed'].includes(status),
    stage: 0,
    stages: steps.length,
    awaitingTrigger: false,
    autoRollback: false,
    badGroups: [],
    createdAt: '2024-01-01T00:00:00.000Z',
    steps: steps.map(([name, kind, stepStatus], i) => ({ key: `${kind}:${name}`, kind, name, stage: i, status: stepStatus, triggerNextStepManually: false })),
    rollback: [],
    ...extra,
  };
}

describe('pipeline set / show, validate', () => {
  const VALID = { validatePipeline: { valid: true, problems: [] } };
  const PROBLEMS = [
    { path: 'pipeline[1]', line: 3, message: 'unknown deployment group "ghost"' },
    { path: 'pipeline[2].timeout', line: 5, message: 'must be a number' },
  ];
  const INVALID = { validatePipeline: { valid: false, problems: PROBLEMS } };
  const SET = { setPipeline: { changed: true, sequence: 4, pipeline: { service: 'web', revision: 1 } } };

  it('pipeline set checks the file as validate does, then sends it as given and says what changed', async () => {
    const source = 'pipeline:\n- step: web.canary\n';
    const gateway = new FakeGateway((op) => (op === 'ValidatePipeline' ? VALID : SET));
    const result = await runCli(['pipeline', 'set', 'web', '-f', 'deploy.yaml'], { gateway, files: { 'deploy.yaml': source } });
    expect(result).toEqual({ exitCode: 0, stdout: 'Pipeline of web set (revision 1)\n', stderr: '' });
    expect(gateway.sent.map((s) => s.variables)).toEqual([
      { service: 'web', source },
      { service: 'web', source },
    ]);
    expect(gateway.sent.map((s) => /^\s*\w+ (\w+)/.exec(s.query)?.[1])).toEqual(['ValidatePipeline', 'SetPipeline']);
  });

  it('pipeline set refuses a file validate rejects: the same file:line problems, exit 1, nothing sent to be stored', async () => {
    const gateway = new FakeGateway((op) => (op === 'ValidatePipeline' ? INVALID : SET));
    const result = await runCli(['pipeline', 'set', 'web', '-f', 'soa/web/deploy.yaml'], { gateway, files: { 'soa/web/deploy.yaml': 'pipeline: []' } });
    expect(result).toEqual({
      exitCode: 1,
      stdout: '',
      stderr:
        'soa/web/deploy.yaml:3: pipeline[1]: unknown deployment group "ghost"\n' +
        'soa/web/deploy.yaml:5: pipeline[2].timeout: must be a number\n' +
        'Pipeline of web not set: 2 problems (as `berth validate` finds); fix them, or set it anyway with --force\n',
    });
    expect(gateway.sent.some((s) => s.query.includes('setPipeline'))).toBe(false);
    // the very lines validate prints for the same file
    const validated = await runCli(['validate', '-f', 'soa/web/deploy.yaml'], { gateway, files: { 'soa/web/deploy.yaml': 'pipeline: []' } });
    expect(result.stderr.startsWith(validated.stdout)).toBe(true);

    const json = await runCli(['--json', 'pipeline', 'set', 'web', '-f', 'deploy.yaml'], { gateway, files: { 'deploy.yaml': 'x' } });
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ service: 'web', set: false, valid: false, problems: PROBLEMS });
  });

  it('pipeline set --force stores a file validate rejects, with the problems as warnings', async () => {
    const gateway = new FakeGateway((op) => (op === 'ValidatePipeline' ? INVALID : SET));
    const result = await runCli(['pipeline', 'set', 'web', '-f', 'deploy.yaml', '--force'], { gateway, files: { 'deploy.yaml': 'x' } });
    expect(result).toEqual({
      exitCode: 0,
      stdout: 'Pipeline of web set (revision 1)\n',
      stderr: 'deploy.yaml:3: pipeline[1]: unknown deployment group "ghost"\ndeploy.yaml:5: pipeline[2].timeout: must be a number\nwarning: setting the pipeline of web with 2 problems (--force)\n',
    });
    expect(gateway.sent.filter((s) => s.query.includes('setPipeline'))).toHaveLength(1);
  });

  it('pipeline set of a file it cannot read is a usage error; a file the gateway refuses exits 1 with the code', async () => {
    expect((await runCli(['pipeline', 'set', 'web', '-f', 'nope.yaml'])).exitCode).toBe(2);
    const gateway = new FakeGateway((op) => {
      if (op === 'ValidatePipeline') return VALID;
      throw new BerthCliError('INVALID_PIPELINE', 'Invalid pipeline file: line 3: pipeline[0].timeout: must be a number');
    });
    const refused = await runCli(['pipeline', 'set', 'web', '-f', 'deploy.yaml', '--force'], { gateway, files: { 'deploy.yaml': 'x' } });
    expect(refused).toMatchObject({ exitCode: 1, stderr: 'Error: INVALID_PIPELINE: Invalid pipeline file: line 3: pipeline[0].timeout: must be a number\n' });
  });

  it('validate takes the service from the folder, prints file:line problems and exits 1 when there are any', async () => {
    const gateway = new FakeGateway(() => ({
      validatePipeline: {
        valid: false,
        problems: [
          { path: 'pipeline[1]', line: 3, message: 'unknown deployment group "ghost"' },
          { path: 'pipeline', line: 1, message: 'deployment group "main" runs this service but no step covers it' },
        ],
      },
    }));
    const result = await runCli(['validate', '-f', 'soa/web/deploy.yaml'], { gateway, files: { 'soa/web/deploy.yaml': 'pipeline: []' } });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('soa/web/deploy.yaml:3: pipeline[1]: unknown deployment group "ghost"\nsoa/web/deploy.yaml:1: pipeline: deployment group "main" runs this service but no step covers it\n');
    expect(gateway.sent[0]?.variables).toEqual({ service: 'web', source: 'pipeline: []' });

    const ok = new FakeGateway(() => ({ validatePipeline: { valid: true, problems: [] } }));
    const json = await runCli(['--json', 'validate', '-f', 'deploy.yaml', '-s', 'api'], { gateway: ok, files: { 'deploy.yaml': 'x' } });
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ file: 'deploy.yaml', service: 'api', valid: true, problems: [] });
  });
});

describe('mark-for-deployment', () => {
  const started = release('deploying', [
    ['itest', 'gate', 'RUNNING'],
    ['web.main', 'group', 'PENDING'],
  ]);

  it('sends the flags and returns at once without --wait-for-deployment', async () => {
    const gateway = new FakeGateway(() => ({ markForDeployment: { changed: true, sequence: 5, release: started } }));
    const result = await runCli(['mark-for-deployment', 'web', '2', '--group', 'web.main', '--auto-rollback', '--timeout', '600', '--force'], { gateway });
    expect(result).toEqual({ exitCode: 0, stdout: `Release ${ID} of web: ${JOB} deploying\n`, stderr: '' });
    expect(gateway.sent[0]?.variables).toEqual({ service: 'web', job: '2', group: 'web.main', autoRollback: true, timeout: 600, autoCertifyDelay: null, autoAbandonDelay: null, force: true, overrideFreeze: null });
  });

  it('--wait-for-deployment prints each step as it changes and exits 0 when complete', async () => {
    const gateway = new FakeGateway(() => ({ markForDeployment: { changed: true, sequence: 5, release: started } }), {
      ReleaseProgress: [
        { releaseProgress: { release: started } },
        { releaseProgress: { release: release('deploying', [['itest', 'gate', 'SUCCEEDED'], ['web.main', 'group', 'RUNNING']], { stage: 1 }) } },
        { releaseProgress: { release: release('complete', [['itest', 'gate', 'SUCCEEDED'], ['web.main', 'group', 'SUCCEEDED']], { stage: 1 }) } },
      ],
    });
    const result = await runCli(['mark-for-deployment', 'web', '2', '--wait-for-deployment'], { gateway });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      `Release ${ID} of web -> ${JOB}`,
      'itest (gate): RUNNING',
      'web.main (group): PENDING',
      'release: deploying',
      'itest (gate): SUCCEEDED',
      'web.main (group): RUNNING',
      'web.main (group): SUCCEEDED',
      'release: complete',
      '',
      'Done.',
      '',
    ]);
  });

  it('--wait-for-deployment exits 1 when the release is rolled back', async () => {
    const rolledBack = release('rolled_back', [['web.main', 'group', 'FAILED']], {
      rollbackReason: 'step web.main failed: rollout failed',
      rollback: [{ group: 'web.main', toJobId: 'web:1:abc', status: 'DONE' }],
      badGroups: ['web.main'],
    });
    const gateway = new FakeGateway(() => ({ markForDeployment: { changed: true, sequence: 5, release: started } }), { ReleaseProgress: [{ releaseProgress: { release: rolledBack } }] });
    const result = await runCli(['mark-for-deployment', 'web', '2', '--wait-for-deployment'], { gateway });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('rollback web.main -> web:1:abc: DONE');
    expect(result.stdout).toContain('Release rolled_back: step web.main failed: rollout failed');
    expect(result.stderr).toBe(`Error: RELEASE_FAILED: release ${ID} of web rolled_back\n`);
  });
});

describe('release commands', () => {
  it('release gate sends the verdict for the service; advance resolves an id prefix', async () => {
    const passed = release('deploying', [['itest', 'gate', 'SUCCEEDED']]);
    const gateway = new FakeGateway((operation) => {
      if (operation === 'ReportGate') return { reportGate: { changed: true, sequence: 6, release: passed } };
      if (operation === 'Releases') return { releases: { items: [{ releaseId: ID }, { releaseId: 'b0000000-0000-4000-8000-000000000002' }] } };
      if (operation === 'Operate') return { advanceRelease: { changed: true, sequence: 7, release: passed } };
      throw new Error(operation);
    });
    const gate = await runCli(['release', 'gate', 'web', 'itest', 'pass', '-m', 'green'], { gateway });
    expect(gate.exitCode).toBe(0);
    expect(gateway.sent[0]?.variables).toEqual({ service: 'web', gate: 'itest', passed: true, message: 'green' });
    expect(gate.stdout).toContain('1        itest    gate    SUCCEEDED');
    const advanced = await runCli(['--json', 'release', 'advance', 'a0a0'], { gateway });
    expect(advanced.exitCode).toBe(0);
    expect(gateway.sent.at(-1)?.variables).toEqual({ release: ID });
    expect(JSON.parse(advanced.stdout)).toMatchObject({ releaseId: ID, changed: true });
    expect((await runCli(['release', 'gate', 'web', 'itest', 'maybe'], { gateway })).exitCode).toBe(2);
  });
});

describe('release plan / status', () => {
  const plan = {
    planId: 'c0c0c0c0-0000-4000-8000-000000000003',
    status: 'running',
    levels: [['a', 'x'], ['b']],
    deployQueue: ['b'],
    services: [
      { service: 'a', jobId: 'a:2:0123456789', group: 'dc.a', quorum: 2, dependsOn: [], status: 'RUNNING', releaseId: 'r-a', releaseStatus: 'deploying' },
      { service: 'x', jobId: 'x:2:0123456789', group: 'dc.x', dependsOn: [], status: 'COMPLETE', releaseId: 'r-x', releaseStatus: 'complete' },
      { service: 'b', jobId: 'b:2:0123456789', group: 'dc.b', dependsOn: ['a'], status: 'WAITING' },
    ],
    current: [{ service: 'a', hosts: [{ host: 'h1', online: true, version: 'a:2:0123456789' }, { host: 'h2', online: false, version: 'a:1:0123456789' }] }],
    staging: [{ service: 'a', jobId: 'a:2:0123456789', hosts: ['h1'] }],
  };

  it('release plan sends the file and prints the order, the services and the three views', async () => {
    const gateway = new FakeGateway(() => ({ startReleasePlan: { sequence: 3, plan } }));
    const result = await runCli(['release', 'plan', '-f', 'release.yaml'], { gateway, files: { 'release.yaml': 'services: []' } });
    expect(result.exitCode).toBe(0);
    expect(gateway.sent[0]?.variables).toEqual({ source: 'services: []' });
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`Release plan ${plan.planId}: running`);
    expect(lines[1]).toBe('Order: a + x -> b');
    expect(lines).toContain('  a: 1/2 online; a:2:0123456 on 1, a:1:0123456 on 1; offline: h2');
    expect(lines).toContain('  a: a:2:0123456 staged on 1 host');
    expect(lines).toContain('Deploy queue: b');
  });

  it('release status --json prints the plan; a refused plan exits 1 with its code', async () => {
    const gateway = new FakeGateway(() => ({ releasePlan: { sequence: 3, plan } }));
    const status = await runCli(['--json', 'release', 'status', plan.planId], { gateway });
    expect(JSON.parse(status.stdout)).toEqual(plan);
    const refusing = new FakeGateway(() => {
      throw new BerthCliError('INVALID_RELEASE_PLAN', 'Invalid release plan: line 5: services[0].dependsOn: dependency cycle: a → b → a');
    });
    const refused = await runCli(['release', 'plan', '-f', 'release.yaml'], { gateway: refusing, files: { 'release.yaml': 'x' } });
    expect(refused).toMatchObject({ exitCode: 1, stderr: expect.stringContaining('dependency cycle: a → b → a') });
  });
});

describe('freezes', () => {
  it('freeze set sends a weekly window with its time zone; --weekly without --time-zone is a usage error', async () => {
    const gateway = new FakeGateway(() => ({
      setFreeze: { name: 'weekends', window: { kind: 'weekly', days: ['sat', 'sun'], from: '00:00', to: '24:00', timeZone: 'Europe/Paris' }, reason: 'r', active: false },
    }));
    const result = await runCli(['freeze', 'set', 'weekends', '--weekly', 'sat,sun', '--from', '00:00', '--to', '24:00', '--time-zone', 'Europe/Paris', '--group', 'prod', '-m', 'no weekend deploys'], { gateway });
    expect(result).toEqual({ exitCode: 0, stdout: 'Freeze weekends set: sat,sun 00:00-24:00 Europe/Paris\n', stderr: '' });
    expect(gateway.sent[0]?.variables).toEqual({
      name: 'weekends',
      services: null,
      groups: ['prod'],
      window: { kind: 'weekly', days: ['sat', 'sun'], from: '00:00', to: '24:00', timeZone: 'Europe/Paris' },
      reason: 'no weekend deploys',
    });
    expect((await runCli(['freeze', 'set', 'w', '--weekly', 'sat', '--from', '00:00', '--to', '24:00', '-m', 'x'], { gateway })).exitCode).toBe(2);
  });

  it('freezes lists them with whether each is in force; mark-for-deployment passes --override-freeze', async () => {
    const gateway = new FakeGateway((operation) => {
      if (operation === 'Freezes') return { freezes: { items: [{ name: 'xmas', services: ['web'], groups: null, window: { kind: 'range', from: 'a', to: 'b' }, reason: 'holidays', active: true, until: 'b' }] } };
      return { markForDeployment: { changed: true, sequence: 1, release: release('deploying', [['main', 'group', 'RUNNING']]) } };
    });
    const listed = await runCli(['freezes'], { gateway });
    expect(listed.stdout.split('\n')[1]).toBe('xmas    web         all       a - b     until b     holidays');
    await runCli(['mark-for-deployment', 'web', '2', '--override-freeze', 'hotfix'], { gateway });
    expect(gateway.sent.at(-1)?.variables).toMatchObject({ overrideFreeze: 'hotfix' });
  });
});
