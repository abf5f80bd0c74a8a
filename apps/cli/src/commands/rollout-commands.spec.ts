import type { RolloutView } from '../group-queries';
import { FakeGateway, runCli } from '../testing/fake-io';
import { endLine } from './rollout-commands';

const JOB = 'foo:0.1.0:0123456789abcdef0123456789abcdef01234567';
const ID = 'f0f0f0f0-0000-4000-8000-000000000001';

function rollout(states: string[], status = 'ROLLING_OUT', error?: string): RolloutView {
  const n = (s: string) => states.filter((x) => x === s).length;
  return {
    rolloutId: ID,
    group: 'foo-group',
    jobId: JOB,
    targetJobId: JOB,
    reason: 'MANUAL',
    status,
    finished: ['SUCCEEDED', 'FAILED', 'REVERTED'].includes(status),
    paused: false,
    promoted: true,
    ...(error ? { error } : {}),
    startedAt: '2024-01-01T00:00:00Z',
    options: { parallelism: 1, timeout: 300 },
    progress: { pending: n('PENDING'), upToDate: 0, deploying: n('DEPLOYING'), healthy: n('HEALTHY'), failed: n('FAILED'), skipped: 0, total: states.length },
    hosts: states.map((state, i) => ({ host: `host${i + 1}`, state, batch: i + 1, canary: false, up: true })),
  };
}

function gatewayFor(updates: RolloutView[]): FakeGateway {
  return new FakeGateway(
    (operation) => {
      if (operation === 'RollingUpdate') return { rollingUpdate: { sequence: 9, rolloutId: ID, changed: true, rollout: updates[0] } };
      if (operation === 'Group') return { createDeploymentGroup: { sequence: 3, name: 'foo-group', status: 'CREATED', result: {} } };
      throw new Error(`unexpected ${operation}`);
    },
    { Progress: updates.map((r) => ({ rolloutProgress: { rollout: r } })) },
  );
}

describe('rolling-update', () => {
  it("prints Helios's lines from the progress subscription and exits 0 when the rollout succeeds", async () => {
    const gateway = gatewayFor([
      rollout(['PENDING', 'PENDING', 'PENDING']),
      rollout(['HEALTHY', 'DEPLOYING', 'PENDING']),
      rollout(['HEALTHY', 'HEALTHY', 'HEALTHY'], 'SUCCEEDED'),
    ]);
    const result = await runCli(['rolling-update', 'foo:0.1.0', 'foo-group', '-p', '1', '--canary', '0'], { gateway });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(gateway.sent[0]?.variables).toEqual({ group: 'foo-group', job: 'foo:0.1.0', options: { parallelism: 1, canary: 0 } });
    expect(result.stdout.split('\n')).toEqual([
      'Rolling update started: foo-group -> foo:0.1.0:0123456 (parallelism=1, timeout=300)',
      '',
      'host1 -> RUNNING (1/3)',
      'host2 -> RUNNING (2/3)',
      'host3 -> RUNNING (3/3)',
      '',
      'Done.',
      'Duration: 0.00 s',
      '',
    ]);
  });

  it('warns on stderr when the group matches no host (the rollout is done at once with nothing deployed), and still exits 0', async () => {
    const empty = { ...rollout([], 'SUCCEEDED') };
    const gateway = new FakeGateway(
      (operation) => {
        if (operation === 'RollingUpdate') return { rollingUpdate: { sequence: 9, rolloutId: ID, changed: true, rollout: empty } };
        if (operation === 'Group') return { deploymentGroup: { group: { name: 'foo-group', selectors: ['role = web', 'dc = east'], createdAt: '', status: 'DONE', hostCounts: { matching: 0, up: 0 } } } };
        throw new Error(`unexpected ${operation}`);
      },
      { Progress: [{ rolloutProgress: { rollout: empty } }] },
    );
    const result = await runCli(['rolling-update', 'foo:0.1.0', 'foo-group'], { gateway });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe(`Warning: deployment group foo-group matches no host (role=web, dc=east): nothing was deployed; hosts that match later get ${JOB}. Check the selectors and the hosts' labels (berth hosts).\n`);
    expect(result.stdout).toContain('\nDone.\n');
  });

  it("--token and --old-job-token go to the gateway apart (an empty old-job token too)", async () => {
    const gateway = gatewayFor([rollout(['HEALTHY'], 'SUCCEEDED')]);
    const result = await runCli(['rolling-update', 'foo:0.1.0', 'foo-group', '--token', 'sesame', '--old-job-token', ''], { gateway });
    expect(result.exitCode).toBe(0);
    expect(gateway.sent[0]?.variables).toEqual({ group: 'foo-group', job: 'foo:0.1.0', options: { token: 'sesame', oldJobToken: '' } });
  });

  it('on a terminal, scrolls the host lines above a progress bar redrawn in place', async () => {
    const gateway = gatewayFor([
      rollout(['PENDING', 'PENDING']),
      rollout(['HEALTHY', 'DEPLOYING']),
      rollout(['HEALTHY', 'HEALTHY'], 'SUCCEEDED'),
    ]);
    const result = await runCli(['rolling-update', 'foo:0.1.0', 'foo-group'], { gateway, terminalColumns: 60 });
    expect(result.exitCode).toBe(0);
    // what the terminal shows: `\r\x1b[K` clears the line the cursor is on
    const screen = result.stdout.split(new RegExp(`(${String.fromCharCode(13, 27)}\\[K|\n)`)).reduce<string[]>((lines, token) => {
      if (token === '\n') lines.push('');
      else if (token === '\r\x1b[K') lines[lines.length - 1] = '';
      else lines[lines.length - 1] += token;
      return lines;
    }, ['']);
    expect(screen).toEqual([
      'Rolling update started: foo-group -> foo:0.1.0:0123456 (parallelism=1, timeout=300)',
      '',
      'host1 -> RUNNING (1/2)',
      'host2 -> RUNNING (2/2)',
      `[${'#'.repeat(15)}]  2/2  batch 2  0 s`,
      '',
      'Done.',
      'Duration: 0.00 s',
      '',
    ]);
    // the bar was drawn mid-rollout, in place
    expect(result.stdout).toContain(`\r\x1b[K[${'#'.repeat(8)}${'.'.repeat(7)}]  1/2  1 deploying  batch 2  0 s\r\x1b[Khost2`);
  });

  it('exits 1 with the error when the rollout fails', async () => {
    const gateway = gatewayFor([rollout(['PENDING']), rollout(['FAILED'], 'FAILED', 'host1: job FAILED')]);
    const result = await runCli(['rolling-update', 'foo:0.1.0', 'foo-group'], { gateway });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('\nFailed: host1: job FAILED\n');
    expect(result.stderr).toMatch(/^Error: ROLLOUT_FAILED: rolling update of foo-group to foo:0.1.0:\w+ FAILED: host1: job FAILED/);
  });

  it('ends a reverted rollout with where it went back to, not a bare failure', () => {
    expect(endLine({ status: 'REVERTED', targetJobId: 'foo:0.0.9:abc', error: 'h1: job foo:0.1.0:def EXITED with exit code 3' })).toBe('Reverted to foo:0.0.9:abc: h1: job foo:0.1.0:def EXITED with exit code 3');
    expect(endLine({ status: 'FAILED', targetJobId: 'foo:0.1.0:def', error: 'h1: boom' })).toBe('Failed: h1: boom');
    expect(endLine({ status: 'SUCCEEDED', targetJobId: 'foo:0.1.0:def' })).toBe('Done.');
  });

  it('returns at once with --async, and answers --json', async () => {
    const gateway = gatewayFor([rollout(['PENDING'])]);
    const result = await runCli(['--json', 'rolling-update', '--async', 'foo:0.1.0', 'foo-group'], { gateway });
    expect(JSON.parse(result.stdout)).toEqual({ rolloutId: ID, group: 'foo-group', jobId: JOB, status: 'ROLLING_OUT', sequence: 9 });
    expect(gateway.sent).toHaveLength(1);
  });

  it('exits 2 on a malformed option without starting anything', async () => {
    const gateway = gatewayFor([rollout(['PENDING'])]);
    const result = await runCli(['rolling-update', 'foo:0.1.0', 'foo-group', '--max-unavailable', 'half'], { gateway });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--max-unavailable "half"/);
    expect(gateway.sent).toEqual([]);
  });
});

