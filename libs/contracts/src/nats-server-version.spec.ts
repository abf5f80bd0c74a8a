import { MIN_NATS_SERVER_VERSION, NatsServerTooOldError, assertNatsServerVersion, compareVersions } from './nats-server-version';

describe('nats-server version policy', () => {
  it('orders versions numerically, not as text', () => {
    expect(compareVersions('2.15.1', '2.12.6')).toBe(1);
    expect(compareVersions('2.12.10', '2.12.6')).toBe(1);
    expect(compareVersions('2.10.27', '2.12.6')).toBe(-1);
    expect(compareVersions('v2.12.6', '2.12.6')).toBe(0);
    expect(compareVersions('2.12.6-beta.1', '2.12.6')).toBe(0);
  });

  it('accepts the minimum and newer servers', () => {
    expect(() => assertNatsServerVersion(MIN_NATS_SERVER_VERSION, 'nats://127.0.0.1:4222')).not.toThrow();
    expect(() => assertNatsServerVersion('2.15.1', 'nats://127.0.0.1:4222')).not.toThrow();
  });

  it('refuses an older server, saying what it found and how to get a newer one', () => {
    let err: unknown;
    try {
      assertNatsServerVersion('2.10.27', 'nats://127.0.0.1:4222');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NatsServerTooOldError);
    const e = err as NatsServerTooOldError;
    expect(e.code).toBe('NATS_SERVER_TOO_OLD');
    expect(e.exitCode).toBe(4);
    expect(e.message).toContain('nats-server 2.10.27');
    expect(e.message).toContain(`>= ${MIN_NATS_SERVER_VERSION}`);
    expect(e.message).toContain('scripts/setup');
  });

  it('refuses a server that does not report a version', () => {
    expect(() => assertNatsServerVersion(undefined, 'nats://x')).toThrow(/does not report its version/);
    expect(() => assertNatsServerVersion('garbage', 'nats://x')).toThrow(NatsServerTooOldError);
  });
});
