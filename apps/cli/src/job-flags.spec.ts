import { UsageError } from './errors';
import { mergeJob, parseHealthCheck, parsePortSpec, parseRegistration, parseVolumeSpec } from './job-flags';

describe('parsePortSpec', () => {
  it('reads name=internal as a dynamic tcp port', () => {
    expect(parsePortSpec('http=8080')).toEqual({ name: 'http', mapping: { internalPort: 8080, protocol: 'tcp' } });
  });

  it('reads a static external port, an address and a protocol', () => {
    expect(parsePortSpec('dns=192.0.2.1:53:5353/udp')).toEqual({ name: 'dns', mapping: { internalPort: 53, externalPort: 5353, protocol: 'udp', ip: '192.0.2.1' } });
    expect(parsePortSpec('admin=9000:19000')).toEqual({ name: 'admin', mapping: { internalPort: 9000, externalPort: 19000, protocol: 'tcp' } });
  });

  it.each(['http', '=80', 'http=x', 'http=80/sctp', 'http=80:'])('refuses %s', (spec) => {
    expect(() => parsePortSpec(spec)).toThrow(UsageError);
  });
});

describe('parseVolumeSpec', () => {
  it.each([
    ['/data', ['/data', '']],
    ['/data:ro', ['/data:ro', '']],
    ['/srv/data:/data', ['/data', '/srv/data']],
    ['/srv/data:/data:rw', ['/data:rw', '/srv/data']],
    ['cache:/var/cache:ro', ['/var/cache:ro', 'cache']],
  ])('%s → %j', (spec, expected) => {
    expect(parseVolumeSpec(spec)).toEqual(expected);
  });

  it.each(['data', 'a:b:c:d', '/a::/b', '/src:relative'])('refuses %s', (spec) => {
    expect(() => parseVolumeSpec(spec)).toThrow(UsageError);
  });
});

describe('parseRegistration', () => {
  it('defaults the protocol to http and the port to the only one', () => {
    expect(parseRegistration('web', ['http'])).toEqual(['web/http', 'http']);
  });

  it('takes an explicit protocol and port', () => {
    expect(parseRegistration('dns/udp=dns', ['dns', 'admin'])).toEqual(['dns/udp', 'dns']);
  });

  it('needs the port named when the job has several', () => {
    expect(() => parseRegistration('web', ['a', 'b'])).toThrow(/name the port/);
  });
});

describe('parseHealthCheck', () => {
  it('allows only one', () => {
    expect(() => parseHealthCheck({ httpCheck: 'http:/health', tcpCheck: 'http' })).toThrow('Only one health check may be specified.');
  });

  it('builds http, tcp and exec checks', () => {
    expect(parseHealthCheck({ httpCheck: 'admin:/healthcheck' })).toEqual({ type: 'http', port: 'admin', path: '/healthcheck' });
    expect(parseHealthCheck({ tcpCheck: 'db' })).toEqual({ type: 'tcp', port: 'db' });
    expect(parseHealthCheck({ execCheck: 'ping -c 1 localhost' })).toEqual({ type: 'exec', command: ['ping', '-c', '1', 'localhost'] });
  });
});

describe('mergeJob: the command line over the job file', () => {
  const file = {
    id: 'web:1',
    image: 'nginx:1',
    command: ['nginx'],
    env: { A: 'file', B: 'file' },
    ports: { http: { internalPort: 80, protocol: 'tcp' } },
    volumes: { '/cache': '' },
    addCapabilities: ['IPC_LOCK'],
  };

  it('replaces scalars and the command, merges maps key by key with the flags winning', () => {
    const job = mergeJob(file, {
      id: 'web:2',
      image: 'nginx:2',
      command: ['nginx', '-g', 'daemon off;'],
      env: ['B=flag', 'C=x=y'],
      port: ['admin=8081:18081'],
      volume: ['/srv:/data:ro'],
      addCapability: ['SYSLOG', 'IPC_LOCK'],
      token: 's3cret',
    });
    expect(job).toEqual({
      ...file,
      id: 'web:2',
      image: 'nginx:2',
      command: ['nginx', '-g', 'daemon off;'],
      env: { A: 'file', B: 'flag', C: 'x=y' },
      ports: { http: { internalPort: 80, protocol: 'tcp' }, admin: { internalPort: 8081, externalPort: 18081, protocol: 'tcp' } },
      volumes: { '/cache': '', '/data:ro': '/srv' },
      addCapabilities: ['IPC_LOCK', 'SYSLOG'],
      token: 's3cret',
    });
  });

  it('keeps the file as it is when no flag is given', () => {
    expect(mergeJob(file, { command: [] })).toEqual(file);
  });

  it('puts GIT_COMMIT from the environment into metadata, as Helios does', () => {
    expect(mergeJob(file, { command: [], metadata: ['team=core'] }, { GIT_COMMIT: 'abc123' })['metadata']).toEqual({ team: 'core', GIT_COMMIT: 'abc123' });
  });

  it('registers against the ports of file and flags together', () => {
    expect(mergeJob(file, { command: [], register: ['web'] })['registration']).toEqual({ 'web/http': { ports: { http: {} } } });
  });

  it('refuses a port name given twice on the command line', () => {
    expect(() => mergeJob(file, { command: [], port: ['a=1', 'a=2'] })).toThrow('Duplicate port mapping: a');
  });
});
