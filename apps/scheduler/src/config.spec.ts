import { loadSchedulerConfig } from './config';

const nats = ['--nats', 'nats://127.0.0.1:4222'];

describe('scheduler --port-range (the domain grammar, half-open result)', () => {
  it('given no flag when loading then the documented default 20000:32768 selects ports 20000…32767 as before', () => {
    expect(loadSchedulerConfig(nats, {}).defaultPortRange).toEqual({ from: 20000, to: 32768 });
  });

  it("given Helios's 20000:32768 or the inclusive 20000-32767 when loading then both select the same ports", () => {
    expect(loadSchedulerConfig([...nats, '--port-range', '20000:32768'], {}).defaultPortRange).toEqual({ from: 20000, to: 32768 });
    expect(loadSchedulerConfig(nats, { BERTH_PORT_RANGE: '20000-32767' }).defaultPortRange).toEqual({ from: 20000, to: 32768 });
  });

  it('given an empty Helios range when loading then the error names the flag and why', () => {
    expect(() => loadSchedulerConfig([...nats, '--port-range', '30000:30000'], {})).toThrow(
      '--port-range (BERTH_PORT_RANGE): "30000:30000" is not a port range: the end 30000 (exclusive) is not after the first port 30000',
    );
  });
});
