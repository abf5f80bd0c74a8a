import type { StoredEvent } from '@berth/contracts';
import { checkHistory } from './history-checker';

let sequence = 0;
function stored(aggregate: string, aggregateId: string, version: number, type: string, data: object = {}, correlationId = 'c', id = `e${sequence + 1}`): StoredEvent {
  sequence++;
  return { id, type, schemaVersion: 1, time: '2026-12-07T00:00:00.000Z', actor: 'test', correlationId, causationId: 'x', data, aggregate, aggregateId, version, sequence };
}

beforeEach(() => {
  sequence = 0;
});

describe('checkHistory', () => {
  it('passes a history holding every acknowledged command once, in order', () => {
    const events = [stored('job', 'a', 1, 'JobCreated', {}, 'w-1'), stored('job', 'b', 1, 'JobCreated', {}, 'w-2')];
    const report = checkHistory(events, [
      { correlationId: 'w-1', eventType: 'JobCreated', sequence: 1 },
      { correlationId: 'w-2', eventType: 'JobCreated', sequence: 2 },
    ]);
    expect(report).toEqual({ acknowledged: 2, lost: [], duplicated: [], violations: [] });
  });

  it('finds a lost acknowledged command, a command stored twice and an event id stored twice', () => {
    const events = [stored('job', 'a', 1, 'JobCreated', {}, 'w-1'), stored('job', 'b', 1, 'JobCreated', {}, 'w-1'), stored('job', 'c', 1, 'JobCreated', {}, 'w-3', 'e1')];
    const report = checkHistory(events, [
      { correlationId: 'w-1', eventType: 'JobCreated', sequence: 1 },
      { correlationId: 'w-2', eventType: 'JobCreated', sequence: 2 },
    ]);
    expect(report.lost).toEqual(['w-2 (acknowledged at sequence 2)']);
    expect(report.duplicated).toEqual(['event e1 (JobCreated) stored twice', 'w-1: 2 × JobCreated (sequences 1, 2)']);
  });

  it('counts an unanswered command stored once as fine and stored twice as duplicated', () => {
    const events = [stored('job', 'a', 1, 'JobCreated', {}, 'u-1'), stored('job', 'b', 1, 'JobCreated', {}, 'u-2'), stored('job', 'c', 1, 'JobCreated', {}, 'u-2')];
    const report = checkHistory(events, [], [
      { correlationId: 'u-1', eventType: 'JobCreated' },
      { correlationId: 'u-2', eventType: 'JobCreated' },
    ]);
    expect(report.duplicated).toEqual(['u-2: 2 × JobCreated (sequences 2, 3)']);
    expect(report.lost).toEqual([]);
  });

  it('finds version gaps and acknowledged commands stored out of their order', () => {
    const events = [stored('job', 'a', 1, 'JobCreated', {}, 'w-2'), stored('job', 'a', 3, 'JobRemoved'), stored('job', 'b', 1, 'JobCreated', {}, 'w-1')];
    const report = checkHistory(events, [
      { correlationId: 'w-1', eventType: 'JobCreated', sequence: 3 },
      { correlationId: 'w-2', eventType: 'JobCreated', sequence: 3 },
    ]);
    expect(report.violations).toEqual(['job/a: version 3 where 2 was next (sequence 2)', 'w-2: stored at 1, before a command acknowledged earlier (3)']);
  });

  it('holds a rollout to its parallelism and deploys each host once; a failed host may go again', () => {
    const started = stored('rollout', 'r1', 1, 'RolloutStarted', { jobId: 'j:1', options: { parallelism: 2 } });
    const deploy = (host: string, v: number) => stored('deployment', host, v, 'JobDeployed', { jobId: 'j:1', host }, 'rollout:r1');
    const good = [
      started,
      stored('rollout', 'r1', 2, 'BatchStarted', { hosts: ['h1', 'h2'] }),
      deploy('h1', 1),
      deploy('h2', 1),
      stored('rollout', 'r1', 3, 'HostsHealthy', { hosts: ['h1'] }),
      stored('rollout', 'r1', 4, 'HostsFailed', { failures: [{ host: 'h2' }] }),
      stored('rollout', 'r1', 5, 'BatchStarted', { hosts: ['h3', 'h2'] }),
      deploy('h3', 1),
      deploy('h2', 2),
    ];
    expect(checkHistory(good, []).violations).toEqual([]);

    sequence = 0;
    const bad = [
      stored('rollout', 'r1', 1, 'RolloutStarted', { jobId: 'j:1', options: { parallelism: 2 } }),
      stored('rollout', 'r1', 2, 'BatchStarted', { hosts: ['h1', 'h2'] }),
      deploy('h1', 1),
      stored('rollout', 'r1', 3, 'BatchStarted', { hosts: ['h3'] }),
      deploy('h1', 2),
      stored('rollout', 'r1', 4, 'HostsHealthy', { hosts: ['h1', 'h2', 'h3'] }),
      stored('rollout', 'r1', 5, 'BatchStarted', { hosts: ['h1'] }),
    ];
    expect(checkHistory(bad, []).violations).toEqual([
      'rollout r1: 3 hosts deploying at once, parallelism 2 (sequence 4)',
      'rollout r1: host h1 deployed 2 times (sequence 5)',
      'rollout r1: host h1 in a second batch (sequence 7)',
    ]);
  });
});