describe('create-deployment-group', () => {
  it("prints Helios's two lines", async () => {
    const result = await runCli(['create-deployment-group', 'foo-group', 'foo=bar', 'baz=qux'], { gateway: gatewayFor([]) });
    expect(result.stdout).toBe('Creating deployment group: {"name":"foo-group","selectors":["foo=bar","baz=qux"]}\n{"status":"CREATED"}\n');
  });

  it('sends no defaults without strategy flags, and the given ones as the group defaults', async () => {
    const plain = gatewayFor([]);
    await runCli(['create-deployment-group', 'foo-group', 'foo=bar'], { gateway: plain });
    expect(plain.sent[0]?.variables).toEqual({ name: 'foo-group', selectors: ['foo=bar'] });
    expect(plain.sent[0]?.query).not.toContain('defaults');

    const gateway = gatewayFor([]);
    const result = await runCli(['create-deployment-group', 'foo-group', 'foo=bar', '-p', '3', '--max-unavailable', '25%', '--auto-revert', '--min-healthy-time', '10s'], { gateway });
    expect(result.exitCode).toBe(0);
    expect(gateway.sent[0]?.query).toContain('defaults: $defaults');
    expect(gateway.sent[0]?.variables).toEqual({ name: 'foo-group', selectors: ['foo=bar'], defaults: { parallelism: 3, maxUnavailable: '25%', autoRevert: true, minHealthyTime: 10 } });
  });

  it('exits 2 on a malformed strategy flag without creating anything', async () => {
    const gateway = gatewayFor([]);
    const result = await runCli(['create-deployment-group', 'foo-group', 'foo=bar', '--failure-threshold', 'lots'], { gateway });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--failure-threshold "lots"');
    expect(gateway.sent).toEqual([]);
  });
});

describe('set-host-health', () => {
  function healthGateway(): FakeGateway {
    return new FakeGateway((operation) => {
      if (operation === 'SetHostHealth') return { setHostHealth: { sequence: 12, rolloutId: ID, changed: true, rollout: rollout(['HEALTHY']) } };
      throw new Error(`unexpected ${operation}`);
    });
  }

  it('sends the verdict for the host and prints the rollout status', async () => {
    const gateway = healthGateway();
    const result = await runCli(['set-host-health', ID, 'host1', 'unhealthy', '-m', 'smoke test failed'], { gateway });
    expect(result.exitCode).toBe(0);
    expect(gateway.sent[0]?.variables).toEqual({ rollout: ID, host: 'host1', healthy: false, message: 'smoke test failed' });
    expect(result.stdout).toBe(`Rollout ${ID}: ROLLING_OUT\n`);
  });

  it('exits 2 on a verdict that is neither healthy nor unhealthy, sending nothing', async () => {
    const gateway = healthGateway();
    const result = await runCli(['set-host-health', ID, 'host1', 'fine'], { gateway });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('verdict "fine": expected healthy or unhealthy');
    expect(gateway.sent).toEqual([]);
  });
});
