import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { NatsConnectionConfigError, natsConnectOptions, redactNatsUrl } from './nats-connection';

describe('redactNatsUrl', () => {
  it('takes user, password and token out of every URL and leaves the rest', () => {
    expect(redactNatsUrl('nats://alice:s3cret@127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
    expect(redactNatsUrl('tls://tok3n@a:4222,nats://b:c@d:4222')).toBe('tls://a:4222,nats://d:4222');
    expect(redactNatsUrl('bob:pw@host:4222')).toBe('host:4222');
    expect(redactNatsUrl('nats://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
  });
});

describe('natsConnectOptions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-nats-conn-'));
  const creds = join(dir, 'a.creds');
  writeFileSync(creds, '-----BEGIN NATS USER JWT-----\neyJ0eXAiOiJKV1QifQ.e30.x\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\nSUAM\n------END USER NKEY SEED------\n');
  writeFileSync(join(dir, 'ca.pem'), 'CA');

  it('connects anonymously and without TLS when given only a URL', () => {
    const options = natsConnectOptions({ nats: 'nats://127.0.0.1:4222' }, { name: 'x' });
    // pings every 5 s, 2 unanswered: a server that stops answering (SIGSTOP) is left within about 10 s
    expect(options).toEqual({ servers: 'nats://127.0.0.1:4222', name: 'x', pingInterval: 5_000, maxPingOut: 2 });
  });

  it('gives several servers of a cluster, comma-separated, to the client as a list', () => {
    expect(natsConnectOptions({ nats: 'nats://a:4222,nats://b:4222, nats://c:4222' }).servers).toEqual(['nats://a:4222', 'nats://b:4222', 'nats://c:4222']);
  });

  it('reads the credentials file once into an authenticator, and the CA into TLS options', () => {
    const options = natsConnectOptions({ nats: 'nats://h:1', natsCreds: creds, natsTlsCa: join(dir, 'ca.pem') });
    expect(typeof options.authenticator).toBe('function');
    expect(options.tls).toEqual({ ca: 'CA' });
  });

  it('refuses a missing or malformed credentials file, and a certificate without its key, with INVALID_CONFIG', () => {
    const attempts = [
      () => natsConnectOptions({ nats: 'nats://h:1', natsCreds: join(dir, 'missing.creds') }),
      () => natsConnectOptions({ nats: 'nats://h:1', natsCreds: join(dir, 'ca.pem') }),
      () => natsConnectOptions({ nats: 'nats://h:1', natsTlsCert: join(dir, 'ca.pem') }),
    ];
    for (const attempt of attempts) expect(attempt).toThrow(NatsConnectionConfigError);
    expect(attempts[0]).toThrow(/cannot read the NATS credentials file .*missing.creds: ENOENT/);
    expect(attempts[1]).toThrow(/is not a NATS .creds file/);
    expect(attempts[2]).toThrow(/go together/);
  });
});

describe('createLogger', () => {
  it('redacts token, password, authorization and creds fields, also nested', () => {
    let out = '';
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => ((out += chunk.toString()), done()) });
    const logger = createLogger('test', 'info', sink);
    logger.info({ token: 'tok-1', req: { headers: { authorization: 'Bearer tok-2' } }, user: { password: 'pw-3' }, creds: 'seed-4', host: 'web-1' }, 'hello');
    for (const secret of ['tok-1', 'tok-2', 'pw-3', 'seed-4']) expect(out).not.toContain(secret);
    expect(out).toContain('"host":"web-1"');
    expect(out.match(/\[redacted\]/g)).toHaveLength(4);
  });
});
