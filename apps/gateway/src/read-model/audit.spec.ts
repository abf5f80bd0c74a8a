import type { StoredEvent } from '@berth/contracts';
import { GatewayReadModel } from './gateway-read-model';
import { asOfSequence, hostAsOf, queryEvents } from './audit';

function hostEvent(sequence: number, version: number, type: string, time: string, actor: string, data: object): StoredEvent {
  return { id: `e${sequence}`, type, schemaVersion: 1, aggregate: 'host', aggregateId: 'h1', time, actor, correlationId: 'c', causationId: 'c', data, sequence, version };
}

function model(): GatewayReadModel {
  const m = new GatewayReadModel();
  m.apply(hostEvent(1, 1, 'HostRegistered', '2026-01-01T10:00:00.000Z', 'alice', { host: 'h1', agentId: 'a', labels: { v: '1' }, info: {}, time: '2026-01-01T10:00:00.000Z' }));
  m.apply(hostEvent(2, 2, 'HostDown', '2026-01-01T11:00:00.000Z', 'scheduler', { host: 'h1', time: '2026-01-01T11:00:00.000Z' }));
  m.apply(hostEvent(3, 3, 'HostDeregistered', '2026-01-01T12:00:00.000Z', 'bob', { host: 'h1', time: '2026-01-01T12:00:00.000Z' }));
  return m;
}

describe('audit', () => {
  it('rebuilds a host as of a time with the host decider', async () => {
    const { log } = model();
    expect(await hostAsOf(log, 'h1', { time: '2026-01-01T09:00:00Z' })).toEqual({ state: { kind: 'unregistered' }, version: 0, sequence: 0 });
    expect(await hostAsOf(log, 'h1', { time: '2026-01-01T10:30:00Z' })).toMatchObject({ state: { kind: 'registered', status: 'UP' }, version: 1 });
    expect(await hostAsOf(log, 'h1', { time: '2026-01-01T11:00:00Z' })).toMatchObject({ state: { status: 'DOWN', downSince: '2026-01-01T11:00:00.000Z' }, sequence: 2 });
    expect((await hostAsOf(log, 'h1', { sequence: 3 })).state).toEqual({ kind: 'unregistered' });
  });

  it('folds the stream up to the first event decided after the time: a prefix, also when a retried command was stored after later ones', () => {
    const m = model();
    // decided at 10:30 (before the HostDown stored at 2), stored last
    m.apply({ ...hostEvent(4, 4, 'HostRegistered', '2026-01-01T10:30:00.000Z', 'carol', { host: 'h1', agentId: 'a', labels: {}, info: {}, time: '2026-01-01T10:30:00.000Z' }) });
    expect(asOfSequence(m.log, { time: '2026-01-01T10:45:00Z' })).toBe(1);
    expect(asOfSequence(m.log, { time: '2026-01-01T11:00:00Z' })).toBe(2);
    expect(asOfSequence(m.log, { time: '2026-01-01T13:00:00Z' })).toBe(4);
    expect(asOfSequence(m.log, { time: '2026-01-01T13:00:00Z', sequence: 3 })).toBe(3);
    expect(asOfSequence(m.log, { sequence: 99 })).toBe(4);
    expect(asOfSequence(m.log, { time: '2026-01-01T09:00:00Z' })).toBe(0);
  });

  it('needs a sequence or a valid time', async () => {
    const { log } = model();
    await expect(hostAsOf(log, 'h1', {})).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(hostAsOf(log, 'h1', { time: 'yesterday' })).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: 'time is not an ISO-8601 time: yesterday' });
  });

  it('filters the log by actor, type and time range', async () => {
    const { log } = model();
    expect((await queryEvents(log, { actor: 'bob' })).items.map((e) => e.type)).toEqual(['HostDeregistered']);
    expect((await queryEvents(log, { fromTime: '2026-01-01T10:30:00Z', toTime: '2026-01-01T11:30:00Z' })).items.map((e) => e.sequence)).toEqual([2]);
    expect((await queryEvents(log, { aggregate: 'host', type: 'HostRegistered' })).totalCount).toBe(1);
  });
});
