import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What makeTestTls wrote: file paths, and nats-server's `tls` block that requires client certificates. */
export interface TestTls {
  readonly caFile: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** `tls { cert_file … key_file … ca_file … verify: true }` for a test server's config */
  readonly serverConfig: string;
}

/**
 * A CA made for one test and, signed by it, a server certificate for
 * 127.0.0.1 and localhost (nats.js upgrades an IP URL to TLS with the server
 * name localhost) and a client certificate, all made with openssl in `dir`,
 * valid for a day. Needs the openssl binary (scripts/setup installs it).
 */
export function makeTestTls(dir: string, caName = 'berth-test-ca'): TestTls {
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const signed = (name: string, san?: string): void => {
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    const ext = san === undefined ? [] : (writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`), ['-extfile', `${name}.ext`]);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', ...ext);
  };
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', `/CN=${caName}`);
  signed('server', 'IP:127.0.0.1,DNS:localhost');
  signed('client');
  const file = (name: string): string => join(dir, name);
  return {
    caFile: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
    serverConfig: `tls {\n  cert_file: ${JSON.stringify(file('server.pem'))}\n  key_file: ${JSON.stringify(file('server.key'))}\n  ca_file: ${JSON.stringify(file('ca.pem'))}\n  verify: true\n}\n`,
  };
}
