import { FakeAgents, eventually } from '@berth/testing';
import { startStack, type Stack } from './harness';

/**
 * Issue 18.5: what ran where at T, replayed from the events. A rolling
 * update v1 → v2 over four fake agents (a real nats-server, the scheduler as
 * a process, the gateway in-process): the agents hold back their v2 reports
 * until the test sends them, so the update stands still, host by host, at
 * points the test chooses. At each, the test records what the live `jobs`
 * query (the one `berth status` sends) answers and the time; afterwards
 * `deploymentsAsOf`, `jobAsOf` and `hostAsOf` at each of those times (and
 * at the sequence the live answer reflected) must give the same.
 */
let stack: Stack;
let agents: FakeAgents;

const HOSTS = ['asof-1', 'asof-2', 'asof-3', 'asof-4'];
const OTHER = 'asof-other';
const TASK = 'jobId goal state throttled containerId containerError exitCode ports env time';
const DEPLOYMENT = `host jobId goal state ports deploymentGroupName deployedAt status { ${TASK} }`;
const JOB = `id name version job deployments { ${DEPLOYMENT} }`;

interface Deployment {
  host: string;
  jobId: string;
  goal: string;
  state: string;
}
interface JobRow {
  id: string;
  deployments: Deployment[];
}
interface Checkpoint {
  readonly label: string;
  /** nothing happens until the test acts: the answer holds at its time too */
  readonly quiet: boolean;
  readonly time: string;
  readonly sequence: number;
  readonly jobs: JobRow[];
}

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const answer = await stack.gql<T>(query, variables);
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  return answer.data as T;
}

async function live(): Promise<{ sequence: number; items: JobRow[] }> {
  return (await gql<{ jobs: { sequence: number; items: JobRow[] } }>(`query { jobs(first: 1000) { sequence items { ${JOB} } } }`)).jobs;
}

const onHost = (jobs: JobRow[], host: string): Deployment[] => jobs.flatMap((j) => j.deployments).filter((d) => d.host === host);

/** What the live query answers once `settled` holds, and the time just after. */
async function checkpoint(label: string, quiet: boolean, settled: (jobs: JobRow[]) => boolean): Promise<Checkpoint> {
  await eventually(async () => settled((await live()).items), { timeoutMs: 15_000, what: label });
  const answer = await live();
  return { label, quiet, time: new Date().toISOString(), sequence: answer.sequence, jobs: answer.items };
}

async function deploymentsAsOf(args: string): Promise<{ sequence: number; jobs: JobRow[]; deployments: Deployment[] }> {
  return (await gql<{ deploymentsAsOf: { sequence: number; jobs: JobRow[]; deployments: Deployment[] } }>(`query { deploymentsAsOf(${args}) { sequence jobs { ${JOB} } deployments { ${DEPLOYMENT} } } }`))
    .deploymentsAsOf;
}

beforeAll(async () => {
  stack = await startStack();
  agents = new FakeAgents(stack.nc);
  for (const host of HOSTS) await agents.register(host, { role: 'asof' });
  await agents.register(OTHER, { role: 'other' });
}, 60_000);

afterAll(async () => {
  agents?.stop();
  await stack?.stop();
});

