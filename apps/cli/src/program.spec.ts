import { resolveConfig } from './config';
import { refusedConnection } from './gateway-client';
import { FakeGateway, runCli } from './testing/fake-io';

const JOB_ID = 'web:2:0123456789abcdef0123456789abcdef01234567';

function createGateway(): FakeGateway {
  return new FakeGateway((operation) => {
    if (operation === 'Create') return { createJob: { sequence: 7, jobId: JOB_ID, status: null, ports: null, result: { jobId: JOB_ID } } };
    throw new Error(`unexpected ${operation}`);
  });
}

describe('create', () => {
  const file = JSON.stringify({ id: 'web:1:deadbeef', image: 'nginx:1', env: { A: 'file', B: 'file' }, ports: { http: { internalPort: 80 } } });

  it('merges the flags over the job file, drops the hash, and prints Helios\'s three lines', async () => {
    const gateway = createGateway();
    const result = await runCli(['create', '-f', 'job.json', 'web:2', 'nginx:2', '--env', 'B=flag', '-p', 'admin=81', '--', 'nginx', '-g', 'daemon off;'], {
      gateway,
      files: { 'job.json': file },
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(gateway.sent[0]?.variables['job']).toEqual({
      id: 'web:2',
      image: 'nginx:2',
      command: ['nginx', '-g', 'daemon off;'],
      env: { A: 'file', B: 'flag' },
      ports: { http: { internalPort: 80 }, admin: { internalPort: 81, protocol: 'tcp' } },
    });
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Creating job: \{"/);
    expect(JSON.parse(lines[0]?.slice('Creating job: '.length) ?? '')).toMatchObject({ id: expect.stringMatching(/^web:2:[0-9a-f]{40}$/), env: { A: 'file', B: 'flag' } });
    expect(lines.slice(1)).toEqual(['Done.', JOB_ID]);
  });

  it('prints only the id with -q, and machine-readable JSON with --json', async () => {
    expect((await runCli(['create', '-q', 'web:2', 'nginx:1'], { gateway: createGateway() })).stdout).toBe(`${JOB_ID}\n`);
    const json = await runCli(['--json', 'create', 'web:2', 'nginx:1'], { gateway: createGateway() });
    expect(JSON.parse(json.stdout)).toEqual({ status: 'OK', id: JOB_ID, sequence: 7 });
  });

  it('refuses malformed and invalid jobs without sending anything', async () => {
    const gateway = createGateway();
    const badJson = await runCli(['create', '-f', 'bad.json'], { gateway, files: { 'bad.json': '{"id": ' } });
    expect(badJson.exitCode).toBe(1);
    expect(badJson.stderr).toMatch(/^Error: INVALID_JOB_DEFINITION: job file bad.json is not valid JSON/);
    const invalid = await runCli(['create', 'web:2', 'Not An Image!', '--env', 'A=1'], { gateway });
    expect(invalid.exitCode).toBe(1);
    expect(invalid.stderr).toMatch(/^Error: INVALID_JOB_DEFINITION: Invalid job definition: .*image/);
    expect(gateway.sent).toEqual([]);
  });

  it('exits 2 without NAME:VERSION and IMAGE, or with both -f and -t', async () => {
    expect((await runCli(['create', 'web:2'])).exitCode).toBe(2);
    expect((await runCli(['create', '-f', 'a.json', '-t', 'web:1'])).exitCode).toBe(2);
  });

  it('refuses fields it does not know, naming them, unless told to ignore them', async () => {
    const files = { 'job.json': JSON.stringify({ id: 'web:2', image: 'nginx', healtCheck: {} }) };
    const gateway = createGateway();
    const refused = await runCli(['create', '-f', 'job.json'], { gateway, files });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/^Error: INVALID_JOB_DEFINITION: Unknown job field\(s\): healtCheck /);
    expect(gateway.sent).toEqual([]);
    const ignored = await runCli(['create', '-f', 'job.json', '--ignore-unknown-fields'], { gateway, files });
    expect(ignored.exitCode).toBe(0);
    expect(ignored.stderr).toBe('Warning: unknown job field(s) ignored: healtCheck\n');
    expect(gateway.sent).toHaveLength(1);
  });
});

describe('resolveConfig: flag > environment > config file > default', () => {
  const files: Record<string, string> = { '/home/u/.berth/config.json': '{"gateway": "http://from-file:1"}', '/t': ' tok\n' };
  const readFile = (p: string) => files[p];

  it('takes each source in order', () => {
    expect(resolveConfig({ flags: { gateway: 'http://flag:1' }, env: { HOME: '/home/u', BERTH_GATEWAY: 'http://env:1' }, readFile }).gateway).toBe('http://flag:1');
    expect(resolveConfig({ flags: {}, env: { HOME: '/home/u', BERTH_GATEWAY: 'http://env:1/' }, readFile }).gateway).toBe('http://env:1');
    expect(resolveConfig({ flags: {}, env: { HOME: '/home/u' }, readFile }).gateway).toBe('http://from-file:1');
    expect(resolveConfig({ flags: {}, env: { HOME: '/elsewhere' }, readFile }).gateway).toBe('http://127.0.0.1:8080');
  });

  it('reads the token from --token-file over BERTH_TOKEN', () => {
    expect(resolveConfig({ flags: { tokenFile: '/t' }, env: { HOME: '/x', BERTH_TOKEN: 'env' }, readFile }).token).toBe('tok');
    expect(resolveConfig({ flags: {}, env: { HOME: '/x', BERTH_TOKEN: 'env' }, readFile }).token).toBe('env');
  });

  it('falls back to the config file: its token, else its tokenFile; the environment wins over both', () => {
    const withToken: Record<string, string> = { ...files, '/c.json': '{"token": "from-config"}', '/f.json': '{"tokenFile": "/t"}' };
    const read = (p: string) => withToken[p];
    expect(resolveConfig({ flags: {}, env: { HOME: '/x', BERTH_CONFIG: '/c.json' }, readFile: read }).token).toBe('from-config');
    expect(resolveConfig({ flags: {}, env: { HOME: '/x', BERTH_CONFIG: '/f.json' }, readFile: read }).token).toBe('tok');
    expect(resolveConfig({ flags: {}, env: { HOME: '/x', BERTH_CONFIG: '/f.json', BERTH_TOKEN: 'env' }, readFile: read }).token).toBe('env');
    expect(resolveConfig({ flags: {}, env: { HOME: '/x' }, readFile: read }).token).toBeUndefined();
  });
});

describe('a connection the gateway refuses', () => {
  it('becomes the Berth error named in the close reason', () => {
    expect(refusedConnection({ code: 4401, reason: 'UNAUTHENTICATED: unknown API token' })).toMatchObject({ code: 'UNAUTHENTICATED', message: 'unknown API token' });
    expect(refusedConnection({ code: 4403, reason: 'Forbidden' })).toMatchObject({ code: 'FORBIDDEN' });
    expect(refusedConnection({ code: 1006, reason: '' })).toBeUndefined();
  });
});
