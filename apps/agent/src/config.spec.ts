import { foldRepeatableFlags, loadAgentConfig, parsePortRange } from './config';
import { resolvePorts } from './port-allocator';

describe('agent config', () => {
  it('reads repeatable --labels and --env, flags over env', () => {
    const config = loadAgentConfig(
      ['--name', 'h1', '--labels', 'a=1', 'b=2', '--labels=c=3', '--env', 'X=1,2', '--env=Y=y', '--port-range', '21000-21010', '--simulated'],
      { BERTH_AGENT_NAME: 'ignored', BERTH_AGENT_ID: 'fromenv' },
    );
    expect(config).toMatchObject({ name: 'h1', id: 'fromenv', labels: { a: '1', b: '2', c: '3' }, env: { X: '1,2', Y: 'y' }, portRange: { from: 21000, to: 21010 }, simulated: true });
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

  it('accepts Helios port ranges (end exclusive) and refuses nonsense', () => {
    expect(parsePortRange('20000:32768')).toEqual({ from: 20000, to: 32767 });
    expect(() => parsePortRange('9-1')).toThrow();
    expect(() => loadAgentConfig(['--labels', 'novalue'], {})).toThrow(/not a label=value/);
  });
});

describe('resolvePorts', () => {
  const job = { ports: { s: { internalPort: 1, externalPort: 80, protocol: 'tcp' as const }, a: { internalPort: 2, protocol: 'tcp' as const }, b: { internalPort: 3, protocol: 'tcp' as const }, c: { internalPort: 4, protocol: 'tcp' as const } } };

  it('uses static ports, then the scheduler’s allocation, then earlier ones, then free ports of the range', () => {
    expect(resolvePorts(job, { a: 30001 }, { b: 30002 }, new Set([20000]), { from: 20000, to: 20010 })).toEqual({ s: 80, a: 30001, b: 30002, c: 20001 });
  });
});
