import { ManualTimer } from '@berth/container-runtime';
import type { TaskStatusReport } from '@berth/contracts';
import type { TaskStatus } from '@berth/domain';
import { StatusReporter } from './status-reporter';

const status = (jobId: string, state: TaskStatus['state']): TaskStatus => ({ jobId, goal: 'START', state, throttled: 'NO', ports: {}, time: 't' });

describe('StatusReporter', () => {
  it('coalesces changes within a tick into one report that keeps every transition in order', async () => {
    const timer = new ManualTimer(0);
    const sent: TaskStatusReport[] = [];
    const reporter = new StatusReporter({ host: 'h', agentId: 'a', timer, snapshot: () => [], publish: async (r) => void sent.push(r) });
    reporter.update(status('a', 'CREATING'));
    reporter.update(status('a', 'STARTING'));
    reporter.update(status('b', 'RUNNING'));
    await timer.advance(50);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ host: 'h', agentId: 'a', full: false });
    expect(sent[0]?.tasks.map((t) => [t.jobId, t.state])).toEqual([['a', 'CREATING'], ['a', 'STARTING'], ['b', 'RUNNING']]);
  });

  it('keeps at most 100 transitions per task while NATS is away, the newest ones', async () => {
    const timer = new ManualTimer(0);
    const sent: TaskStatusReport[] = [];
    let up = false;
    const reporter = new StatusReporter({
      host: 'h', agentId: 'a', timer, snapshot: () => [],
      publish: async (r) => {
        if (!up) throw new Error('NATS not connected');
        sent.push(r);
      },
    });
    for (let i = 0; i < 150; i++) reporter.update({ ...status('a', i % 2 ? 'RUNNING' : 'EXITED'), exitCode: i });
    reporter.update(status('b', 'RUNNING'));
    await timer.advance(50);
    up = true;
    await timer.advance(1_000);
    const tasks = sent.flatMap((r) => r.tasks);
    expect(tasks.filter((t) => t.jobId === 'a')).toHaveLength(100);
    expect(tasks.filter((t) => t.jobId === 'a').at(-1)?.exitCode).toBe(149);
    expect(tasks.filter((t) => t.jobId === 'b')).toHaveLength(1);
  });

  it('keeps changes while publishing fails and sends them once it works', async () => {
    const timer = new ManualTimer(0);
    const sent: TaskStatusReport[] = [];
    let up = false;
    const reporter = new StatusReporter({
      host: 'h',
      agentId: 'a',
      timer,
      snapshot: () => [status('a', 'RUNNING')],
      publish: async (r) => {
        if (!up) throw new Error('NATS not connected');
        sent.push(r);
      },
    });
    reporter.update(status('a', 'EXITED'));
    await timer.advance(50);
    reporter.update(status('a', 'RUNNING'));
    await timer.advance(5_000);
    expect(sent).toEqual([]);
    up = true;
    reporter.requestFull();
    await timer.advance(1_000);
    // the transitions made while away, in order, then the full snapshot
    expect(sent.map((r) => [r.full, r.tasks.map((t) => t.state)])).toEqual([[true, ['EXITED', 'RUNNING', 'RUNNING']]]);
  });
});