it('deploymentsAsOf, jobAsOf and hostAsOf at T equal what the live query showed at T, at several T during a rolling update', async () => {
  const v1 = (await gql<{ createJob: { jobId: string } }>('mutation($job: JSON!) { createJob(job: $job) { jobId } }', { job: { id: 'asof-app:1', image: 'local/busybox:1' } })).createJob.jobId;
  const v2 = (await gql<{ createJob: { jobId: string } }>('mutation($job: JSON!) { createJob(job: $job) { jobId } }', { job: { id: 'asof-app:2', image: 'local/busybox:1' } })).createJob.jobId;
  await gql('mutation { createDeploymentGroup(name: "asof-group", selectors: ["role=asof"]) { status } }');
  await gql(`mutation { deploy(job: "${v1}", host: "${OTHER}") { sequence } }`);
  await gql(`mutation { rollingUpdate(group: "asof-group", job: "${v1}", options: { parallelism: 4, timeout: 300 }) { rolloutId } }`);

  const checkpoints: Checkpoint[] = [];
  checkpoints.push(await checkpoint('v1 everywhere', true, (jobs) => [...HOSTS, OTHER].every((host) => onHost(jobs, host).some((d) => d.jobId === v1 && d.state === 'RUNNING'))));

  // v2 is deployed host by host (parallelism 1), and stays UNKNOWN on each until the test reports it RUNNING
  for (const host of HOSTS) agents.setOutcome(host, 'silent', v2);
  await gql(`mutation { rollingUpdate(group: "asof-group", job: "${v2}", options: { parallelism: 1, timeout: 300 }) { rolloutId } }`);
  for (const host of HOSTS) {
    const deployed = (jobs: JobRow[]) => onHost(jobs, host).map((d) => `${d.jobId} ${d.goal} ${d.state}`).join() === `${v2} START UNKNOWN`;
    checkpoints.push(await checkpoint(`v2 deployed on ${host}`, true, deployed));
    await agents.report(host, v2, 'RUNNING');
    // the rollout moves on to the next host at once: this answer holds only at its sequence
    checkpoints.push(await checkpoint(`v2 running on ${host}`, false, (jobs) => onHost(jobs, host).some((d) => d.jobId === v2 && d.state === 'RUNNING')));
  }
  checkpoints.push(await checkpoint('v2 everywhere', true, (jobs) => HOSTS.every((host) => onHost(jobs, host).some((d) => d.jobId === v2 && d.state === 'RUNNING'))));
  expect(checkpoints.map((c) => c.sequence)).toEqual(checkpoints.map((c) => c.sequence).sort((a, b) => a - b));

  for (const c of checkpoints) {
    const expected = c.jobs.filter((j) => j.id.startsWith('asof-app:'));
    // at the sequence the live answer reflected, and at the time it was taken: the same jobs, deployments, goals and task states
    const atSequence = await deploymentsAsOf(`sequence: ${c.sequence}`);
    expect({ at: c.label, jobs: atSequence.jobs }).toEqual({ at: c.label, jobs: expected });
    expect(atSequence.sequence).toBe(c.sequence);
    if (!c.quiet) continue;
    const atTime = await deploymentsAsOf(`time: "${c.time}"`);
    expect({ at: c.label, jobs: atTime.jobs }).toEqual({ at: c.label, jobs: expected });
    expect(atTime.deployments).toEqual(expected.flatMap((j) => j.deployments));

    for (const job of expected) {
      const asOf = await gql<{ jobAsOf: { status: string; deployments: Deployment[] } }>(`query { jobAsOf(id: "${job.id}", time: "${c.time}") { status deployments { ${DEPLOYMENT} } } }`);
      expect({ at: c.label, job: job.id, ...asOf.jobAsOf }).toEqual({ at: c.label, job: job.id, status: 'created', deployments: job.deployments });
    }
    for (const host of [...HOSTS, OTHER]) {
      const asOf = await gql<{ hostAsOf: { registered: boolean; deployments: Deployment[] } }>(`query { hostAsOf(name: "${host}", time: "${c.time}") { registered deployments { ${DEPLOYMENT} } } }`);
      const byJob = (ds: Deployment[]) => [...ds].sort((a, b) => a.jobId.localeCompare(b.jobId));
      expect({ at: c.label, host, deployments: byJob(asOf.hostAsOf.deployments) }).toEqual({ at: c.label, host, deployments: byJob(onHost(expected, host)) });
    }
  }

  expect(checkpoints.filter((c) => c.quiet)).toHaveLength(6);

  // mid-update: two hosts on v2, the third deploying it, the fourth still on v1
  const middle = checkpoints.find((c) => c.label === `v2 deployed on ${HOSTS[2]}`) as Checkpoint;
  const mid = await deploymentsAsOf(`time: "${middle.time}", selectors: ["role=asof"]`);
  expect(mid.deployments.map((d) => [d.host, d.jobId, d.state]).sort()).toEqual(
    [
      ['asof-1', v2, 'RUNNING'],
      ['asof-2', v2, 'RUNNING'],
      ['asof-3', v2, 'UNKNOWN'],
      ['asof-4', v1, 'RUNNING'],
    ].sort(),
  );
  // selectors and filters apply to the hosts and jobs as they were
  expect((await deploymentsAsOf(`time: "${middle.time}", selectors: ["role=other"]`)).deployments.map((d) => [d.host, d.jobId])).toEqual([[OTHER, v1]]);
  expect((await deploymentsAsOf(`time: "${middle.time}", job: "asof-app:2"`)).jobs.map((j) => [j.id, j.deployments.map((d) => d.host).sort()])).toEqual([[v2, ['asof-1', 'asof-2', 'asof-3']]]);
  expect((await deploymentsAsOf(`time: "${middle.time}", host: "asof-4"`)).deployments.map((d) => [d.host, d.jobId])).toEqual([['asof-4', v1]]);
  expect((await deploymentsAsOf('time: "2000-01-01T00:00:00Z"')).jobs).toEqual([]);

  // REST gives the same answer
  const rest = await stack.rest('GET', `/api/v1/as-of/deployments?time=${encodeURIComponent(middle.time)}&selector=role%3Dasof`);
  expect(rest.status).toBe(200);
  expect((rest.body['deployments'] as Deployment[]).map((d) => [d.host, d.jobId, d.state])).toEqual(mid.deployments.map((d) => [d.host, d.jobId, d.state]));
  const restJob = await stack.rest('GET', `/api/v1/as-of/jobs/${encodeURIComponent(v1)}?time=${encodeURIComponent(middle.time)}`);
  expect(restJob.body).toMatchObject({ jobId: v1, status: 'created', deployments: expect.arrayContaining([expect.objectContaining({ host: 'asof-4', state: 'RUNNING' })]) });
  expect((restJob.body['deployments'] as Deployment[]).map((d) => d.host).sort()).toEqual(['asof-4', OTHER]);
  const restHost = await stack.rest('GET', `/api/v1/as-of/hosts/asof-1?sequence=${middle.sequence}`);
  expect(restHost.body).toMatchObject({ host: 'asof-1', registered: true, deployments: [expect.objectContaining({ jobId: v2, goal: 'START', state: 'RUNNING' })] });
});

it('refuses an as-of question without a time or sequence, with a bad time or a bad selector, with its error code', async () => {
  const code = async (args: string) => (await stack.gql(`query { deploymentsAsOf${args} { sequence } }`)).errors?.[0]?.extensions?.code;
  expect(await code('')).toBe('INVALID_REQUEST');
  expect(await code('(time: "yesterday")')).toBe('INVALID_REQUEST');
  expect(await code('(sequence: 1, selectors: ["role=="])')).toBe('INVALID_HOST_SELECTOR');
  expect((await stack.rest('GET', '/api/v1/as-of/deployments')).body).toMatchObject({ code: 'INVALID_REQUEST' });
  expect((await stack.rest('GET', '/api/v1/as-of/deployments?time=yesterday')).status).toBe(400);
});
