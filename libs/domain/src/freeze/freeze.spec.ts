import { foldEvents } from '../decider';
import { ErrorCode } from '../errors';
import { readPipeline } from '../pipeline/pipeline';
import { releaseDecider } from '../release/release.decider';
import { given } from '../testing/given-when-then';
import { activeFreeze, describeFreezeWindow, freezeDecider, freezeWindowEnd, readFreezeWindow, type Freeze, type FreezeWindow } from './freeze';

const t0 = '2026-01-01T00:00:00.000Z';
// Fridays 18:00-24:00 and weekends all day, Tokyo time (UTC+9, no DST)
const weekend: FreezeWindow = { kind: 'weekly', days: ['fri'], from: '18:00', to: '24:00', timeZone: 'Asia/Tokyo' };

describe('freeze windows', () => {
  it('a range is in force from its start (inclusive) to its end (exclusive)', () => {
    const range: FreezeWindow = { kind: 'range', from: '2026-12-24T00:00:00.000Z', to: '2026-12-27T00:00:00.000Z' };
    expect(freezeWindowEnd(range, '2026-12-23T23:59:59.999Z')).toBeUndefined();
    expect(freezeWindowEnd(range, '2026-12-24T00:00:00.000Z')).toBe('2026-12-27T00:00:00.000Z');
    expect(freezeWindowEnd(range, '2026-12-27T00:00:00.000Z')).toBeUndefined();
  });

  it('a weekly window is read in its own time zone, and ends at its local end', () => {
    // Friday 2026-11-27 09:00 UTC is 18:00 in Tokyo
    expect(freezeWindowEnd(weekend, '2026-11-27T08:59:00.000Z')).toBeUndefined();
    expect(freezeWindowEnd(weekend, '2026-11-27T09:00:00.000Z')).toBe('2026-11-27T15:00:00.000Z');
    expect(freezeWindowEnd(weekend, '2026-11-27T14:59:30.500Z')).toBe('2026-11-27T15:00:00.000Z');
    expect(freezeWindowEnd(weekend, '2026-11-27T15:00:00.000Z')).toBeUndefined();
    // the same instant is Friday evening in Tokyo but Friday morning in UTC
    expect(freezeWindowEnd({ ...weekend, timeZone: 'UTC' }, '2026-11-27T09:00:00.000Z')).toBeUndefined();
  });

  it('activeFreeze applies freezes by service and group, and gives the latest end', () => {
    const freeze = (name: string, extra: Partial<Freeze>, to: string): Freeze => ({ kind: 'freeze', name, window: { kind: 'range', from: t0, to }, reason: 'r', setAt: t0, ...extra });
    const freezes = [freeze('web-only', { services: ['web'] }, '2026-01-02T00:00:00.000Z'), freeze('prod', { groups: ['prod'] }, '2026-01-03T00:00:00.000Z')];
    expect(activeFreeze(freezes, { service: 'api', groups: ['dev'] }, t0)).toBeUndefined();
    expect(activeFreeze(freezes, { service: 'web', groups: ['dev'] }, t0)?.freeze.name).toBe('web-only');
    expect(activeFreeze(freezes, { service: 'web', groups: ['dev', 'prod'] }, t0)).toMatchObject({ freeze: { name: 'prod' }, until: '2026-01-03T00:00:00.000Z' });
  });
});

