import { BERTH_VERSION } from '@berth/contracts';
import { FakeGateway, runCli } from '../testing/fake-io';

const leader = { id: 'sched-a:101:0a1b2c3d', role: 'leader', hostname: 'sched-a', pid: 101, startedAt: '2024-01-01T00:00:00Z', sequence: 42, health: 'http://127.0.0.1:7070', version: '0.1.0' };
const standby = { ...leader, id: 'sched-b:202:4e5f6a7b', role: 'standby', hostname: 'sched-b', pid: 202, sequence: 41, health: 'http://127.0.0.1:7080' };

function gateway(schedulers: unknown[]): FakeGateway {
  return new FakeGateway((operation) => {
    if (operation === 'Masters') return { schedulers };
    if (operation === 'Version') return { version: '0.1.0' };
    throw new Error(`unexpected ${operation}`);
  });
}

describe('masters', () => {
  it('prints one scheduler id per line, the leader first as the gateway orders them', async () => {
    const result = await runCli(['masters'], { gateway: gateway([leader, standby]) });
    expect(result).toEqual({ exitCode: 0, stdout: 'sched-a:101:0a1b2c3d\nsched-b:202:4e5f6a7b\n', stderr: '' });
  });

  it('shows role, sequence and health with -f, and everything with --json', async () => {
    const full = await runCli(['masters', '-f'], { gateway: gateway([leader, standby]) });
    expect(full.stdout.split('\n')[0]).toMatch(/^ID\s+ROLE\s+STARTED\s+SEQUENCE\s+HEALTH\s+VERSION$/);
    expect(full.stdout).toMatch(/^sched-b:202:4e5f6a7b\s+STANDBY\s+.*\s+41\s+http:\/\/127\.0\.0\.1:7080\s+0\.1\.0$/m);
    const json = await runCli(['--json', 'masters'], { gateway: gateway([leader]) });
    expect(JSON.parse(json.stdout)).toEqual([leader]);
  });

  it('exits 1 with UNAVAILABLE when no scheduler answers', async () => {
    const result = await runCli(['masters'], { gateway: gateway([]) });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^Error: UNAVAILABLE: no scheduler answered/);
  });
});

describe('version', () => {
  it("prints the client's and the gateway's versions", async () => {
    const result = await runCli(['version'], { gateway: gateway([]) });
    expect(result.stdout).toBe(`Client Version: ${BERTH_VERSION}\nGateway Version: 0.1.0\nGateway: http://fake-gateway\n`);
  });
});
