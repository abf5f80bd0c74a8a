import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer, startService, type DockerEngineLease, type NatsServer, type ServiceProcess } from '@berth/testing';
import { E2E_TOKENS, writeGatewayTokens } from './api-tokens';
import { berthCli, type BerthCli } from './berth-cli';

/**
 * The whole Berth system as separate processes, for end-to-end tests: a
 * nats-server, one or more schedulers (the first is the leader, the others
 * stand by), the gateway, and agents on the SIMULATED runtime (no Docker)
 * unless `runtimeArgs` says otherwise, each with its own host name and
 * labels. `cli` runs `berth` against the gateway like a user's shell does,
 * with the admin token; `cliWith` with other settings (another token, none).
 */
export interface StackOptions {
  /** names the temp dir and the subject of the CLI's admin token (the actor on the events it causes) */
  readonly name: string;
  readonly hosts: readonly string[];
  /** labels of every agent, `k=v`, or of each agent */
  readonly labels: readonly string[] | ((host: string) => readonly string[]);
  readonly schedulers?: number;
  /** seconds; short, so a standby takes over quickly after a kill -9 */
  readonly leaseTtl?: number;
  /** each agent's runtime flags (e.g. `--docker-host`, a port range of its own); default the simulated runtime */
  readonly runtimeArgs?: (host: string, index: number) => readonly string[];
}

export interface Stack {
  readonly nats: NatsServer;
  readonly schedulers: readonly ServiceProcess[];
  readonly gateway: ServiceProcess;
  readonly agents: readonly ServiceProcess[];
  readonly gatewayUrl: string;
  readonly cli: BerthCli;
  /** `berth` with these environment variables over the defaults, e.g. `{ BERTH_TOKEN: '' }` */
  cliWith(env: Record<string, string>): BerthCli;
  /** a scratch directory of the stack's, removed by stop() */
  readonly workDir: string;
  /** the tail of every service's output, for failure messages */
  logs(): string;
  /** gateway, schedulers and agents, then nats-server (in one hook, or jest hangs on open connections) */
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const workDir = mkdtempSync(join(tmpdir(), `berth-${options.name}-`));
  const nats = await startNatsServer();
  const leaseArgs = options.leaseTtl === undefined ? [] : ['--lease-ttl', String(options.leaseTtl)];
  const startScheduler = (i: number) => startService(`scheduler-${i + 1}`, 'apps/scheduler/src/main.ts', ['--nats', nats.url, '--http-port', '0', ...leaseArgs], { LOG_LEVEL: 'info' });
  const schedulers = [startScheduler(0)];
  const gateway = startService('gateway', 'apps/gateway/src/main.ts', ['--nats', nats.url, '--port', '0', '--tokens-file', writeGatewayTokens(workDir, options.name)]);
  const runtimeArgs = options.runtimeArgs ?? (() => ['--simulated', 'true']);
  const agents = options.hosts.map((host, i) =>
    startService(host, 'apps/agent/src/main.ts', [
      '--name', host, '--nats', nats.url, '--state-dir', join(workDir, host), ...runtimeArgs(host, i),
      '--http-port', '0', '--heartbeat-interval', '1', '--labels', ...(typeof options.labels === 'function' ? options.labels(host) : options.labels),
    ]),
  );
  let gatewayUrl = '';
  const cliWith = (env: Record<string, string>): BerthCli => berthCli(() => ({ HOME: workDir, BERTH_GATEWAY: gatewayUrl, BERTH_TOKEN: E2E_TOKENS.admin, ...env }));
  const cli = cliWith({});
  const all = (): ServiceProcess[] => [...schedulers, gateway, ...agents];
  const stack: Stack = {
    nats,
    schedulers,
    gateway,
    agents,
    get gatewayUrl() {
      return gatewayUrl;
    },
    cli,
    cliWith,
    workDir,
    logs: () => all().map((p) => `--- ${p.name}\n${p.output().slice(-2500)}`).join('\n'),
    async stop() {
      await gateway.stop();
      await Promise.all([...schedulers, ...agents].map((p) => p.stop()));
      await nats.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
  try {
    await schedulers[0]?.waitForOutput(/serving as leader/, 30_000);
    // standbys start once the first holds the lease, so which one leads is known
    for (let i = 1; i < (options.schedulers ?? 1); i += 1) {
      const standby = startScheduler(i);
      schedulers.push(standby);
      await standby.waitForOutput(/standing by/, 30_000);
    }
    const serving = await gateway.waitForOutput(/gateway serving/, 30_000);
    gatewayUrl = (JSON.parse(serving) as { url: string }).url;
    await cli.eventually(['hosts', '--json'], (run) => {
      if (run.code !== 0) return false;
      const hosts = JSON.parse(run.stdout) as Record<string, { status: string }>;
      return options.hosts.every((h) => hosts[h]?.status === 'UP');
    }, { timeoutMs: 60_000, context: stack.logs });
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

/** The agents leave their containers running when they stop (by design): tests remove the ones their hosts ran. */
export async function removeContainersOf(docker: DockerEngineLease, hosts: readonly string[]): Promise<void> {
  for (const host of hosts) {
    const leftovers = await docker.docker.listContainers({ all: true, filters: { label: [`berth.host=${host}`] } });
    await Promise.all(leftovers.map((c) => docker.docker.getContainer(c.Id).remove({ force: true })));
  }
}
