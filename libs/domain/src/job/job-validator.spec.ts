import type { Problem } from '../errors';
import { ErrorCode } from '../errors';
import { heliosManualExampleJob } from '../testing/job-fixtures';
import { parseJob, validateJob, type JobValidationOptions } from './job-validator';

const NOW = Date.parse('2024-01-01T00:00:00Z');
const BASE = { id: 'svc:1', image: 'busybox:1' };

function check(extra: Record<string, unknown>, options: Partial<JobValidationOptions> = {}) {
  return validateJob({ ...BASE, ...extra }, { now: NOW, ...options });
}

function problemsOf(extra: Record<string, unknown>, options: Partial<JobValidationOptions> = {}): readonly Problem[] {
  const result = check(extra, options);
  return result.ok ? [] : result.problems;
}

function expectValid(extra: Record<string, unknown>, options: Partial<JobValidationOptions> = {}): void {
  expect(problemsOf(extra, options)).toEqual([]);
}

function expectOnlyProblem(extra: Record<string, unknown>, path: string, message: string | RegExp): void {
  const problems = problemsOf(extra);
  expect(problems).toEqual([{ path, message: typeof message === 'string' ? message : expect.stringMatching(message) }]);
}

function exact(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

describe('validateJob: normalisation', () => {
  it('fills in Helios defaults and the full id', () => {
    expect(validateJob(BASE, { now: NOW })).toEqual({
      ok: true,
      ignored: [],
      job: {
        id: expect.stringMatching(/^svc:1:[0-9a-f]{40}$/),
        image: 'busybox:1',
        command: [],
        env: {},
        ports: {},
        registration: {},
        registrationDomain: '',
        volumes: {},
        token: '',
        securityOpt: [],
        metadata: {},
        addCapabilities: [],
        dropCapabilities: [],
        labels: {},
        ramdisks: {},
      },
    });
  });

  it('treats null like an absent field (as Jackson does)', () => {
    const without = check({});
    expect(without.ok).toBe(true);
    expect(check({ command: null, env: null, hostname: null, healthCheck: null })).toEqual(without);
  });

  it('defaults the port protocol to tcp and normalises registration keys to service/protocol', () => {
    const result = check({ ports: { http: { internalPort: 80 } }, registration: { web: { ports: { http: {} } } } });
    expect(result.ok && result.job.ports).toEqual({ http: { internalPort: 80, protocol: 'tcp' } });
    expect(result.ok && result.job.registration).toEqual({ 'web/http': { ports: { http: {} } } });
  });

  it('sorts and de-duplicates capability sets and normalises expires to an ISO instant', () => {
    const result = check({
      addCapabilities: ['SYSLOG', 'IPC_LOCK', 'SYSLOG'],
      dropCapabilities: ['KILL', 'CHOWN'],
      expires: '2030-06-01T14:00:00+02:00',
    }, { whitelistedCapabilities: ['IPC_LOCK', 'SYSLOG'] });
    expect(result.ok && result.job.addCapabilities).toEqual(['IPC_LOCK', 'SYSLOG']);
    expect(result.ok && result.job.dropCapabilities).toEqual(['CHOWN', 'KILL']);
    expect(result.ok && result.job.expires).toBe('2030-06-01T12:00:00.000Z');
  });

  it('ignores unknown properties (as Helios does) but lists them, and leaves them out of the job', () => {
    const result = check({ healtCheck: { type: 'tcp' }, ports: { p: { internalPort: 1, extrnalPort: 2 } } });
    expect(result.ok).toBe(true);
    expect(result.ignored).toEqual(['healtCheck', 'ports.p.extrnalPort']);
    const clean = check({ ports: { p: { internalPort: 1 } } });
    expect(clean.ok).toBe(true);
    expect(result.ok && result.job).toEqual(clean.ok && clean.job);
  });

  it('keeps the server-stamped created and creatingUser when present (inspect output)', () => {
    const result = check({ created: 1700000000000, creatingUser: 'ana' });
    expect(result.ok && result.job.created).toBe(1700000000000);
    expect(result.ok && result.job.creatingUser).toBe('ana');
  });
});

describe('validateJob: every problem at once', () => {
  it('lists wrong types, a bad port, an upper-case image and a wrong hash together', () => {
    const result = validateJob(
      {
        id: 'svc:1:0000000000000000000000000000000000000000',
        image: 'Busybox:1',
        command: 'sleep 10',
        env: { A: 1 },
        gracePeriod: -1,
        ports: { http: { internalPort: 70000, protocol: 'sctp' } },
        resources: { memory: '1g' },
        healthCheck: { type: 'http', port: 'admin', path: 'health' },
        networkMode: 'overlay',
      },
      { now: NOW },
    );
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.problems.map((p) => p.path);
    expect(paths.sort()).toEqual(
      [
        'command',
        'env.A',
        'gracePeriod',
        'healthCheck.path',
        'healthCheck.port',
        'id',
        'image',
        'networkMode',
        'ports.http.internalPort',
        'ports.http.protocol',
        'resources.memory',
      ].sort(),
    );
    const messages = result.ok ? [] : result.problems.map((p) => p.message);
    expect(messages).toContainEqual(expect.stringMatching(/^Id hash mismatch: 0{40} != [0-9a-f]{40}$/));
    expect(messages).toContainEqual(expect.stringMatching(/^Invalid image name \(Busybox:1\)/));
  });

  it('reports a missing id and a missing image together', () => {
    const result = validateJob({ command: ['x'] }, { now: NOW });
    expect(result.ok ? [] : result.problems).toEqual([
      { path: 'id', message: 'Job id was not specified.' },
      { path: 'image', message: 'Image was not specified.' },
    ]);
  });

  it('rejects input that is not an object', () => {
    for (const input of [null, 'svc:1', [BASE], 42]) {
      const result = validateJob(input, { now: NOW });
      expect(result.ok ? [] : result.problems).toContainEqual({ path: '', message: 'A job must be a JSON object' });
    }
  });

  it('parseJob throws INVALID_JOB_DEFINITION carrying every problem', () => {
    expect.assertions(3);
    try {
      parseJob({ id: 'svc', image: 'A' }, { now: NOW });
    } catch (error) {
      expect(error).toMatchObject({ code: ErrorCode.INVALID_JOB_DEFINITION });
      const problems = (error as { details: { problems: Problem[] } }).details.problems;
      expect(problems.map((p) => p.path)).toEqual(['image', 'id']);
      expect((error as Error).message).toMatch(/^Invalid job definition: image: Invalid image name.*; id: Job version was not specified/);
    }
  });
});

describe('validateJob: the Helios manual example job', () => {
  const example = { ...heliosManualExampleJob, expires: '2030-06-01T12:00:00Z' };
  const options = { now: NOW, whitelistedCapabilities: ['IPC_LOCK', 'SYSLOG'] };

  it('validates with a future expiry and whitelisted capabilities (its Helios-computed hash not checked)', () => {
    const result = validateJob(example, { ...options, checkHash: false });
    expect(result).toMatchObject({ ok: true, ignored: [] });
    expect(result.ok && result.job.id).toMatch(/^myservice:0\.5:[0-9a-f]{40}$/);
    expect(result.ok && result.job.rolloutOptions).toEqual(heliosManualExampleJob.rolloutOptions);
  });

  it('validates with the hash checked once the id leaves the hash to the server', () => {
    expect(validateJob({ ...example, id: 'myservice:0.5' }, options).ok).toBe(true);
  });

  it('is rejected as printed: expired, capabilities not whitelisted, hash from another serialisation', () => {
    const result = validateJob(heliosManualExampleJob, { now: NOW });
    expect(result.ok ? [] : result.problems.map((p) => p.path).sort()).toEqual(['addCapabilities', 'expires', 'id']);
  });
});

describe('rule: job id', () => {
  it('computes the hash when the id has none, and accepts the right one', () => {
    const computed = check({});
    const id = computed.ok ? computed.job.id : '';
    expect(problemsOf({ id })).toEqual([]);
  });
  it('rejects a wrong hash with Helios message', () => {
    const computed = check({});
    const hash = computed.ok ? computed.job.id.split(':')[2] : '';
    expectOnlyProblem({ id: 'svc:1:abc' }, 'id', exact(`Id hash mismatch: abc != ${hash}`));
  });
  it('replaces a wrong hash when hash checking is off (Helios CLI)', () => {
    const result = check({ id: 'svc:1:abc' }, { checkHash: false });
    expect(result.ok && result.job.id).toMatch(/^svc:1:[0-9a-f]{40}$/);
  });
  it('rejects a hash containing a colon', () => {
    expectOnlyProblem({ id: 'svc:1:ab:cd' }, 'id', 'Job hash contains colon in job id [svc:1:ab:cd].');
  });
  it.each(['svc', 'svc:'])('requires a version (%j)', (id) => {
    expectOnlyProblem({ id }, 'id', /^Job version was not specified in job id/);
  });
  it('requires a name', () => {
    expectOnlyProblem({ id: ':1' }, 'id', 'Job name was not specified.');
  });
  it.each(['my svc:1', 'svc/x:1', 'sv€:1'])('rejects name characters outside [0-9a-zA-Z-_.] (%j)', (id) => {
    expectOnlyProblem({ id }, 'id', /^Job name may only contain \[0-9a-zA-Z-_.\]/);
  });
  it('rejects version characters outside [0-9a-zA-Z-_.]', () => {
    expectOnlyProblem({ id: 'svc:1+2' }, 'id', 'Job version may only contain [0-9a-zA-Z-_.] in job version [1+2].');
  });
  it('accepts every allowed character', () => {
    expectValid({ id: 'Az09-_.:Az09-_.' });
  });
  it('requires the id to be a string', () => {
    expectOnlyProblem({ id: 7 }, 'id', 'must be a string');
  });
});

describe('rule: hostname', () => {
  it.each(['myhost', 'a', '0-host', 'a'.repeat(63), ''])('accepts %j', (hostname) => expectValid({ hostname }));
  it.each(['MyHost', '-host', 'my_host', 'a'.repeat(64), 'my.host'])('rejects %j', (hostname) => {
    expectOnlyProblem({ hostname }, 'hostname', exact(`Invalid hostname (${hostname}), only [a-z0-9][a-z0-9-] are allowed, size between 1 and 63`));
  });
});

describe('rule: image', () => {
  it('is required', () => {
    expect(validateJob({ id: 'svc:1' }, { now: NOW })).toMatchObject({
      ok: false,
      problems: [{ path: 'image', message: 'Image was not specified.' }],
    });
  });
  it.each([
    'busybox',
    'busybox:1.36',
    'library/busybox:latest',
    'myregistry:80/janedoe/myservice:0.5-98c6ff4',
    'localhost/foo',
    'localhost:5000/foo/bar:1',
    '127.0.0.1:5000/busybox:1',
    'registry.example.com/a.b/c_d/e-f:v1',
    'busybox@sha256:abcdef0123',
    'busybox:1@sha256:abcdef0123',
    `${'a'.repeat(255)}:1`,
  ])('accepts %s', (image) => expectValid({ image }));
  it.each([
    ['Busybox', /^Invalid image name \(Busybox\), only \^\(\[a-z0-9._-\]\+\)\$ is allowed .*failed on "Busybox"/],
    ['registry.io/Team/app', /failed on "Team"/],
    ['busybox:', /^Tag cannot be empty$/],
    ['busybox:-bad', /^Illegal tag: "-bad"/],
    [`busybox:${'a'.repeat(129)}`, /^Illegal tag/],
    ['busybox@', /^Digest cannot be empty$/],
    ['busybox@sha256', /^Illegal digest: "sha256"$/],
    ['busybox@sha256:a:b', /^Illegal digest/],
    ['busybox@:abc', /^Illegal digest/],
    ['http://registry.io/foo', /^Invalid repository name/],
    ['registry.io', /^Invalid repository name/],
    ['localhost', /^Invalid repository name/],
    ['registry.io:99999/foo', /^Invalid port in endpoint: "registry.io:99999"$/],
    ['registry.io:http/foo', /^Invalid port in endpoint/],
    ['123.45/foo', /^Invalid domain name: "123.45"$/],
    ['-bad.io/foo', /^Invalid domain name/],
    ['registry.io/foo/', /failed on ""/],
    [`${'a'.repeat(256)}:1`, /repository name cannot be larger than 255 characters$/],
  ])('rejects %s', (image, message) => expectOnlyProblem({ image }, 'image', message));
});

describe('rule: ports', () => {
  const port = (mapping: Record<string, unknown>) => ({ ports: { p: { internalPort: 80, ...mapping } } });

  it('accepts dynamic and static ports, tcp and udp, ports 0 and 65535', () => {
    expectValid({ ports: { a: { internalPort: 0 }, b: { internalPort: 65535, externalPort: 0, protocol: 'udp' } } });
  });
  it('rejects a protocol other than tcp or udp', () => {
    expectOnlyProblem(port({ protocol: 'sctp' }), 'ports.p.protocol', 'Invalid port mapping protocol: sctp');
  });
  it.each([-1, 65536])('rejects internal port %i', (internalPort) => {
    expectOnlyProblem(port({ internalPort }), 'ports.p.internalPort', `Invalid internal port: ${internalPort}`);
  });
  it.each([-1, 65536])('rejects external port %i', (externalPort) => {
    expectOnlyProblem(port({ externalPort }), 'ports.p.externalPort', `Invalid external port: ${externalPort}`);
  });
  it('requires an integer internal port', () => {
    expectOnlyProblem({ ports: { p: {} } }, 'ports.p.internalPort', 'is required');
    expectOnlyProblem(port({ internalPort: '80' }), 'ports.p.internalPort', 'must be an integer');
    expectOnlyProblem(port({ internalPort: 80.5 }), 'ports.p.internalPort', 'must be an integer');
  });
  it.each(['my port', '', 'tab\tname'])('rejects port name %j', (name) => {
    expectOnlyProblem({ ports: { [name]: { internalPort: 1 } } }, `ports[${JSON.stringify(name)}]`, `Invalid port mapping endpoint name: ${name}`);
  });
  it('rejects the same external port twice for one protocol', () => {
    const ports = { a: { internalPort: 1, externalPort: 8080 }, b: { internalPort: 2, externalPort: 8080 } };
    expectOnlyProblem({ ports }, 'ports.b.externalPort', 'Duplicate external port mapping: 8080/tcp');
  });
  it('allows the same external port once for tcp and once for udp', () => {
    const ports = { a: { internalPort: 53, externalPort: 53 }, b: { internalPort: 53, externalPort: 53, protocol: 'udp' } };
    expectValid({ ports });
  });
  it.each(['127.0.0.1', '0.0.0.0', '::1', 'fe80::1'])('accepts ip %s', (ip) => expectValid(port({ ip })));
  it('rejects an ip that is not an IP literal', () => {
    expectOnlyProblem(port({ ip: 'foobar' }), 'ports.p.ip', 'foobar is not a valid IP address.');
  });
  it('requires each mapping to be an object', () => {
    expectOnlyProblem({ ports: { p: 80 } }, 'ports.p', 'must be an object');
  });
});

describe('rule: registration', () => {
  const ports = { http: { internalPort: 80 } };
  it('accepts a registration of an existing port, with tags', () => {
    expectValid({ ports, registration: { 'web_1-x/http': { ports: { http: { tags: ['a', 'b'] } } } } });
  });
  it('rejects a registration of a missing port', () => {
    expectOnlyProblem(
      { ports, registration: { 'web/tcp': { ports: { admin: {} } } } },
      'registration["web/tcp"].ports.admin',
      'Service registration refers to missing port mapping: web/tcp=admin',
    );
  });
  it('rejects a service name outside [_\\-\\w]', () => {
    expectOnlyProblem({ ports, registration: { 'web.site/http': { ports: { http: {} } } } }, 'registration["web.site/http"]', 'Invalid service registration name: web.site');
  });
  it('rejects a registration without ports', () => {
    expectOnlyProblem({ ports, registration: { web: {} } }, 'registration.web.ports', "registration for 'web' is malformed: does not have a port mapping");
  });
  it('rejects two keys that mean the same endpoint', () => {
    const registration = { web: { ports: { http: {} } }, 'web/http': { ports: { http: {} } } };
    expectOnlyProblem({ ports, registration }, 'registration["web/http"]', 'Duplicate service registration: web/http');
  });
});

describe('rule: grace period with static ports', () => {
  const staticPort = { ports: { http: { internalPort: 80, externalPort: 8080 } } };
  it("is accepted by default, as Helios's master does", () => expectValid({ ...staticPort, gracePeriod: 60 }));
  it('is rejected when the CLI check is on', () => {
    const problems = problemsOf({ ...staticPort, gracePeriod: 60 }, { rejectGracePeriodWithStaticPorts: true });
    expect(problems).toEqual([{ path: 'gracePeriod', message: expect.stringMatching(/^Job has both grace period and static\/external ports/) }]);
  });
  it('is fine with dynamic ports or a zero grace period', () => {
    expectValid({ ports: { http: { internalPort: 80 } }, gracePeriod: 60 }, { rejectGracePeriodWithStaticPorts: true });
    expectValid({ ...staticPort, gracePeriod: 0 }, { rejectGracePeriodWithStaticPorts: true });
  });
  it('must be a non-negative integer', () => {
    expectOnlyProblem({ gracePeriod: -1 }, 'gracePeriod', 'must be a non-negative integer');
    expectOnlyProblem({ gracePeriod: 1.5 }, 'gracePeriod', 'must be a non-negative integer');
  });
});

describe('rule: volumes', () => {
  it.each([
    ['/data', ''],
    ['/data', '/srv/data'],
    ['/data:ro', '/srv/data'],
    ['/data:rw', 'named-volume'],
  ])('accepts %j → %j', (target, source) => expectValid({ volumes: { [target]: source } }));
  it.each([
    ['data', '/srv', 'volumes.data', 'Volume path is not absolute: data'],
    ['/data', 'srv/data', 'volumes["/data"]', 'Volume source is not absolute: srv/data'],
    ['/', '/srv', 'volumes["/"]', 'Invalid volume path: /'],
    ['/:ro', '/srv', 'volumes["/:ro"]', 'Invalid volume path: /:ro'],
    ['/data:ro:rw', '/srv', 'volumes["/data:ro:rw"]', 'Invalid volume path: /data:ro:rw'],
    ['/data:', '/srv', 'volumes["/data:"]', 'Invalid volume path: /data: (the mode must be rw or ro)'],
    ['/data:rx', '/srv', 'volumes["/data:rx"]', 'Invalid volume path: /data:rx (the mode must be rw or ro)'],
  ])('rejects %j → %j', (target, source, path, message) => {
    expectOnlyProblem({ volumes: { [target]: source } }, path, message);
  });
  it('requires string sources', () => {
    expectOnlyProblem({ volumes: { '/data': 1 } }, 'volumes["/data"]', 'must be a string');
  });
});

describe('rule: ramdisks', () => {
  it('accepts absolute mount points', () => expectValid({ ramdisks: { '/tmp': 'rw,size=32m', '/run': '' } }));
  it('rejects a relative mount point', () => {
    expectOnlyProblem({ ramdisks: { tmp: 'rw' } }, 'ramdisks.tmp', 'Ramdisk mount point is not absolute: tmp');
  });
  it('rejects a mount point a volume uses', () => {
    expectOnlyProblem({ volumes: { '/data:ro': '/srv' }, ramdisks: { '/data': 'rw' } }, 'ramdisks["/data"]', 'Ramdisk mount point used by volume: /data');
  });
});

describe('rule: expires', () => {
  it('accepts a future instant, ISO text or epoch milliseconds', () => {
    expectValid({ expires: '2030-01-01T00:00:00Z' });
    expectValid({ expires: '2030-01-01' });
    expect(check({ expires: Date.parse('2030-01-01T00:00:00Z') })).toMatchObject({ ok: true, job: { expires: '2030-01-01T00:00:00.000Z' } });
  });
  it('accepts exactly now', () => expectValid({ expires: new Date(NOW).toISOString() }));
  it('rejects the past, relative to the given now', () => {
    expectOnlyProblem({ expires: '2023-12-31T23:59:59Z' }, 'expires', 'Job expires in the past');
    expectValid({ expires: '2023-12-31T23:59:59Z' }, { now: Date.parse('2023-01-01T00:00:00Z') });
  });
  it.each(['tomorrow', '2030-13-01T00:00:00Z', '2030-01-01T00:00:00', true])('rejects %j as not an instant', (expires) => {
    expectOnlyProblem({ expires }, 'expires', /^must be an ISO-8601 date-time/);
  });
});

describe('rule: health check', () => {
  const ports = { http: { internalPort: 80 }, admin: { internalPort: 81 } };
  it('accepts http, tcp and exec checks', () => {
    expectValid({ ports, healthCheck: { type: 'http', port: 'admin', path: '/healthcheck' } });
    expectValid({ ports, healthCheck: { type: 'tcp', port: 'http' } });
    expectValid({ healthCheck: { type: 'exec', command: ['true'] } });
  });
  it('requires a command for exec', () => {
    expectOnlyProblem({ healthCheck: { type: 'exec', command: [] } }, 'healthCheck.command', 'A command must be defined for `docker exec`-based health checks.');
    expectOnlyProblem({ healthCheck: { type: 'exec' } }, 'healthCheck.command', /^A command must be defined/);
  });
  it('requires the port of an http or tcp check to exist', () => {
    expectOnlyProblem({ ports, healthCheck: { type: 'tcp', port: 'x' } }, 'healthCheck.port', "Health check port 'x' not defined in the job. Known ports are 'http, admin'");
    expectOnlyProblem({ ports, healthCheck: { type: 'tcp' } }, 'healthCheck.port', 'A port must be defined for HTTP and TCP health checks.');
  });
  it('requires an http path starting with /', () => {
    expectOnlyProblem({ ports, healthCheck: { type: 'http', port: 'http', path: 'health' } }, 'healthCheck.path', "Health check path must start with '/': 'health'");
  });
  it('rejects an unknown type', () => {
    expectOnlyProblem({ healthCheck: { type: 'grpc', port: 'x' } }, 'healthCheck.type', 'must be one of http, tcp, exec');
  });
});

describe('rule: network mode', () => {
  it.each(['bridge', 'host', 'none', 'container:db', 'container:4f2a'])('accepts %s', (networkMode) => expectValid({ networkMode }));
  it.each(['container:', 'Host', 'None', ''])('rejects %j', (networkMode) => {
    expectOnlyProblem({ networkMode }, 'networkMode', "A Docker container's network mode must be bridge, host, none, or container:<name|id>.");
  });
});

describe('rule: capabilities', () => {
  it('rejects any added capability by default (empty whitelist)', () => {
    expectOnlyProblem(
      { addCapabilities: ['NET_ADMIN'] },
      'addCapabilities',
      "The following Linux capabilities aren't allowed by the scheduler: 'NET_ADMIN'. The allowed capabilities are: ''. " +
        "The scheduler's setting --whitelisted-capabilities (env BERTH_WHITELISTED_CAPABILITIES, comma-separated) allows more, e.g. --whitelisted-capabilities NET_ADMIN.",
    );
  });
  it('accepts whitelisted capabilities and lists only the others', () => {
    expectValid({ addCapabilities: ['IPC_LOCK'] }, { whitelistedCapabilities: ['IPC_LOCK'] });
    const problems = problemsOf({ addCapabilities: ['IPC_LOCK', 'SYS_ADMIN'] }, { whitelistedCapabilities: ['IPC_LOCK'] });
    expect(problems).toEqual([{ path: 'addCapabilities', message: expect.stringContaining("capabilities aren't allowed by the scheduler: 'SYS_ADMIN'.") }]);
    expect(problems[0]?.message).toContain('allows more, e.g. --whitelisted-capabilities IPC_LOCK,SYS_ADMIN.');
  });
  it('skips the check when asked (client-side validation)', () => {
    expectValid({ addCapabilities: ['NET_ADMIN'] }, { checkCapabilities: false });
  });
  it('never restricts dropped capabilities', () => expectValid({ dropCapabilities: ['ALL'] }));
});

describe('field types', () => {
  it.each([
    [{ command: 'sleep 1' }, 'command', 'must be an array of strings'],
    [{ command: ['sleep', 1] }, 'command[1]', 'must be a string'],
    [{ env: [] }, 'env', 'must be an object'],
    [{ env: { A: true } }, 'env.A', 'must be a string'],
    [{ labels: { 'a.b': 1 } }, 'labels["a.b"]', 'must be a string'],
    [{ metadata: 'x' }, 'metadata', 'must be an object'],
    [{ securityOpt: 'x' }, 'securityOpt', 'must be an array of strings'],
    [{ addCapabilities: 'NET_ADMIN' }, 'addCapabilities', 'must be an array of strings'],
    [{ token: 1 }, 'token', 'must be a string'],
    [{ registrationDomain: false }, 'registrationDomain', 'must be a string'],
    [{ runtime: 1 }, 'runtime', 'must be a string'],
    [{ image: 1 }, 'image', 'must be a string'],
    [{ secondsToWaitBeforeKill: -5 }, 'secondsToWaitBeforeKill', 'must be a non-negative integer'],
    [{ secondsToWaitBeforeKill: '120' }, 'secondsToWaitBeforeKill', 'must be a non-negative integer'],
    [{ resources: { memory: 0 } }, 'resources.memory', 'must be a positive integer'],
    [{ resources: { memorySwap: 1.5 } }, 'resources.memorySwap', 'must be a positive integer'],
    [{ resources: { cpuShares: -1 } }, 'resources.cpuShares', 'must be a positive integer'],
    [{ resources: { cpuset: 0 } }, 'resources.cpuset', 'must be a string'],
    [{ rolloutOptions: { parallelism: 0 } }, 'rolloutOptions.parallelism', 'must be a positive integer'],
    [{ rolloutOptions: { timeout: 'long' } }, 'rolloutOptions.timeout', 'must be a positive integer'],
    [{ rolloutOptions: { migrate: 'no' } }, 'rolloutOptions.migrate', 'must be a boolean'],
    [{ rolloutOptions: { overlap: 1 } }, 'rolloutOptions.overlap', 'must be a boolean'],
    [{ rolloutOptions: { ignoreFailures: null, token: 5 } }, 'rolloutOptions.token', 'must be a string'],
    [{ healthCheck: 'http' }, 'healthCheck', 'must be an object'],
    [{ created: 'yesterday' }, 'created', 'must be a non-negative integer'],
    [{ creatingUser: 1 }, 'creatingUser', 'must be a string'],
    [{ image: null }, 'image', 'Image was not specified.'],
  ])('%j → %s %s', (extra, path, message) => {
    expectOnlyProblem(extra, path, exact(message));
  });

  it('accepts positive resources and valid rollout options', () => {
    expectValid({ resources: { memory: 1, memorySwap: 2, cpuShares: 512, cpuset: '0-3' } });
    expectValid({ rolloutOptions: { migrate: true, parallelism: 3, timeout: 60, overlap: false, token: 't', ignoreFailures: true } });
    expectValid({ secondsToWaitBeforeKill: 0, gracePeriod: 0 });
  });
});
