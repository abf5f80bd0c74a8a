import type { RolloutView } from '../group-queries';
import { compactSelector, creatingGroupLine, durationLine, formatGroupDetails, formatGroupsTable, formatGroupStatus, formatRolloutDetails, formatRolloutsTable, GroupWatchPrinter, progressLabel, RolloutLinePrinter } from './group-format';

const JOB = 'foo-job:0.1.0:0123456789abcdef0123456789abcdef01234567';

function rollout(hosts: [string, string][], extra: Partial<RolloutView> = {}): RolloutView {
  const count = (state: string) => hosts.filter(([, s]) => s === state).length;
  return {
    rolloutId: 'f0f0f0f0-0000-4000-8000-000000000001',
    group: 'foo-group',
    jobId: JOB,
    targetJobId: JOB,
    reason: 'MANUAL',
    status: 'ROLLING_OUT',
    finished: false,
    paused: false,
    promoted: true,
    startedAt: '2024-01-01T00:00:00Z',
    progress: { pending: count('PENDING'), upToDate: count('UP_TO_DATE'), deploying: count('DEPLOYING'), healthy: count('HEALTHY'), failed: count('FAILED'), skipped: count('SKIPPED'), total: hosts.length },
    hosts: hosts.map(([host, state]) => ({ host, state, batch: 1, canary: false, up: true, ...(state === 'FAILED' ? { failure: { reason: 'timeout', message: `${host}: not healthy within 300 s of its deploy` } } : {}) })),
    ...extra,
  };
}

describe('deployment group output (Helios 000)', () => {
  it('prints the create line with the group as JSON', () => {
    expect(creatingGroupLine('foo-group', ['foo=bar', 'baz=qux'])).toBe('Creating deployment group: {"name":"foo-group","selectors":["foo=bar","baz=qux"]}');
  });

  it('inspects as Name / Labels (sorted, aligned) / Job', () => {
    const group = { name: 'foo-group', selectors: ['foo = bar', 'baz = qux'], createdAt: '', status: 'IDLE', jobId: null };
    expect(formatGroupDetails(group)).toBe('Name: foo-group\nLabels: baz=qux\n        foo=bar\nJob:');
    expect(compactSelector('role in (a, b)')).toBe('role in (a, b)');
    expect(compactSelector('a != b')).toBe('a!=b');
  });

  it('says how many hosts a group matches: inspect, the --long list, an empty status table, a rollout of none', () => {
    const group = { name: 'foo-group', selectors: ['foo = bar'], createdAt: '', status: 'DONE', jobId: JOB, hostCounts: { matching: 3, up: 2 } };
    expect(formatGroupDetails(group).split('\n').at(-1)).toBe('Hosts: 3 matching (2 UP)');
    expect(formatGroupDetails({ ...group, hostCounts: { matching: 0, up: 0 } }).split('\n').at(-1)).toBe('Hosts: none match');
    expect(formatGroupsTable([group, { ...group, name: 'empty', hostCounts: { matching: 0, up: 0 }, jobId: null }], false).split('\n')).toEqual([
      'NAME         HOSTS    UP    STATUS    JOB ID',
      'foo-group    3        2     DONE      foo-job:0.1.0:0123456',
      'empty        0        0     DONE      -',
    ]);
    expect(formatGroupStatus({ name: 'empty', status: 'DONE', hosts: [] }, false).split('\n').at(-1)).toBe('(no UP host matches the group: berth inspect-deployment-group shows its selectors)');
    expect(formatRolloutsTable([rollout([], { status: 'SUCCEEDED', finished: true })], false).split('\n')[1]).toMatch(/ {4}SUCCEEDED {4}0\/0 \(no hosts\) {4}/);
  });

  it('shows the status table HOST UP-TO-DATE JOB STATE', () => {
    const text = formatGroupStatus(
      {
        name: 'foo-group',
        status: 'ROLLING_OUT',
        jobId: JOB,
        hosts: [
          { host: 'host1', upToDate: true, job: JOB, state: 'RUNNING' },
          { host: 'host2', upToDate: true, job: JOB, state: 'PULLING_IMAGE' },
          { host: 'host3', upToDate: false },
        ],
      },
      false,
    );
    expect(text.split('\n')).toEqual([
      'Name: foo-group',
      `Job Id: ${JOB}`,
      'Status: ROLLING_OUT',
      '',
      'HOST     UP-TO-DATE    JOB                      STATE',
      'host1    X             foo-job:0.1.0:0123456    RUNNING',
      'host2    X             foo-job:0.1.0:0123456    PULLING_IMAGE',
      'host3                  -                        -',
    ]);
  });

  it('lists rollouts with their progress', () => {
    const table = formatRolloutsTable([rollout([['h1', 'HEALTHY'], ['h2', 'FAILED']], { status: 'FAILED', finished: true })], false).split('\n');
    expect(table[1]).toMatch(/^f0f0f0f0-0000-4000-8000-000000000001 {4}foo-group {4}foo-job:0.1.0:0123456 {4}MANUAL {4}FAILED {4}1\/2 \(1 failed\) {4}2024-01-01 00:00:00.000$/);
  });
});

