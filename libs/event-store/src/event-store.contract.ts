import { randomUUID } from 'node:crypto';
import { eventScopeWildcard, eventSubject, pairId, type NewEvent, type StoredEvent } from '@berth/contracts';
import { ConcurrencyError, EventStoreErrorCode, FencedError, GuardConflictError } from './errors';
import { MAX_ATOMIC_APPEND_AGGREGATES, type EventStore } from './event-store';

/** What one implementation gives the contract suite, fresh for every test. */
export interface EventStoreFixture {
  readonly store: EventStore;
  /** another handle on the same storage, as a second writer process would have one */
  other(): Promise<EventStore>;
  /** closes every handle */
  close(): Promise<void>;
}

export function newEvent(type: string, data: unknown = {}, id: string = randomUUID()): NewEvent {
  return {
    id,
    type,
    schemaVersion: 1,
    time: '2026-11-25T12:00:00.000Z',
    actor: 'test',
    correlationId: 'corr-1',
    causationId: 'cmd-1',
    data,
  };
}

async function collect(iterable: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

/** A handler that records events and lets the test await a count instead of sleeping. */
function recorder() {
  const events: StoredEvent[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    events,
    handler: (e: StoredEvent): void => {
      events.push(e);
      for (const w of waiters.filter((x) => events.length >= x.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    },
    waitFor: (n: number): Promise<void> =>
      events.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve })),
  };
}

/**
 * The behaviour every EventStore must have. Run by in-memory-event-store.spec.ts and
 * jetstream-event-store.int-spec.ts. Tests run one after another against storage that
 * earlier tests wrote to, so each uses its own aggregate ids and sequences it observed.
 */
