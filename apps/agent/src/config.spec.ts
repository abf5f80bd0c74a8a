import { foldRepeatableFlags, loadAgentConfig } from './config';

describe('agent config', () => {
  it('reads repeatable --labels and --env, flags over env', () => {
    const config = loadAgentConfig(
      ['--name', 'h1', '--labels', 'a=1', 'b=2', '--labels=c=3', '--env', 'X=1,2', '--env=Y=y', '--port-range', '21000-21010', '--simulated'],
      { BERTH_AGENT_NAME: 'ignored', BERTH_AGENT_ID: 'fromenv' },
    );
    expect(config).toMatchObject({ name: 'h1', id: 'fromenv', labels: { a: '1', b: '2', c: '3' }, env: { X: '1,2', Y: 'y' }, portRange: { from: 21000, to: 21011 }, simulated: true });
  });

  it('reads repeatable --dns and --add-host host:ip (IPv6 too)', () => {
    const config = loadAgentConfig(['--dns', '127.0.0.53', '--dns=::1', '--add-host', 'db:127.0.0.5', 'v6:fd00::1'], {});
    expect(config.dns).toEqual(['127.0.0.53', '::1']);
    expect(config.addHost).toEqual(['db:127.0.0.5', 'v6:fd00::1']);
    expect(loadAgentConfig([], {})).toMatchObject({ dns: [], addHost: [] });
    expect(() => loadAgentConfig(['--dns', 'resolver.example'], {})).toThrow(/not an IP address/);
    expect(() => loadAgentConfig(['--add-host', 'db'], {})).toThrow(/not host:ip/);
    expect(() => loadAgentConfig(['--add-host', 'db:nowhere'], {})).toThrow(/not host:ip/);
  });

  it('keeps other flags in place', () => {
    expect(foldRepeatableFlags(['--name', 'h', '--env', 'A=1'])).toEqual(['--name', 'h', '--env=A=1']);
  });

  it('refuses a label without a value', () => {
    expect(() => loadAgentConfig(['--labels', 'novalue'], {})).toThrow(/not a label=value/);
  });
});

describe('--port-range (the domain grammar, half-open result)', () => {
  it('given no flag when loading then the documented default 20000-32767 selects ports 20000…32767 as before', () => {
    expect(loadAgentConfig([], {}).portRange).toEqual({ from: 20000, to: 32768 });
  });

  it("given Helios's 20000:32768 or the inclusive 20000-32767 when loading then both select the same ports", () => {
    expect(loadAgentConfig(['--port-range', '20000:32768'], {}).portRange).toEqual({ from: 20000, to: 32768 });
    expect(loadAgentConfig([], { BERTH_AGENT_PORT_RANGE: '20000-32767' }).portRange).toEqual({ from: 20000, to: 32768 });
  });

  it('given a range with its ends swapped when loading then the error names the flag and why', () => {
    expect(() => loadAgentConfig(['--port-range', '9-1'], {})).toThrow('--port-range (BERTH_AGENT_PORT_RANGE): "9-1" is not a port range: the first port 9 is after the last 1');
  });
});
