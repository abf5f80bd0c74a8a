import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer, startService, type NatsServer, type ServiceProcess } from '@berth/testing';

/** The agent as a process, as an operator runs it: its exit codes. */
let nats: NatsServer;
let dir: string;
const started: ServiceProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-agent-process-'));
  nats = await startNatsServer();
});

// one hook: the agents, then the server they are connected to
afterAll(async () => {
  for (const p of started) await p.stop();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function agent(name: string, extra: readonly string[] = []): ServiceProcess {
  const p = startService(name, 'apps/agent/src/main.ts', ['--name', name, '--nats', nats.url, '--state-dir', join(dir, 'state'), '--simulated', 'true', '--http-port', '0', ...extra]);
  started.push(p);
  return p;
}

it('exits 3, naming the holder, when another agent runs on the same state dir', async () => {
  const first = agent('proc-agent');
  await first.waitForOutput(/agent started/, 30_000);
  const second = agent('proc-agent-2');
  expect(await second.exited).toBe(3);
  expect(second.output()).toContain('STATE_DIR_LOCKED');
  expect(second.output()).toContain(`pid ${first.pid}`);
}, 60_000);

it('exits 2 with the problem and the usage on a bad setting', async () => {
  const bad = agent('proc-agent-bad', ['--port-range', 'nope']);
  expect(await bad.exited).toBe(2);
  expect(bad.output()).toContain('--port-range (BERTH_AGENT_PORT_RANGE): "nope" is not a port range');
  expect(bad.output()).toContain('Options (flag > environment > --config file > default):');
}, 30_000);