describe('freeze decider', () => {
  it('sets a freeze with a valid window and a reason; removes one that exists', () => {
    given(freezeDecider)
      .when({ type: 'SetFreeze', name: 'xmas', window: weekend, reason: 'holidays', time: t0 })
      .then([{ type: 'FreezeSet', name: 'xmas', window: weekend, reason: 'holidays', time: t0 }]);
    given(freezeDecider).when({ type: 'RemoveFreeze', name: 'xmas', time: t0 }).thenThrows(ErrorCode.FREEZE_NOT_FOUND);
  });

  it('records an override of a freeze, with its reason, leaving the freeze as it is', () => {
    const set = { type: 'FreezeSet' as const, name: 'xmas', window: weekend, reason: 'holidays', time: t0 };
    given(freezeDecider, [set])
      .when({ type: 'RecordFreezeOverride', name: 'xmas', reason: 'INC-9', subject: 'rollout r of prod', time: t0 })
      .then([{ type: 'FreezeOverridden', name: 'xmas', reason: 'INC-9', subject: 'rollout r of prod', time: t0 }]);
    given(freezeDecider, [set]).when({ type: 'RecordFreezeOverride', name: 'xmas', reason: ' ', subject: 's', time: t0 }).thenThrows(ErrorCode.INVALID_FREEZE);
    expect(foldEvents(freezeDecider, [set, { type: 'FreezeOverridden', name: 'xmas', reason: 'INC-9', subject: 's', time: t0 }])).toMatchObject({ kind: 'freeze', reason: 'holidays' });
  });

  it.each<[string, FreezeWindow]>([
    ['a range ending before it starts', { kind: 'range', from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }],
    ['an unknown time zone', { ...weekend, timeZone: 'Mars/Olympus' }],
    ['a bad hour', { ...weekend, from: '25:00' }],
    ['an overnight window', { ...weekend, from: '22:00', to: '06:00' }],
    ['no day', { ...weekend, days: [] }],
  ])('refuses %s with INVALID_FREEZE', (_what, window) => {
    given(freezeDecider).when({ type: 'SetFreeze', name: 'f', window, reason: 'r', time: t0 }).thenThrows(ErrorCode.INVALID_FREEZE);
  });
});

describe('releases and freezes', () => {
  const pipeline = readPipeline({ pipeline: [{ step: 'main' }] }, 'web').pipeline;
  const freeze: Freeze = { kind: 'freeze', name: 'xmas', window: { kind: 'range', from: t0, to: '2026-01-02T00:00:00.000Z' }, reason: 'holidays', setAt: t0 };
  const start = { type: 'StartRelease' as const, releaseId: 'r', service: 'web', jobId: 'web:2:h', ...(pipeline ? { pipeline } : {}), previousJobs: {}, badGroups: [], time: t0 };

  it('a release that would start inside a freeze is refused with DEPLOY_FROZEN and the window end', () => {
    const error = given(releaseDecider).when({ ...start, frozen: { freeze, until: '2026-01-02T00:00:00.000Z' } }).thenThrows(ErrorCode.DEPLOY_FROZEN);
    expect(error.details).toEqual({ freeze: 'xmas', until: '2026-01-02T00:00:00.000Z', reason: 'holidays' });
  });

  it('an override with a reason starts it and records the reason', () => {
    const events = releaseDecider.decide({ ...start, frozen: { freeze, until: '2026-01-02T00:00:00.000Z' }, freezeOverride: 'hotfix for INC-42' }, { kind: 'none' });
    expect(events[0]).toMatchObject({ type: 'ReleaseStarted', options: { freezeOverride: 'xmas: hotfix for INC-42' } });
    expect(foldEvents(releaseDecider, events)).toMatchObject({ status: 'deploying' });
    given(releaseDecider).when({ ...start, frozen: { freeze, until: '2026-01-02T00:00:00.000Z' }, freezeOverride: '  ' }).thenThrows(ErrorCode.DEPLOY_FROZEN);
  });
});

describe('readFreezeWindow', () => {
  it('reads both kinds from JSON (day names shortened), and refuses other shapes', () => {
    expect(readFreezeWindow({ kind: 'weekly', days: ['Saturday', 'sun'], from: '00:00', to: '24:00', timeZone: 'Europe/Paris' })).toEqual({
      kind: 'weekly',
      days: ['sat', 'sun'],
      from: '00:00',
      to: '24:00',
      timeZone: 'Europe/Paris',
    });
    expect(() => readFreezeWindow({ kind: 'monthly' })).toThrow('window.kind');
    expect(() => readFreezeWindow({ kind: 'range', from: 1 })).toThrow('window.from');
  });
});

it('describeFreezeWindow: a range as its two instants, weekly hours with days and zone', () => {
  expect(describeFreezeWindow({ kind: 'range', from: '2026-12-24T00:00:00Z', to: '2026-12-27T00:00:00Z' })).toBe('2026-12-24T00:00:00Z - 2026-12-27T00:00:00Z');
  expect(describeFreezeWindow({ kind: 'weekly', days: ['sat', 'sun'], from: '00:00', to: '24:00', timeZone: 'Europe/Paris' })).toBe('sat,sun 00:00-24:00 Europe/Paris');
});
