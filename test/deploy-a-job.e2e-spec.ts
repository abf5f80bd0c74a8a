import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchedulerCommand } from '@berth/contracts';
import { SchedulerClient } from '@berth/scheduler-client';
import { eventually as pollUntil, getDockerEngine, startNatsServer, startService, type DockerEngineLease, type NatsServer, type ServiceProcess } from '@berth/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';

/**
 * A user's first deploy, on the real stack: nats-server, the scheduler and an
 * agent as separate processes, the agent running containers on a real Docker
 * engine. Everything goes through the scheduler's NATS API.
 */
const HOST = 'e2e-host';
let nats: NatsServer;
let docker: DockerEngineLease;
let scheduler: ServiceProcess;
let agent: ServiceProcess;
let nc: NatsConnection;
let client: SchedulerClient;
let stateDir: string;

type Status = { deployments: { host: string; state: string; status?: { containerId?: string } }[] };
type History = { history: { state: string }[] };

beforeAll(async () => {
  nats = await startNatsServer();
  docker = await getDockerEngine();
  stateDir = mkdtempSync(join(tmpdir(), 'berth-e2e-agent-'));
  scheduler = startService('scheduler', 'apps/scheduler/src/main.ts', ['--nats', nats.url, '--http-port', '0', '--host-down-after', '10']);
  await scheduler.waitForOutput(/scheduler serving/);
  agent = startService('agent', 'apps/agent/src/main.ts', [
    '--name', HOST, '--nats', nats.url, '--state-dir', stateDir, '--docker-host', docker.dockerHost,
    '--http-port', '0', '--heartbeat-interval', '1', '--labels', 'role=e2e',
  ]);
  nc = await connect({ servers: nats.url });
  client = new SchedulerClient(nc, { actor: 'e2e' });
  await eventually(async () => {
    const { hosts } = await client.call<{ hosts: { host: string; status: string }[] }>(SchedulerCommand.LIST_HOSTS, { selectors: ['role=e2e'] });
    return hosts.some((h) => h.host === HOST && h.status === 'UP');
  }, () => agent.output());
});

afterAll(async () => {
  await nc?.drain();
  await agent?.stop();
  await scheduler?.stop();
  await nats?.stop();
  // the agent leaves containers running when it stops (by design); clean up ours
  const leftovers = (await docker?.docker.listContainers({ all: true, filters: { label: [`berth.host=${HOST}`] } })) ?? [];
  await Promise.all(leftovers.map((c) => docker.docker.getContainer(c.Id).remove({ force: true })));
  await docker?.release();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

it('deploys a job to a host, runs it health-checked on Docker, and undeploys it', async () => {
  const job = {
    id: 'hello:1',
    image: docker.testImage,
    // a PID 1 without a TERM handler would sit out the whole kill timeout
    command: ['sh', '-c', 'trap "exit 0" TERM; sleep 600 & wait'],
    networkMode: 'host',
    env: { GREETING: 'hi' },
    healthCheck: { type: 'exec', command: ['true'] },
  };
  const { jobId } = await client.call<{ jobId: string }>(SchedulerCommand.CREATE_JOB, { job });
  await client.call(SchedulerCommand.DEPLOY, { job: 'hello:1', host: HOST });

  await eventually(async () => stateOf(await client.call<Status>(SchedulerCommand.JOB_STATUS, { job: jobId })) === 'RUNNING', () => agent.output());
  const containers = await docker.docker.listContainers({ filters: { label: [`berth.job-id=${jobId}`] } });
  expect(containers).toHaveLength(1);
  const status = await client.call<Status>(SchedulerCommand.JOB_STATUS, { job: jobId });
  expect(status.deployments[0]?.status?.containerId).toBe(containers[0]?.Id);
  const inspected = await docker.docker.getContainer(containers[0]?.Id ?? '').inspect();
  expect(inspected.Config.Env).toContain('GREETING=hi');

  const { history } = await client.call<History>(SchedulerCommand.JOB_HISTORY, { job: jobId });
  const states = history.map((h) => h.state);
  expect(states.slice(-4)).toEqual(['CREATING', 'STARTING', 'HEALTHCHECKING', 'RUNNING']);

  await client.call(SchedulerCommand.UNDEPLOY, { job: jobId, host: HOST });
  await eventually(async () => (await docker.docker.listContainers({ all: true, filters: { label: [`berth.job-id=${jobId}`] } })).length === 0, () => agent.output());
  await expect(client.call(SchedulerCommand.REMOVE_JOB, { job: jobId })).resolves.toMatchObject({ jobId });
});

function stateOf(status: Status): string | undefined {
  return status.deployments.find((d) => d.host === HOST)?.state;
}

const eventually = (condition: () => Promise<boolean>, log: () => string, timeoutMs = 30_000): Promise<void> => pollUntil(condition, { what: log, timeoutMs });
