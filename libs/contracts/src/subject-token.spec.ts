import fc from 'fast-check';
import { decodeSubjectToken, encodeSubjectToken } from './subject-token';
import { eventScopeWildcard, eventSubject, pairId } from './subjects';

describe('subject token encoding', () => {
  it.each([
    ['web:1.0:abc', 'web:1%2E0:abc'],
    ['a b', 'a%20b'],
    ['*', '%2A'],
    ['>', '%3E'],
    ['100%', '100%25'],
    ['', '%'],
    ['é', '%C3%A9'],
  ])('encodes %j as %j and back', (raw, encoded) => {
    expect(encodeSubjectToken(raw)).toBe(encoded);
    expect(decodeSubjectToken(encoded)).toBe(raw);
  });

  it('round-trips any string and never yields an unsafe token', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        const token = encodeSubjectToken(s);
        expect(token).toMatch(/^[A-Za-z0-9_:%-]+$/);
        expect(decodeSubjectToken(token)).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  it('maps different ids to different tokens', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        fc.pre(a !== b);
        expect(encodeSubjectToken(a)).not.toBe(encodeSubjectToken(b));
      }),
    );
  });

  it('rejects tokens that were not produced by the encoder', () => {
    expect(() => decodeSubjectToken('a.b')).toThrow(/not an encoded subject token/);
    expect(() => decodeSubjectToken('%zz')).toThrow(/not an encoded subject token/);
  });

  it('builds event subjects with exactly four tokens', () => {
    const subject = eventSubject('job', 'web.api:1.2.3:deadbeef');
    expect(subject).toBe('berth.evt.job.web%2Eapi:1%2E2%2E3:deadbeef');
    expect(subject.split('.')).toHaveLength(4);
  });

  it('nests the subject of an aggregate keyed by a pair, so one wildcard covers every second key of a first', () => {
    const subject = eventSubject('job-use', pairId('web:1:ab', 'host.example'));
    expect(subject).toBe('berth.evt.job-use.web:1:ab.host%2Eexample');
    expect(eventScopeWildcard('job-use', 'web:1:ab')).toBe('berth.evt.job-use.web:1:ab.*');
    expect(eventSubject('job-use', 'web:1:ab')).toBe('berth.evt.job-use.web:1:ab');
  });
});
