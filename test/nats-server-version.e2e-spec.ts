import { MIN_NATS_SERVER_VERSION, NATS_SERVER_TOO_OLD_EXIT_CODE } from '@berth/contracts';
import { startFakeInfoServer, startService, type FakeInfoServer, type ServiceProcess } from '@berth/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every service refuses to run on a nats-server older than the minimum: it
 * reads the version from the server's INFO when it connects, says what it
 * found and how to get a newer one, and exits with code 4 without serving.
 * The "server" is a fake that only sends INFO (version 2.10.27, Debian
 * trixie's) and answers PING, so no old binary is needed.
 */
let fake: FakeInfoServer;
let dir: string;
const started: ServiceProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-nats-version-'));
  fake = await startFakeInfoServer('2.10.27');
});

afterAll(async () => {
  for (const p of started) await p.stop('SIGKILL');
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

const services: [string, string, string[]][] = [
  ['scheduler', 'apps/scheduler/src/main.ts', ['--http-port', '0']],
  ['gateway', 'apps/gateway/src/main.ts', ['--port', '0', '--auth', 'none']],
  ['agent', 'apps/agent/src/main.ts', ['--name', 'old-nats', '--simulated', 'true', '--http-port', '0']],
];

it.each(services)('the %s exits 4 with the minimum-version message on nats-server 2.10.27', async (name, entry, args) => {
  const p = startService(name, entry, ['--nats', fake.url, ...args, ...(name === 'agent' ? ['--state-dir', join(dir, 'agent')] : [])], { LOG_LEVEL: 'info' });
  started.push(p);
  expect(await p.exited).toBe(NATS_SERVER_TOO_OLD_EXIT_CODE);
  const output = p.output();
  expect(output).toContain('NATS_SERVER_TOO_OLD');
  expect(output).toContain('nats-server 2.10.27');
  expect(output).toContain(`>= ${MIN_NATS_SERVER_VERSION}`);
  // refused before serving anything
  expect(output).not.toMatch(/"msg":"(scheduler|gateway) (started|listening)|agent registered/);
}, 60_000);