describe('rolling-update progress lines', () => {
  it('prints each host once as it reaches RUNNING, counting hosts, then nothing for repeats', () => {
    const lines: string[] = [];
    const printer = new RolloutLinePrinter((l) => lines.push(l));
    printer.update(rollout([['host1', 'DEPLOYING'], ['host2', 'PENDING'], ['host3', 'PENDING']]));
    printer.update(rollout([['host1', 'HEALTHY'], ['host2', 'DEPLOYING'], ['host3', 'PENDING']]));
    printer.update(rollout([['host1', 'HEALTHY'], ['host2', 'HEALTHY'], ['host3', 'UP_TO_DATE']]));
    printer.update(rollout([['host1', 'HEALTHY'], ['host2', 'HEALTHY'], ['host3', 'UP_TO_DATE']], { status: 'SUCCEEDED', finished: true }));
    expect(lines).toEqual(['host1 -> RUNNING (1/3)', 'host2 -> RUNNING (2/3)', 'host3 -> RUNNING (3/3)']);
    expect(durationLine(4000)).toBe('Duration: 4.00 s');
  });

  it('says why a host failed, and when the rollout waits for promotion or pauses', () => {
    const lines: string[] = [];
    const printer = new RolloutLinePrinter((l) => lines.push(l));
    printer.update(rollout([['h1', 'HEALTHY'], ['h2', 'PENDING']], { status: 'AWAITING_PROMOTION' }));
    printer.update(rollout([['h1', 'HEALTHY'], ['h2', 'PENDING']], { status: 'AWAITING_PROMOTION' }));
    printer.update(rollout([['h1', 'HEALTHY'], ['h2', 'FAILED']], { paused: true }));
    expect(lines).toEqual([
      'h1 -> RUNNING (1/2)',
      'Canaries are healthy: waiting for promotion (berth promote f0f0f0f0-0000-4000-8000-000000000001).',
      'h2 -> FAILED (2/2): timeout: not healthy within 300 s of its deploy',
      'Paused (berth resume to carry on).',
    ]);
  });
});

describe('rolling-update progress through a revert', () => {
  it('counts again over the hosts the revert puts back, and says nothing of hosts that never left the stable job', () => {
    const lines: string[] = [];
    const printer = new RolloutLinePrinter((l) => lines.push(l));
    const STABLE = 'foo-job:0.0.9';
    printer.update(rollout([['h1', 'HEALTHY'], ['h2', 'DEPLOYING'], ['h3', 'PENDING']]));
    printer.update(rollout([['h1', 'HEALTHY'], ['h2', 'FAILED'], ['h3', 'PENDING']]));
    // RevertStarted: h3 never left the stable job (UP_TO_DATE), h1 and h2 go back
    const reverting = { status: 'REVERTING', targetJobId: STABLE, error: 'h2: not healthy' } as const;
    printer.update(rollout([['h1', 'PENDING'], ['h2', 'PENDING'], ['h3', 'UP_TO_DATE']], reverting));
    printer.update(rollout([['h1', 'HEALTHY'], ['h2', 'DEPLOYING'], ['h3', 'UP_TO_DATE']], reverting));
    printer.update(rollout([['h1', 'HEALTHY'], ['h2', 'HEALTHY'], ['h3', 'UP_TO_DATE']], { ...reverting, status: 'REVERTED', finished: true }));
    expect(lines).toEqual([
      'h1 -> RUNNING (1/3)',
      'h2 -> FAILED (2/3): timeout: not healthy within 300 s of its deploy',
      'Reverting to foo-job:0.0.9: h2: not healthy',
      'h1 -> RUNNING on foo-job:0.0.9 (1/2)',
      'h2 -> RUNNING on foo-job:0.0.9 (2/2)',
    ]);
  });
});

