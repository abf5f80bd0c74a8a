import type { TaskStatus } from '../task/task-status';
import type { DeploymentEvent } from './deployment.decider';
import fc from 'fast-check';
import { DEFAULT_HISTORY_PER_HOST, JobHistoryLog, jobHistoryOf, recordJobHistory, type JobHistoryEntry } from './job-history';

const jobId = 'web:1:aaaa';
const status = (over: Partial<TaskStatus>): TaskStatus => ({
  jobId,
  goal: 'START',
  state: 'PULLING_IMAGE',
  throttled: 'NO',
  ports: {},
  time: '2024-01-01T00:00:00.000Z',
  ...over,
});
const changed = (host: string, s: TaskStatus): DeploymentEvent => ({ type: 'TaskStatusChanged', host, jobId: s.jobId, status: s });

describe('job history', () => {
  it('folds task status events of the job into rows, in event order, across hosts', () => {
    const events: DeploymentEvent[] = [
      { type: 'JobDeployed', host: 'h1', jobId, goal: 'START', ports: {}, protocols: {}, token: '', time: '2024-01-01T00:00:00.000Z' },
      changed('h1', status({})),
      changed('h2', status({ state: 'CREATING', time: '2024-01-01T00:00:01.000Z' })),
      changed('h1', status({ jobId: 'other:1:bbbb', state: 'RUNNING' })),
      changed('h1', status({ state: 'RUNNING', containerId: 'c1', time: '2024-01-01T00:00:02.000Z' })),
      changed('h1', status({ state: 'EXITED', containerId: 'c1', exitCode: 3, throttled: 'FLAPPING', time: '2024-01-01T00:00:03.000Z' })),
    ];
    expect(jobHistoryOf(events, jobId)).toEqual([
      { host: 'h1', state: 'PULLING_IMAGE', throttled: 'NO', time: '2024-01-01T00:00:00.000Z' },
      { host: 'h2', state: 'CREATING', throttled: 'NO', time: '2024-01-01T00:00:01.000Z' },
      { host: 'h1', state: 'RUNNING', containerId: 'c1', throttled: 'NO', time: '2024-01-01T00:00:02.000Z' },
      { host: 'h1', state: 'EXITED', containerId: 'c1', throttled: 'FLAPPING', exitCode: 3, time: '2024-01-01T00:00:03.000Z' },
    ]);
  });

  it('keeps only the newest entries per host (Helios: 30)', () => {
    const many = Array.from({ length: DEFAULT_HISTORY_PER_HOST + 5 }, (_, i) => changed('h1', status({ containerId: `c${i}` })));
    const history = jobHistoryOf([changed('h2', status({})), ...many], jobId);
    expect(history).toHaveLength(DEFAULT_HISTORY_PER_HOST + 1);
    expect(history[0]).toMatchObject({ host: 'h2' });
    expect(history[1]).toMatchObject({ host: 'h1', containerId: 'c5' });
    expect(jobHistoryOf(many, jobId, { maxPerHost: 2 }).map((entry) => entry.containerId)).toEqual([
      `c${DEFAULT_HISTORY_PER_HOST + 3}`,
      `c${DEFAULT_HISTORY_PER_HOST + 4}`,
    ]);
  });

  it('leaves the history unchanged for other events', () => {
    const history = jobHistoryOf([changed('h1', status({}))], jobId);
    expect(recordJobHistory(history, jobId, { type: 'JobUndeployed', host: 'h1', jobId, time: '2024-01-01T00:00:09.000Z' })).toBe(history);
  });
});

describe('JobHistoryLog', () => {
  it('keeps the same rows as recordJobHistory folded over the same events, also when restored from its entries', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ host: fc.constantFrom('h1', 'h2', 'h3'), job: fc.constantFrom(jobId, 'other:1:bbbb'), n: fc.nat(99) }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(60),
        (specs, maxPerHost, cut) => {
          const events = specs.map(({ host, job, n }) => changed(host, status({ jobId: job, containerId: `c${n}` })));
          let folded: readonly JobHistoryEntry[] = [];
          for (const event of events) folded = recordJobHistory(folded, jobId, event, { maxPerHost });
          const first = new JobHistoryLog(jobId, { maxPerHost });
          for (const event of events.slice(0, cut)) first.record(event);
          const resumed = new JobHistoryLog(jobId, { maxPerHost }, first.entries());
          for (const event of events.slice(cut)) resumed.record(event);
          expect(resumed.entries()).toEqual(folded);
        },
      ),
    );
  });
});
