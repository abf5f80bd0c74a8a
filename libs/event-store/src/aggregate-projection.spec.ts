import { jobDecider, jobIdOf, type JobState } from '@berth/domain';
import { AggregateProjection } from './aggregate-projection';
import { decideAndAppend } from './decide-and-append';
import { InMemoryEventStore } from './in-memory-event-store';

const time = '2026-01-01T00:00:00.000Z';
let ids = 0;
const meta = { actor: 'alice', correlationId: 'c', causationId: 'k', time };

async function createJob(store: InMemoryEventStore, name: string) {
  const job = { id: `${name}:1`, image: 'busybox' };
  const id = jobIdOf({ type: 'CreateJob', job, time });
  return decideAndAppend({
    store,
    aggregate: 'job',
    aggregateId: id,
    decider: jobDecider,
    command: () => ({ type: 'CreateJob' as const, job, time }),
    meta,
    newId: () => `e${++ids}`,
  });
}

describe('AggregateProjection', () => {
  it('folds history then live events and tells when a sequence is visible', async () => {
    const store = new InMemoryEventStore();
    await createJob(store, 'a');
    const projection = new AggregateProjection({ job: jobDecider });
    const sub = projection.follow(store);
    await sub.caughtUp;
    expect(projection.all('job').size).toBe(1);

    const { sequence } = await createJob(store, 'b');
    await projection.waitFor(sequence ?? Infinity);
    const states = [...projection.all('job').values()].map((v) => (v.state as JobState).status);
    expect(states).toEqual(['created', 'created']);
    expect(projection.sequence).toBe(sequence);
    await sub.stop();
  });

  it('skips aggregates it does not know, but still advances its sequence', () => {
    const projection = new AggregateProjection({ job: jobDecider });
    projection.apply({
      id: 'x', type: 'HostUp', schemaVersion: 1, aggregate: 'host', aggregateId: 'h1', time, actor: 'a',
      correlationId: 'c', causationId: 'k', data: {}, sequence: 7, version: 1,
    });
    expect(projection.sequence).toBe(7);
    expect(projection.all('job').size).toBe(0);
  });

  it('restores from a snapshot to the same state as a full replay', async () => {
    const store = new InMemoryEventStore();
    await createJob(store, 'a');
    await createJob(store, 'b');
    const full = new AggregateProjection({ job: jobDecider });
    await full.follow(store).caughtUp;

    const restored = new AggregateProjection({ job: jobDecider });
    restored.restore(JSON.parse(JSON.stringify(full.toSnapshot())));
    await createJob(store, 'c');
    const sub1 = full.follow(store);
    const sub2 = restored.follow(store);
    await Promise.all([sub1.caughtUp, sub2.caughtUp]);
    expect(restored.toSnapshot()).toEqual(full.toSnapshot());
    expect(restored.all('job').size).toBe(3);
    await Promise.all([sub1.stop(), sub2.stop()]);
  });
});
