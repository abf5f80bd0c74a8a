import { DomainError, ErrorCode } from '../errors';
import { DEFAULT_PORT_RANGE, formatPortRange, lastPortOf, parsePortRange, portRangeContains, type PortRange } from './port-range';

function rejection(raw: string): DomainError {
  try {
    parsePortRange(raw);
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error(`"${raw}" was accepted`);
}

describe('parsePortRange', () => {
  describe("given Helios's FROM:TO form (TO exclusive)", () => {
    it('when 20000:32768 then ports 20000…32767, the default', () => {
      expect(parsePortRange('20000:32768')).toEqual({ from: 20000, to: 32768 });
      expect(parsePortRange('20000:32768')).toEqual(DEFAULT_PORT_RANGE);
    });

    it('when 1:65536 then the whole port space, 1 and 65535 included', () => {
      const range = parsePortRange('1:65536');
      expect(range).toEqual({ from: 1, to: 65536 });
      expect(portRangeContains(range, 1)).toBe(true);
      expect(portRangeContains(range, 65535)).toBe(true);
    });

    it('when 30000:30001 then the one port 30000', () => {
      const range = parsePortRange('30000:30001');
      expect(portRangeContains(range, 30000)).toBe(true);
      expect(portRangeContains(range, 30001)).toBe(false);
    });
  });

  describe('given the FROM-TO form (both ends inclusive)', () => {
    it('when 20000-32767 then the same ports as 20000:32768', () => {
      expect(parsePortRange('20000-32767')).toEqual(parsePortRange('20000:32768'));
    });

    it('when 1-65535 then the whole port space', () => {
      expect(parsePortRange('1-65535')).toEqual({ from: 1, to: 65536 });
    });

    it('when 20000-20000 then the one port 20000', () => {
      const range = parsePortRange('20000-20000');
      expect(range).toEqual({ from: 20000, to: 20001 });
      expect(lastPortOf(range)).toBe(20000);
    });

    it('when surrounded by blanks then they are ignored', () => {
      expect(parsePortRange(' 21000-21010\n')).toEqual({ from: 21000, to: 21011 });
    });
  });

  describe('given bad input', () => {
    it.each([
      ['nope', 'expected FROM:TO or FROM-TO'],
      ['', 'expected FROM:TO or FROM-TO'],
      ['20000', 'expected FROM:TO or FROM-TO'],
      ['20000..30000', 'expected FROM:TO or FROM-TO'],
      ['-1-10', 'expected FROM:TO or FROM-TO'],
      ['1.5-10', 'expected FROM:TO or FROM-TO'],
      ['0-10', 'the first port 0 is outside 1-65535'],
      ['0:10', 'the first port 0 is outside 1-65535'],
      ['65536-65536', 'the first port 65536 is outside 1-65535'],
      ['1-65536', 'the last port 65536 is outside 1-65535'],
      ['1:65537', 'the last port 65536 is outside 1-65535'],
      ['9-1', 'the first port 9 is after the last 1'],
      ['20000:20000', 'the end 20000 (exclusive) is not after the first port 20000'],
      ['20001:20000', 'the end 20000 (exclusive) is not after the first port 20001'],
    ])('when %j then INVALID_PORT_RANGE saying %s', (raw, why) => {
      const err = rejection(raw);
      expect(err.code).toBe(ErrorCode.INVALID_PORT_RANGE);
      expect(err.message).toContain(why);
      expect(err.message).toContain('20000:32768');
      expect(err.details).toEqual({ value: raw });
    });
  });
});

describe('a half-open PortRange', () => {
  const range: PortRange = { from: 20000, to: 20003 };

  it('contains from and the port before to, not to itself', () => {
    expect([19999, 20000, 20002, 20003].map((port) => portRangeContains(range, port))).toEqual([false, true, true, false]);
  });

  it('is shown with both ends inclusive, and that text parses back to the same range', () => {
    expect(formatPortRange(range)).toBe('20000-20002');
    expect(parsePortRange(formatPortRange(range))).toEqual(range);
  });
});
