import type { StoredEvent } from '@berth/contracts';
import { GatewayReadModel } from '../read-model/gateway-read-model';
import { liveFeed } from './live-feed';

let nextSequence = 1;
function hostRegistered(host: string): StoredEvent {
  const sequence = nextSequence++;
  return {
    id: `e${sequence}`,
    type: 'HostRegistered',
    schemaVersion: 1,
    aggregate: 'host',
    aggregateId: host,
    time: '2026-01-01T00:00:00.000Z',
    actor: 'test',
    correlationId: 'c',
    causationId: 'c',
    data: { host, agentId: host, labels: {}, info: {}, time: '2026-01-01T00:00:00.000Z' },
    sequence,
    version: 1,
  };
}

const hostNames = (model: GatewayReadModel) => () => [[...model.projection.all('host').keys()].sort().join(',')];

describe('liveFeed', () => {
  it('sends the current state, then one update per change, with no gap and no duplicate', async () => {
    const model = new GatewayReadModel();
    model.apply(hostRegistered('a'));
    const feed = liveFeed(model, hostNames(model), (e) => [e.aggregateId]);
    model.apply(hostRegistered('b'));
    model.apply(hostRegistered('c'));
    const received = [await feed.next(), await feed.next(), await feed.next()].map((r) => r.value);
    expect(received).toEqual(['a', 'b', 'c']);
    const pending = feed.next();
    model.apply(hostRegistered('d'));
    expect((await pending).value).toBe('d');
    await feed.return?.();
  });

  it('stops listening when the subscriber leaves', async () => {
    const model = new GatewayReadModel();
    const changes = jest.fn((e: StoredEvent) => [e.aggregateId]);
    const feed = liveFeed(model, () => [], changes);
    const pending = feed.next();
    await feed.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
    model.apply(hostRegistered('late'));
    expect(changes).not.toHaveBeenCalled();
  });

  it('cuts off a subscriber that falls too far behind', async () => {
    const model = new GatewayReadModel();
    const feed = liveFeed(model, () => [], (e) => [e.aggregateId], 2);
    for (const h of ['x', 'y', 'z']) model.apply(hostRegistered(h));
    await feed.next();
    await feed.next();
    await feed.next();
    await expect(feed.next()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('holds changes that come while an asynchronous current state is read, and sends them after it', async () => {
    const model = new GatewayReadModel();
    model.apply(hostRegistered('old'));
    let readOlder!: (items: string[]) => void;
    const feed = liveFeed(model, () => new Promise<string[]>((resolve) => (readOlder = resolve)), (e) => [e.aggregateId]);
    const first = feed.next();
    model.apply(hostRegistered('new-1'));
    model.apply(hostRegistered('new-2'));
    readOlder(['old']);
    const received = [await first, await feed.next(), await feed.next()].map((r) => r.value);
    expect(received).toEqual(['old', 'new-1', 'new-2']);
    await feed.return?.();
  });

  it('ends a waiting subscriber with the error of an asynchronous current-state read, and stops listening', async () => {
    const model = new GatewayReadModel();
    const changes = jest.fn((e: StoredEvent) => [e.aggregateId]);
    let fail!: (err: Error) => void;
    const feed = liveFeed(model, () => new Promise<string[]>((_, reject) => (fail = reject)), changes);
    const pending = feed.next();
    fail(Object.assign(new Error('gone from the store'), { code: 'UNAVAILABLE' }));
    await expect(pending).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    model.apply(hostRegistered('after'));
    expect(changes).not.toHaveBeenCalled();
  });

  it('does not let a failing current-state read leak a listener', () => {
    const model = new GatewayReadModel();
    const changes = jest.fn(() => []);
    expect(() => liveFeed(model, () => { throw new Error('boom'); }, changes)).toThrow('boom');
    model.apply(hostRegistered('after'));
    expect(changes).not.toHaveBeenCalled();
  });
});
