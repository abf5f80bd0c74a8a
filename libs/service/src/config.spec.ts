import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parsers } from './config';
import { formatUsage } from './run-service';

const schema = {
  nats: { flag: 'nats', env: 'BERTH_NATS', description: 'NATS URL', parse: parsers.natsUrl, default: 'nats://127.0.0.1:4222' },
  port: { flag: 'http-port', env: 'BERTH_HTTP_PORT', description: 'HTTP port', parse: parsers.port, default: 0 },
  name: { flag: 'name', env: 'BERTH_NAME', description: 'host name', parse: parsers.string },
};

describe('loadConfig', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'berth-cfg-')), 'c.json');
  writeFileSync(file, JSON.stringify({ nats: 'nats://file:1', port: 3, name: 'from-file' }));

  it('takes flags over env over file over defaults', () => {
    const cfg = loadConfig(schema, { argv: ['--name', 'flag'], env: { BERTH_HTTP_PORT: '7' }, file });
    expect(cfg).toEqual({ nats: 'nats://file:1', port: 7, name: 'flag' });
  });

  it('uses defaults when nothing is given', () => {
    expect(loadConfig(schema, { argv: ['--name=x'], env: {} })).toEqual({ nats: 'nats://127.0.0.1:4222', port: 0, name: 'x' });
  });

  it('reports every problem at once', () => {
    let caught: unknown;
    try {
      loadConfig(schema, { argv: ['--http-port', '99999', '--bogus', '1'], env: { BERTH_NATS: 'http://x' } });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toMatch(/unknown flag --bogus/);
    expect(problems).toMatch(/http-port.*not a port/);
    expect(problems).toMatch(/BERTH_NATS.*not a NATS URL/);
    expect(problems).toMatch(/--name .*required/);
  });

  it('reads --config as the file', () => {
    expect(loadConfig(schema, { argv: ['--config', file], env: {} }).name).toBe('from-file');
  });
});

describe('parsers.natsUrl', () => {
  it('takes one NATS URL or several comma-separated, and names the bad one', () => {
    expect(parsers.natsUrl('nats://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
    expect(parsers.natsUrl('nats://a:1, nats://b:2,c:3')).toBe('nats://a:1,nats://b:2,c:3');
    expect(() => parsers.natsUrl('nats://a:1,http://b:2')).toThrow('"http://b:2" is not a NATS URL');
    expect(() => parsers.natsUrl('nats://a:1,')).toThrow('"" is not a NATS URL');
  });
});

describe('formatUsage', () => {
  it('lists every setting with its flag, environment variable, description and default', () => {
    const withLists = {
      ...schema,
      dns: { flag: 'dns', env: 'BERTH_DNS', description: 'DNS servers', parse: (raw: string) => raw.split(','), default: [] as string[] },
      range: { flag: 'range', env: 'BERTH_RANGE', description: 'port range', parse: (raw: string) => raw, default: { from: 1, to: 2 }, defaultText: '1-2' },
    };
    const usage = formatUsage('test', 'a test service.', withLists);
    expect(usage).toMatch(/^berth-test: a test service\./);
    for (const s of Object.values(withLists)) expect(usage).toMatch(new RegExp(`--${s.flag}\\s+${s.env}\\s+${s.description}`));
    expect(usage).toContain('NATS URL (default: nats://127.0.0.1:4222)');
    expect(usage).toContain('HTTP port (default: 0)');
    expect(usage).toContain('host name (required)');
    expect(usage).toContain('DNS servers (default: none)');
    expect(usage).toContain('port range (default: 1-2)');
  });
});