describe('a reverted rollout', () => {
  const STABLE = 'foo-job:0.0.9:0123456789abcdef0123456789abcdef01234567';
  const exit = { reason: 'failed', message: `h1: job ${JOB} EXITED with exit code 3 (FLAPPING)` };
  const reverted = (): RolloutView => {
    const view = rollout([['h1', 'HEALTHY'], ['h2', 'HEALTHY'], ['h3', 'UP_TO_DATE']], { status: 'REVERTED', finished: true, targetJobId: STABLE, error: 'reverted' });
    return { ...view, progress: { ...view.progress, failedBeforeRevert: 1 }, hosts: view.hosts?.map((h) => (h.host === 'h1' ? { ...h, failureBeforeRevert: exit } : h)) };
  };

  it('lists as reverted with its failed hosts, never as 3/3', () => {
    expect(progressLabel(reverted())).toBe('reverted (1 failed)');
    expect(progressLabel({ ...reverted(), status: 'REVERTING' })).toBe('reverting 3/3 (1 failed)');
    const row = formatRolloutsTable([{ ...reverted(), error: exit.message }], false).split('\n')[1];
    expect(row).toMatch(/ {4}REVERTED {4}reverted \(1 failed\) {4}2024-01-01 00:00:00\.000 {4}h1: job foo-job:0\.1\.0:\w+ EXITED with exit code 3 \(FLAPPING\)$/);
    expect(row).not.toContain('3/3');
  });

  it("shows each host's failure on the rollout's job, with the exit code", () => {
    const details = formatRolloutDetails(reverted()).split('\n');
    expect(details).toContain('Progress: reverted (1 failed)');
    expect(details.find((l) => l.startsWith('h1 '))).toMatch(/HEALTHY .* failed: job foo-job:0\.1\.0:\S+ EXITED with exit code 3 \(FLAPPING\) \(before the revert\)$/);
  });

  it('prints the failed line even when the failure and the revert arrive in one update', () => {
    const lines: string[] = [];
    const printer = new RolloutLinePrinter((l) => lines.push(l));
    printer.update(rollout([['h1', 'DEPLOYING'], ['h2', 'PENDING'], ['h3', 'PENDING']]));
    const reverting = reverted();
    printer.update({ ...reverting, status: 'REVERTING', finished: false, hosts: reverting.hosts?.map((h) => (h.host === 'h1' ? { ...h, state: 'DEPLOYING' } : h)) });
    printer.update(reverting);
    expect(lines).toEqual([
      `h1 -> FAILED (1/3): failed: job ${JOB} EXITED with exit code 3 (FLAPPING)`,
      'Reverting to foo-job:0.0.9:0123456789abcdef0123456789abcdef01234567: reverted',
      `h1 -> RUNNING on ${STABLE} (1/1)`,
    ]);
  });
});

describe('rolling-update progress while prestaging', () => {
  it('counts the hosts that have the image against the quorum, a line each time one more has it', () => {
    const lines: string[] = [];
    const printer = new RolloutLinePrinter((l) => lines.push(l));
    const prestaging = (pulled: readonly string[], failed: readonly string[] = []) => {
      const view = rollout([['h1', 'PENDING'], ['h2', 'PENDING'], ['h3', 'PENDING']], { status: 'PRESTAGING', limits: { prestageQuorum: 2 } });
      const error = (host: string) => (failed.includes(host) ? { imageError: 'IMAGE_MISSING: manifest unknown' } : {});
      return { ...view, hosts: view.hosts?.map((h) => ({ ...h, imagePulled: pulled.includes(h.host), ...error(h.host) })) };
    };
    printer.update(prestaging([]));
    printer.update(prestaging(['h2']));
    printer.update(prestaging(['h2']));
    printer.update(prestaging(['h2'], ['h3']));
    printer.update(prestaging(['h2', 'h1'], ['h3']));
    expect(lines).toEqual([
      'Prestaging the image: 0 of 2 hosts needed have it…',
      'Prestaging the image: 1 of 2 hosts needed have it…',
      'Prestaging the image: 1 of 2 hosts needed have it…; h3: IMAGE_MISSING: manifest unknown',
      'Prestaging the image: 2 of 2 hosts needed have it…; h3: IMAGE_MISSING: manifest unknown',
    ]);
  });
});

describe('watch-deployment-group', () => {
  it('prints the group line and host rows only when they change', () => {
    const lines: string[] = [];
    const printer = new GroupWatchPrinter((l) => lines.push(l), false);
    const status = (state: string) => ({ name: 'g', status: 'ROLLING_OUT', jobId: JOB, hosts: [{ host: 'h1', upToDate: true, job: JOB, state }] });
    printer.update(status('PULLING_IMAGE'), 'g', 0);
    printer.update(status('PULLING_IMAGE'), 'g', 1000);
    printer.update(status('RUNNING'), 'g', 2000);
    expect(lines).toEqual([
      `1970-01-01 00:00:00.000    g    Status: ROLLING_OUT    Job Id: ${JOB}`,
      'TIME                       HOST    UP-TO-DATE    JOB    STATE',
      '1970-01-01 00:00:00.000    h1    X    foo-job:0.1.0:0123456    PULLING_IMAGE',
      '1970-01-01 00:00:02.000    h1    X    foo-job:0.1.0:0123456    RUNNING',
    ]);
  });
});
