import type { Rollout, RolloutHost } from '../api/types';
import { cellDetail, cellStateOf, countCells, hostCells } from './host-cells';

const host = (over: Partial<RolloutHost> & Pick<RolloutHost, 'host' | 'state'>): RolloutHost => ({ batch: null, canary: false, up: true, targetRunning: false, failure: null, ...over });

const rollout = (hosts: RolloutHost[], over: Partial<Rollout> = {}): Rollout => ({
  rolloutId: 'r1',
  group: 'g',
  jobId: 'web:2:b',
  targetJobId: 'web:2:b',
  status: 'ROLLING_OUT',
  paused: false,
  promoted: false,
  finished: false,
  startedAt: '2026-11-25T10:00:00.000Z',
  error: null,
  batches: 2,
  reason: 'MANUAL',
  options: null,
  limits: null,
  progress: { total: hosts.length, pending: 0, deploying: 0, healthy: 0, failed: 0, skipped: 0, upToDate: 0 },
  hosts,
  ...over,
});

describe('cellStateOf', () => {
  it.each([
    ['PENDING', undefined, true, 'pending'],
    ['DEPLOYING', 'PULLING_IMAGE', true, 'pulling'],
    ['DEPLOYING', 'CREATING', true, 'deploying'],
    ['DEPLOYING', 'HEALTHCHECKING', true, 'healthchecking'],
    ['DEPLOYING', 'RUNNING', true, 'deploying'],
    ['HEALTHY', 'RUNNING', true, 'healthy'],
    ['UP_TO_DATE', undefined, true, 'healthy'],
    ['FAILED', 'FAILED', true, 'failed'],
    ['SKIPPED', undefined, true, 'skipped'],
    ['SKIPPED', undefined, false, 'down'],
    ['PENDING', undefined, false, 'down'],
  ])('rollout %s with task %s (up: %s) is %s', (state, task, up, expected) => {
    expect(cellStateOf(host({ host: 'h', state, up }), task)).toBe(expected);
  });
});

describe('hostCells', () => {
  it('keeps the rollout order, marks canaries and the newest batch, and counts states', () => {
    const cells = hostCells(
      rollout([
        host({ host: 'h1', state: 'HEALTHY', batch: 1, canary: true }),
        host({ host: 'h2', state: 'DEPLOYING', batch: 2 }),
        host({ host: 'h3', state: 'PENDING' }),
      ]),
      [{ host: 'h2', job: 'web:2:b', state: 'PULLING_IMAGE', upToDate: false }],
    );
    expect(cells.map((c) => [c.host, c.state, c.canary, c.current])).toEqual([
      ['h1', 'healthy', true, false],
      ['h2', 'pulling', false, true],
      ['h3', 'pending', false, false],
    ]);
    expect(cellDetail(cells[1] as (typeof cells)[number])).toBe('DEPLOYING · task PULLING_IMAGE · batch 2');
    expect(countCells(cells)).toMatchObject({ healthy: 1, pulling: 1, pending: 1, failed: 0 });
  });

  it("ignores task states of another job (the old job's HEALTHCHECKING is not this rollout's)", () => {
    const cells = hostCells(rollout([host({ host: 'h1', state: 'DEPLOYING', batch: 1 })]), [{ host: 'h1', job: 'web:1:a', state: 'HEALTHCHECKING', upToDate: false }]);
    expect(cells[0]?.state).toBe('deploying');
  });

  it('marks no batch as current once the rollout finished', () => {
    const cells = hostCells(rollout([host({ host: 'h1', state: 'HEALTHY', batch: 1 })], { finished: true, status: 'SUCCEEDED' }));
    expect(cells[0]?.current).toBe(false);
  });
});