export function eventStoreContract(name: string, setup: () => Promise<EventStoreFixture>): void {
  describe(`${name} (EventStore contract)`, () => {
    let fx: EventStoreFixture;
    let store: EventStore;
    beforeEach(async () => {
      fx = await setup();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.close();
    });

    describe('append and read', () => {
      it('stores events in order with versions, sequences and the full envelope', async () => {
        const id = `job-${randomUUID()}`;
        const e1 = newEvent('JobCreated', { image: 'busybox:1', ports: { http: 80 } });
        const e2 = newEvent('JobDeployed', { host: 'h1' });
        const e3 = newEvent('JobDeployed', { host: 'h2' });

        const r1 = await store.append('job', id, 0, [e1]);
        const r2 = await store.append('job', id, 1, [e2, e3]);

        expect(r1).toEqual({ lastSequence: expect.any(Number), version: 1, duplicate: false });
        expect(r2).toEqual({ lastSequence: expect.any(Number), version: 3, duplicate: false });
        expect(r2.lastSequence).toBeGreaterThan(r1.lastSequence);
        const read = await store.read('job', id);
        expect(read).toEqual([
          { ...e1, aggregate: 'job', aggregateId: id, sequence: r1.lastSequence, version: 1 },
          { ...e2, aggregate: 'job', aggregateId: id, sequence: r2.lastSequence, version: 2 },
          { ...e3, aggregate: 'job', aggregateId: id, sequence: r2.lastSequence, version: 3 },
        ]);
      });

      it('reads from a version, and nothing for an unknown aggregate', async () => {
        const id = randomUUID();
        await store.append('host', id, 0, [newEvent('A')]);
        await store.append('host', id, 1, [newEvent('B'), newEvent('C')]);
        await store.append('host', id, 3, [newEvent('D')]);

        expect((await store.read('host', id, 2)).map((e) => [e.type, e.version])).toEqual([
          ['B', 2],
          ['C', 3],
          ['D', 4],
        ]);
        expect((await store.read('host', id, 4)).map((e) => e.type)).toEqual(['D']);
        expect(await store.read('host', id, 5)).toEqual([]);
        expect(await store.read('host', `missing-${randomUUID()}`)).toEqual([]);
      });

      it('keeps aggregates apart, including ids that are not subject-safe', async () => {
        const a = `web:1.0:${randomUUID()} *>.`;
        const b = `web:1.0:${randomUUID()}`;
        await store.append('job', a, 0, [newEvent('A1')]);
        await store.append('job', b, 0, [newEvent('B1')]);
        await store.append('job', a, 1, [newEvent('A2')]);
        await store.append('deployment', a, 0, [newEvent('D1')]);

        expect((await store.read('job', a)).map((e) => [e.type, e.version, e.aggregateId])).toEqual([
          ['A1', 1, a],
          ['A2', 2, a],
        ]);
        expect((await store.read('job', b)).map((e) => e.type)).toEqual(['B1']);
        expect((await store.read('deployment', a)).map((e) => e.type)).toEqual(['D1']);
      });

      it("appends with 'any' without a version check", async () => {
        const id = randomUUID();
        const r1 = await store.append('rollout', id, 'any', [newEvent('A')]);
        const r2 = await store.append('rollout', id, 'any', [newEvent('B'), newEvent('C')]);
        expect([r1.version, r2.version]).toEqual([1, 3]);
        expect((await store.read('rollout', id)).map((e) => e.version)).toEqual([1, 2, 3]);
      });

      it('rejects an empty append and repeated ids within one append', async () => {
        const e = newEvent('A');
        await expect(store.append('job', randomUUID(), 0, [])).rejects.toMatchObject({ code: EventStoreErrorCode.INVALID_ARGUMENT });
        await expect(store.append('job', randomUUID(), 0, [e, e])).rejects.toMatchObject({
          code: EventStoreErrorCode.INVALID_ARGUMENT,
        });
      });
    });

    describe('optimistic concurrency', () => {
      it('rejects an append to an existing aggregate that expects it not to exist', async () => {
        const id = randomUUID();
        await store.append('job', id, 0, [newEvent('Created')]);
        const err = await store.append('job', id, 0, [newEvent('CreatedAgain')]).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ConcurrencyError);
        expect(err).toMatchObject({ code: 'CONCURRENCY_CONFLICT', expectedVersion: 0, actualVersion: 1 });
        expect(await store.read('job', id)).toHaveLength(1);
      });

      it('lets exactly one of two writers with the same expected version win', async () => {
        const id = randomUUID();
        const other = await fx.other();
        await store.append('deployment-group', id, 0, [newEvent('Created')]);
        await other.read('deployment-group', id);

        const results = await Promise.allSettled([
          store.append('deployment-group', id, 1, [newEvent('ByFirst')]),
          other.append('deployment-group', id, 1, [newEvent('BySecond')]),
        ]);

        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0]?.reason).toBeInstanceOf(ConcurrencyError);
        expect(lost[0]?.reason).toMatchObject({ code: 'CONCURRENCY_CONFLICT', expectedVersion: 1, actualVersion: 2 });
        const types = (await store.read('deployment-group', id)).map((e) => e.type);
        expect(types).toHaveLength(2);
        expect(['ByFirst', 'BySecond']).toContain(types[1]);
      });

      it('detects a conflict from another writer the first has not seen, and accepts its fresh version', async () => {
        const id = randomUUID();
        const other = await fx.other();
        await store.append('job', id, 0, [newEvent('A')]);
        await other.append('job', id, 1, [newEvent('B')]);

        await expect(store.append('job', id, 1, [newEvent('Stale')])).rejects.toMatchObject({
          code: 'CONCURRENCY_CONFLICT',
          expectedVersion: 1,
          actualVersion: 2,
        });
        await expect(store.append('job', id, 2, [newEvent('C')])).resolves.toMatchObject({ version: 3 });
        expect((await other.read('job', id)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      });
    });

    describe('duplicate suppression', () => {
      it('stores a retried append once and reports success for the retry', async () => {
        const id = randomUUID();
        const e = newEvent('Created');
        const first = await store.append('job', id, 0, [e]);
        const retry = await store.append('job', id, 0, [e]);
        expect(retry).toEqual({ lastSequence: first.lastSequence, version: 1, duplicate: true });
        expect(await store.read('job', id)).toHaveLength(1);
      });

      it('dedupes a retried multi-event append even after later appends, from another writer too', async () => {
        const id = randomUUID();
        const batch = [newEvent('A'), newEvent('B')];
        const first = await store.append('job', id, 0, [newEvent('Created')]);
        const second = await store.append('job', id, 1, batch);
        await store.append('job', id, 3, [newEvent('Later')]);
        const other = await fx.other();

        const retry = await other.append('job', id, 1, batch);
        expect(retry).toEqual({ lastSequence: second.lastSequence, version: 3, duplicate: true });
        expect(await store.append('job', id, 'any', [batch[0] as NewEvent, batch[1] as NewEvent])).toMatchObject({
          duplicate: true,
        });
        expect(first.lastSequence).toBeLessThan(second.lastSequence);
        expect((await store.read('job', id)).map((e) => e.type)).toEqual(['Created', 'A', 'B', 'Later']);
      });
    });

    describe('atomic append across aggregates', () => {
      /** every event stored from `from` on, as aggregate:type */
      const storedSince = async (from: number) => (await collect(store.readAll(from))).map((e) => `${e.aggregateId}:${e.type}`);
      const streamEnd = async () => {
        let last = 0;
        for await (const e of store.readAll()) last = e.sequence;
        return last;
      };

      it('stores every part, in order, with consecutive sequences and each aggregate\'s versions', async () => {
        const job = randomUUID();
        const host = randomUUID();
        await store.append('host', host, 0, [newEvent('HostRegistered')]);
        const results = await store.appendAtomic([
          { aggregate: 'job', aggregateId: job, expectedVersion: 0, events: [newEvent('JobCreated'), newEvent('JobTouched')] },
          { aggregate: 'host', aggregateId: host, expectedVersion: 1, events: [newEvent('JobDeployed')] },
        ]);
        expect(results).toEqual([
          { lastSequence: expect.any(Number), version: 2, duplicate: false },
          { lastSequence: (results[0]?.lastSequence ?? 0) + 1, version: 2, duplicate: false },
        ]);
        expect((await store.read('job', job)).map((e) => [e.type, e.version, e.sequence])).toEqual([
          ['JobCreated', 1, results[0]?.lastSequence],
          ['JobTouched', 2, results[0]?.lastSequence],
        ]);
        expect((await store.read('host', host)).map((e) => e.type)).toEqual(['HostRegistered', 'JobDeployed']);
        expect(await storedSince(results[0]?.lastSequence ?? 0)).toEqual([`${job}:JobCreated`, `${job}:JobTouched`, `${host}:JobDeployed`]);
        expect((await store.readAppend(results[1]?.lastSequence ?? 0)).map((e) => e.type)).toEqual(['JobDeployed']);
      });

      it('writes nothing when one aggregate is stale, and names that aggregate', async () => {
        const job = randomUUID();
        const host = randomUUID();
        const other = await fx.other();
        await store.append('job', job, 0, [newEvent('JobCreated')]);
        await other.append('job', job, 1, [newEvent('JobRemoved')]);
        const end = await streamEnd();

        const err = await store
          .appendAtomic([
            { aggregate: 'host', aggregateId: host, expectedVersion: 0, events: [newEvent('HostRegistered')] },
            { aggregate: 'job', aggregateId: job, expectedVersion: 1, events: [newEvent('JobDeployed')] },
          ])
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ConcurrencyError);
        expect(err).toMatchObject({ code: 'CONCURRENCY_CONFLICT', aggregate: 'job', aggregateId: job, expectedVersion: 1, actualVersion: 2 });
        expect(await streamEnd()).toBe(end);
        expect(await store.read('host', host)).toEqual([]);
      });

      it('lets exactly one of two racing writers whose parts overlap win, wholly', async () => {
        const shared = randomUUID();
        const a = randomUUID();
        const b = randomUUID();
        const other = await fx.other();
        await store.append('job', shared, 0, [newEvent('JobCreated')]);
        await other.read('job', shared);
        const results = await Promise.allSettled([
          store.appendAtomic([
            { aggregate: 'job', aggregateId: shared, expectedVersion: 1, events: [newEvent('ByFirst')] },
            { aggregate: 'host', aggregateId: a, expectedVersion: 0, events: [newEvent('ByFirst')] },
          ]),
          other.appendAtomic([
            { aggregate: 'host', aggregateId: b, expectedVersion: 0, events: [newEvent('BySecond')] },
            { aggregate: 'job', aggregateId: shared, expectedVersion: 1, events: [newEvent('BySecond')] },
          ]),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(lost?.reason).toMatchObject({ code: 'CONCURRENCY_CONFLICT', aggregate: 'job', aggregateId: shared });
        const winner = (await store.read('job', shared))[1]?.type;
        expect((await store.read('host', a)).map((e) => e.type)).toEqual(winner === 'ByFirst' ? ['ByFirst'] : []);
        expect((await store.read('host', b)).map((e) => e.type)).toEqual(winner === 'BySecond' ? ['BySecond'] : []);
      });

      it('refuses the same aggregate twice in one atomic append, writing nothing', async () => {
        const job = randomUUID();
        const end = await streamEnd();
        await expect(
          store.appendAtomic([
            { aggregate: 'job', aggregateId: job, expectedVersion: 0, events: [newEvent('A')] },
            { aggregate: 'job', aggregateId: job, expectedVersion: 1, events: [newEvent('B')] },
          ]),
        ).rejects.toMatchObject({ code: EventStoreErrorCode.INVALID_ARGUMENT, message: expect.stringContaining('appears twice') });
        await expect(store.appendAtomic([])).rejects.toMatchObject({ code: EventStoreErrorCode.INVALID_ARGUMENT });
        expect(await streamEnd()).toBe(end);
      });

      it(`stores ${MAX_ATOMIC_APPEND_AGGREGATES} aggregates at once and refuses one more than the server's batch limit, writing nothing`, async () => {
        const part = () => ({ aggregate: 'host', aggregateId: randomUUID(), expectedVersion: 0 as const, events: [newEvent('HostRegistered')] });
        const full = Array.from({ length: MAX_ATOMIC_APPEND_AGGREGATES }, part);
        const results = await store.appendAtomic(full);
        expect(results).toHaveLength(MAX_ATOMIC_APPEND_AGGREGATES);
        expect((results[results.length - 1]?.lastSequence ?? 0) - (results[0]?.lastSequence ?? 0)).toBe(MAX_ATOMIC_APPEND_AGGREGATES - 1);
        const end = await streamEnd();
        await expect(store.appendAtomic([...full.map(part), part()])).rejects.toMatchObject({
          code: EventStoreErrorCode.INVALID_ARGUMENT,
          message: expect.stringContaining(`at most ${MAX_ATOMIC_APPEND_AGGREGATES}`),
        });
        expect(await streamEnd()).toBe(end);
      }, 60_000);

      it('recognises a retry after a lost reply, even after later appends from another writer, and stores it once', async () => {
        const job = randomUUID();
        const host = randomUUID();
        const parts = [
          { aggregate: 'job', aggregateId: job, expectedVersion: 0, events: [newEvent('JobCreated')] },
          { aggregate: 'host', aggregateId: host, expectedVersion: 0, events: [newEvent('HostRegistered'), newEvent('JobDeployed')] },
        ];
        const first = await store.appendAtomic(parts);
        expect(await store.appendAtomic(parts)).toEqual(first.map((r) => ({ ...r, duplicate: true })));
        await store.append('job', job, 1, [newEvent('Later')]);
        const other = await fx.other();
        expect(await other.appendAtomic(parts)).toEqual(first.map((r) => ({ ...r, duplicate: true })));
        expect((await store.read('job', job)).map((e) => e.type)).toEqual(['JobCreated', 'Later']);
        expect((await store.read('host', host)).map((e) => e.type)).toEqual(['HostRegistered', 'JobDeployed']);
      });

      it('stores a guarded part when nothing on the guard\'s subject is newer than the decision saw', async () => {
        const job = randomUUID();
        const { lastSequence: seen } = await store.append('job', job, 0, [newEvent('JobCreated')]);
        const host = randomUUID();
        const results = await store.appendAtomic([
          { aggregate: 'deployment', aggregateId: host, expectedVersion: 0, events: [newEvent('JobDeployed')] },
          { aggregate: 'job-use', aggregateId: pairId(job, host), expectedVersion: 'any', events: [newEvent('JobUseRecorded')], guard: { subject: eventSubject('job', job), unchangedSince: seen } },
        ]);
        expect(results.map((r) => r.version)).toEqual([1, 1]);
        // a wildcard guard over every host's use of the job
        const stored = await store.appendAtomic([
          { aggregate: 'job', aggregateId: job, expectedVersion: 1, events: [newEvent('JobRemoved')] },
          { aggregate: 'job-use', aggregateId: job, expectedVersion: 'any', events: [newEvent('JobUseClosed')], guard: { subject: eventScopeWildcard('job-use', job), unchangedSince: results[1]?.lastSequence ?? 0 } },
        ]);
        expect(stored.map((r) => r.version)).toEqual([2, 1]);
      });

      it('refuses, writing nothing, when a message on the guard\'s subject is newer than the decision saw', async () => {
        const job = randomUUID();
        const { lastSequence: seen } = await store.append('job', job, 0, [newEvent('JobCreated')]);
        const host = randomUUID();
        const other = await fx.other();
        // another writer takes the job into use after the decision looked
        await other.appendAtomic([
          { aggregate: 'deployment', aggregateId: host, expectedVersion: 0, events: [newEvent('JobDeployed')] },
          { aggregate: 'job-use', aggregateId: pairId(job, host), expectedVersion: 'any', events: [newEvent('JobUseRecorded')], guard: { subject: eventSubject('job', job), unchangedSince: seen } },
        ]);
        const end = await streamEnd();
        const err = await store
          .appendAtomic([
            { aggregate: 'job', aggregateId: job, expectedVersion: 1, events: [newEvent('JobRemoved')] },
            { aggregate: 'job-use', aggregateId: job, expectedVersion: 'any', events: [newEvent('JobUseClosed')], guard: { subject: eventScopeWildcard('job-use', job), unchangedSince: seen } },
          ])
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(GuardConflictError);
        expect(err).toMatchObject({ code: 'CONCURRENCY_CONFLICT', aggregate: 'job-use', aggregateId: job, unchangedSince: seen, changedAt: end });
        expect(await streamEnd()).toBe(end);
        await expect(
          store.appendAtomic([{ aggregate: 'job-use', aggregateId: job, expectedVersion: 0, events: [newEvent('X')], guard: { subject: 'berth.evt.job.x', unchangedSince: 0 } }]),
        ).rejects.toMatchObject({ code: EventStoreErrorCode.INVALID_ARGUMENT });
      });

      it('lets at most one of two writers guarding each other win, every round', async () => {
        const other = await fx.other();
        for (let round = 0; round < 20; round++) {
          const job = randomUUID();
          const host = randomUUID();
          const { lastSequence: seen } = await store.append('job', job, 0, [newEvent('JobCreated')]);
          const results = await Promise.allSettled([
            store.appendAtomic([
              { aggregate: 'deployment', aggregateId: host, expectedVersion: 0, events: [newEvent('JobDeployed')] },
              { aggregate: 'job-use', aggregateId: pairId(job, host), expectedVersion: 'any', events: [newEvent('JobUseRecorded')], guard: { subject: eventSubject('job', job), unchangedSince: seen } },
            ]),
            other.appendAtomic([
              { aggregate: 'job', aggregateId: job, expectedVersion: 1, events: [newEvent('JobRemoved')] },
              { aggregate: 'job-use', aggregateId: job, expectedVersion: 'any', events: [newEvent('JobUseClosed')], guard: { subject: eventScopeWildcard('job-use', job), unchangedSince: seen } },
            ]),
          ]);
          const deployed = (await store.read('deployment', host)).length;
          const removed = (await store.read('job', job)).length - 1;
          expect(deployed + removed).toBe(1);
          expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        }
      });

      it("appends 'any' parts on whatever head the aggregate has", async () => {
        const job = randomUUID();
        await store.append('job', job, 0, [newEvent('A'), newEvent('B')]);
        const [jobResult] = await store.appendAtomic([
          { aggregate: 'job', aggregateId: job, expectedVersion: 'any', events: [newEvent('C')] },
          { aggregate: 'host', aggregateId: randomUUID(), expectedVersion: 0, events: [newEvent('D')] },
        ]);
        expect(jobResult).toMatchObject({ version: 3, duplicate: false });
        expect((await store.read('job', job)).map((e) => e.version)).toEqual([1, 2, 3]);
      });
    });

    describe('fencing', () => {
      /** a writer's term: a marker on its own subject, as a scheduler writes when it takes the lease */
      const beginTerm = async (writer: EventStore, term: string): Promise<number> =>
        (await writer.append('leader-term', term, 'any', [newEvent('LeaderTermStarted')])).lastSequence;

      it("refuses every append of a writer whose term was superseded, and writes nothing", async () => {
        const term = randomUUID();
        const subject = eventSubject('leader-term', term);
        const old = await fx.other();
        old.fence({ subject, unchangedSince: await beginTerm(old, term) });
        const job = randomUUID();
        const host = randomUUID();
        // within its term the fenced writer appends as any other: single, atomic, guarded
        await old.append('job', job, 0, [newEvent('JobCreated')]);
        await old.appendAtomic([
          { aggregate: 'job', aggregateId: job, expectedVersion: 1, events: [newEvent('JobDeployed')] },
          { aggregate: 'host', aggregateId: host, expectedVersion: 0, events: [newEvent('HostRegistered')] },
        ]);
        const fencedBy: number[] = [];
        old.fence({ subject, unchangedSince: (await store.read('leader-term', term))[0]?.sequence ?? 0 }, (err) => fencedBy.push(err.changedAt));

        const next = await beginTerm(store, term);
        const before = (await collect(store.readAll())).length;
        // decided on versions that are current: only the fence can refuse these
        const refusals = await Promise.all([
          old.append('job', job, 2, [newEvent('JobUndeployed')]).catch((e: unknown) => e),
          old.append('job', randomUUID(), 0, [newEvent('JobCreated')]).catch((e: unknown) => e),
          old.appendAtomic([
            { aggregate: 'job', aggregateId: job, expectedVersion: 2, events: [newEvent('JobRemoved')] },
            { aggregate: 'host', aggregateId: host, expectedVersion: 1, events: [newEvent('HostDeregistered')] },
          ]).catch((e: unknown) => e),
        ]);
        for (const err of refusals) {
          expect(err).toBeInstanceOf(FencedError);
          expect(err).toMatchObject({ code: EventStoreErrorCode.FENCED, fenceSubject: subject, changedAt: next });
        }
        expect(fencedBy).toEqual([next, next, next]);
        const after = await collect(store.readAll());
        expect(after).toHaveLength(before);
        expect((await store.read('job', job)).map((e) => e.type)).toEqual(['JobCreated', 'JobDeployed']);

        // the current term's writer is not fenced by the old one; a lifted fence checks nothing
        await store.append('job', job, 2, [newEvent('JobUndeployed')]);
        old.fence(undefined);
        await old.append('job', job, 3, [newEvent('JobRemoved')]);
        expect((await store.read('job', job)).map((e) => e.type)).toEqual(['JobCreated', 'JobDeployed', 'JobUndeployed', 'JobRemoved']);
      });

      it("numbers a guarded part from the store after a new fence, not from heads it cached before another writer's term", async () => {
        const job = randomUUID();
        const marker = (w: EventStore) =>
          w.appendAtomic([
            { aggregate: 'job-use', aggregateId: pairId(job, 'h1'), expectedVersion: 'any', events: [newEvent('JobUseRecorded')], guard: { subject: eventSubject('job', job), unchangedSince: 0 } },
            { aggregate: 'host', aggregateId: randomUUID(), expectedVersion: 0, events: [newEvent('HostRegistered')] },
          ]);
        const a = await fx.other();
        const b = await fx.other();
        await marker(a);
        await marker(a);
        // b's term: its own marker on the same subject
        await marker(b);
        // a leads again: a new fence, and its next marker goes after b's
        a.fence(undefined);
        await marker(a);
        expect((await store.read('job-use', pairId(job, 'h1'))).map((e) => e.version)).toEqual([1, 2, 3, 4]);
      });

      it('keeps positions whole and readers undisturbed by the fence: replay and subscribe see only events', async () => {
        const term = randomUUID();
        const writer = await fx.other();
        const start = await beginTerm(writer, term);
        writer.fence({ subject: eventSubject('leader-term', term), unchangedSince: start });
        const job = randomUUID();
        const results = [];
        for (let i = 0; i < 5; i++) results.push(await writer.append('job', job, i, [newEvent(`E${i}`)]));
        const last = (results[results.length - 1] as { lastSequence: number }).lastSequence;
        expect(await store.lastSequence()).toBe(last);
        const replayed = (await collect(store.readAll(start))).map((e) => e.type);
        expect(replayed).toEqual(['LeaderTermStarted', 'E0', 'E1', 'E2', 'E3', 'E4']);
        for (const r of results) expect((await store.readAppend(r.lastSequence)).map((e) => e.aggregateId)).toEqual([job]);
        const seen = recorder();
        const sub = store.subscribe(start, seen.handler);
        await sub.caughtUp;
        await sub.stop();
        expect(seen.events.map((e) => e.type)).toEqual(replayed);
      });
    });

    describe('replay', () => {
      it('replays every aggregate from a sequence, in stream order', async () => {
        const a = randomUUID();
        const b = randomUUID();
        await store.append('job', a, 0, [newEvent('A1')]);
        const from = await store.append('job', b, 0, [newEvent('B1')]);
        await store.append('job', a, 1, [newEvent('A2'), newEvent('A3')]);

        const replayed = await collect(store.readAll(from.lastSequence));
        expect(replayed.map((e) => [e.aggregateId, e.type, e.version])).toEqual([
          [b, 'B1', 1],
          [a, 'A2', 2],
          [a, 'A3', 3],
        ]);
        expect(replayed[0]?.sequence).toBe(from.lastSequence);
      });

      it('tells the sequence of the newest append', async () => {
        const { lastSequence } = await store.append('job', randomUUID(), 0, [newEvent('A')]);
        expect(await store.lastSequence()).toBe(lastSequence);
        const [, second] = await store.appendAtomic([
          { aggregate: 'job', aggregateId: randomUUID(), expectedVersion: 0, events: [newEvent('B')] },
          { aggregate: 'host', aggregateId: randomUUID(), expectedVersion: 0, events: [newEvent('C')] },
        ]);
        expect(await store.lastSequence()).toBe(second?.lastSequence);
      });

      it('reads the one append stored at a sequence, and nothing where there is none', async () => {
        const id = randomUUID();
        await store.append('job', id, 0, [newEvent('A1')]);
        const both = await store.append('job', id, 1, [newEvent('A2'), newEvent('A3')]);

        const read = await store.readAppend(both.lastSequence);
        expect(read.map((e) => [e.aggregateId, e.type, e.version, e.sequence])).toEqual([
          [id, 'A2', 2, both.lastSequence],
          [id, 'A3', 3, both.lastSequence],
        ]);
        expect(read).toEqual(await store.read('job', id, 2));
        expect(await store.readAppend(both.lastSequence + 1)).toEqual([]);
        expect(await store.readAppend(0)).toEqual([]);
      });

      it('ends at the end of the stream as it was when called', async () => {
        const id = randomUUID();
        const first = await store.append('job', id, 0, [newEvent('Before1')]);
        await store.append('job', id, 1, [newEvent('Before2')]);
        const iterator = store.readAll(first.lastSequence)[Symbol.asyncIterator]();

        const head = await iterator.next();
        await store.append('job', id, 2, [newEvent('After')]);
        const rest: string[] = [];
        for (let r = await iterator.next(); !r.done; r = await iterator.next()) rest.push(r.value.type);

        expect(head.value).toMatchObject({ type: 'Before1' });
        expect(rest).toEqual(['Before2']);
        expect(await collect(store.readAll(Number.MAX_SAFE_INTEGER))).toEqual([]);
      });

      it('replays 10,000 events', async () => {
        const aggregates = Array.from({ length: 200 }, () => randomUUID());
        let firstSequence = Number.MAX_SAFE_INTEGER;
        // 2,000 appends of 5 events: 10 rounds, each appending to 200 aggregates concurrently
        for (let round = 0; round < 10; round++) {
          const results = await Promise.all(
            aggregates.map((id, i) =>
              store.append('host', id, round * 5, Array.from({ length: 5 }, (_, k) => newEvent('Tick', { round, i, k }))),
            ),
          );
          firstSequence = Math.min(firstSequence, ...results.map((r) => r.lastSequence));
        }

        const replayed = await collect(store.readAll(firstSequence));
        expect(replayed).toHaveLength(10_000);
        const versions = new Map<string, number>();
        let lastSequence = 0;
        for (const e of replayed) {
          expect(e.sequence).toBeGreaterThanOrEqual(lastSequence);
          lastSequence = e.sequence;
          const expected = (versions.get(e.aggregateId) ?? 0) + 1;
          expect(e.version).toBe(expected);
          versions.set(e.aggregateId, expected);
        }
        expect([...versions.values()].every((v) => v === 50)).toBe(true);
      }, 60_000);
    });

    describe('subscribe', () => {
      it('delivers history, then live appends, with no gap and no duplicates', async () => {
        const id = randomUUID();
        const h1 = await store.append('rollout', id, 0, [newEvent('H1')]);
        await store.append('rollout', id, 1, [newEvent('H2')]);
        const rec = recorder();

        const sub = store.subscribe(h1.lastSequence, rec.handler);
        await sub.caughtUp;
        expect(rec.events.map((e) => e.type)).toEqual(['H1', 'H2']);
        await store.append('rollout', id, 2, [newEvent('L1')]);
        await store.append('rollout', id, 3, [newEvent('L2'), newEvent('L3')]);
        await rec.waitFor(5);
        await sub.stop();

        expect(rec.events.map((e) => [e.type, e.version])).toEqual([
          ['H1', 1],
          ['H2', 2],
          ['L1', 3],
          ['L2', 4],
          ['L3', 5],
        ]);
      });

      it('misses nothing appended while it is still catching up', async () => {
        const id = randomUUID();
        const start = await store.append('host', id, 0, [newEvent('E', { n: 0 })]);
        for (let n = 1; n < 200; n++) await store.append('host', id, n, [newEvent('E', { n })]);
        const rec = recorder();

        const sub = store.subscribe(start.lastSequence, rec.handler);
        for (let n = 200; n < 250; n++) await store.append('host', id, n, [newEvent('E', { n })]);
        await rec.waitFor(250);
        await sub.stop();

        expect(rec.events.map((e) => (e.data as { n: number }).n)).toEqual(Array.from({ length: 250 }, (_, n) => n));
      });

      it('stops delivering after stop()', async () => {
        const id = randomUUID();
        const start = await store.append('job', id, 0, [newEvent('Before')]);
        const rec = recorder();
        const sub = store.subscribe(start.lastSequence, rec.handler);
        await rec.waitFor(1);

        await sub.stop();
        await store.append('job', id, 1, [newEvent('After')]);

        await expect(sub.done).resolves.toBeUndefined();
        expect((await collect(store.readAll(start.lastSequence))).map((e) => e.type)).toEqual(['Before', 'After']);
        expect(rec.events.map((e) => e.type)).toEqual(['Before']);
      });

      it('ends with the error a handler throws', async () => {
        const id = randomUUID();
        const start = await store.append('job', id, 0, [newEvent('Boom')]);
        const sub = store.subscribe(start.lastSequence, () => {
          throw new Error('projection failed');
        });
        await expect(sub.done).rejects.toThrow('projection failed');
        await sub.stop();
      });
    });

    describe('snapshots', () => {
      it('saves, loads and overwrites a snapshot', async () => {
        const name = `projection.test-${randomUUID()}`;
        expect(await store.loadSnapshot(name)).toBeUndefined();

        await store.saveSnapshot(name, { sequence: 5, state: { jobs: ['a'], hosts: { h1: 'UP' } } });
        expect(await store.loadSnapshot(name)).toEqual({ sequence: 5, state: { jobs: ['a'], hosts: { h1: 'UP' } } });
        await store.saveSnapshot(name, { sequence: 9, state: { jobs: [] } });
        expect(await store.loadSnapshot(name)).toEqual({ sequence: 9, state: { jobs: [] } });
      });

      it("rejects names that are not safe keys, and the store's own reserved segments", async () => {
        for (const name of ['bad name', 'scheduler.__part.a.0']) {
          await expect(store.saveSnapshot(name, { sequence: 1, state: {} })).rejects.toMatchObject({
            code: EventStoreErrorCode.INVALID_ARGUMENT,
          });
        }
      });

      it('saves and loads a snapshot several times larger than one NATS message, then a small one in its place', async () => {
        const name = `projection.big-${randomUUID()}`;
        // ~4 MB of distinct hosts, like a 10,000-host fleet's state
        const hosts = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`host-${i}`, { status: 'UP', labels: { pool: `p${i % 7}`, rack: `r${i % 31}` }, note: 'x'.repeat(150) }]));
        await store.saveSnapshot(name, { sequence: 41, state: { hosts } });
        expect(await store.loadSnapshot(name)).toEqual({ sequence: 41, state: { hosts } });
        await store.saveSnapshot(name, { sequence: 42, state: { hosts: {} } });
        expect(await store.loadSnapshot(name)).toEqual({ sequence: 42, state: { hosts: {} } });
      });
    });
  });
}
