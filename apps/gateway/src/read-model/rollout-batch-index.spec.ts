import type { StoredEvent } from '@berth/contracts';
import { RolloutBatchIndex } from './rollout-batch-index';

const event = (type: string, data: object, aggregate = 'rollout'): StoredEvent =>
  ({ type, aggregate, aggregateId: 'r1', data, sequence: 1, version: 1, id: 'e', schemaVersion: 1, time: '', actor: 'a', correlationId: 'c', causationId: 'c' }) as unknown as StoredEvent;

describe('RolloutBatchIndex', () => {
  it('numbers batches from 1 and keeps the last batch a host was deployed in', () => {
    const index = new RolloutBatchIndex();
    index.apply(event('BatchStarted', { batch: 0, hosts: ['h1', 'h2'], canary: false }));
    index.apply(event('BatchStarted', { batch: 1, hosts: ['h3'], canary: false }));
    index.apply(event('BatchStarted', { batch: 2, hosts: ['h1'], canary: false })); // a retry
    index.apply(event('BatchStarted', { batch: 7, hosts: ['h2'] }, 'deployment-group'));
    expect(['h1', 'h2', 'h3', 'h4'].map((h) => index.batchOf('r1', h))).toEqual([3, 1, 2, undefined]);
    expect(index.batchOf('other', 'h1')).toBeUndefined();
  });
});
