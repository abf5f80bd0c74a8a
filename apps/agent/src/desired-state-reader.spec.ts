import { readDesiredState } from './desired-state-reader';
import { makeJob } from './testing/job-fixture';

describe('readDesiredState', () => {
  const good = makeJob('good');
  const task = (overrides: Record<string, unknown>) => ({ jobId: 'x:1:abc', job: makeJob('x'), goal: 'START', ports: {}, ...overrides });

  it('passes a well-formed state through untouched', () => {
    const state = { host: 'h', revision: 3, tasks: [{ jobId: good.id, job: good, goal: 'START', ports: { http: 20000 } }] };
    expect(readDesiredState(JSON.parse(JSON.stringify(state)))).toEqual({ state, problems: new Map(), dropped: 0 });
  });

  it('refuses what is not a desired state at all', () => {
    expect(readDesiredState(null)).toBeUndefined();
    expect(readDesiredState({ host: 'h', revision: 1 })).toBeUndefined();
    expect(readDesiredState({ host: 'h', revision: '1', tasks: [] })).toBeUndefined();
  });

  it('keeps malformed tasks, with a stand-in job and the problem, and drops entries without a job id', () => {
    const reading = readDesiredState({
      host: 'h',
      revision: 1,
      tasks: [
        task({ jobId: 'a:1:1', job: 'nope' }),
        task({ jobId: 'b:1:1', job: { ...makeJob('b'), ports: { http: 8080 } } }),
        task({ jobId: 'c:1:1', ports: { http: 'x' } }),
        task({ jobId: 'd:1:1', goal: 'DANCE' }),
        task({ jobId: 'e:1:1', job: { ...makeJob('e'), command: 'sleep 1' }, goal: 'STOP' }),
        { job: good },
        task({ jobId: good.id, job: good }),
      ],
    });
    expect(reading?.dropped).toBe(1);
    expect(Object.fromEntries(reading?.problems ?? [])).toEqual({
      'a:1:1': 'the task has no job',
      'b:1:1': 'job.ports.http must be an object',
      'c:1:1': 'ports must map port names to numbers',
      'd:1:1': 'invalid goal "DANCE"',
      'e:1:1': 'job.command must be a list of strings',
    });
    expect(reading?.state.tasks.map((t) => [t.jobId, t.goal, t.job.image])).toEqual([
      ['a:1:1', 'START', ''],
      ['b:1:1', 'START', ''],
      ['c:1:1', 'START', ''],
      ['d:1:1', 'START', ''],
      ['e:1:1', 'STOP', ''],
      [good.id, 'START', 'local/busybox:1'],
    ]);
  });
});
