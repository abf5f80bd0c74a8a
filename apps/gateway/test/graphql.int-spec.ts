import { SchedulerCommand, agentSubjects, type HeartbeatMessage } from '@berth/contracts';
import { FakeAgents, eventually } from '@berth/testing';
import { GATEWAY_ACTOR, collect, startStack, type Stack } from './harness';

let stack: Stack;

const job = (name: string, extra: object = {}) => ({ id: `${name}:1`, image: 'local/busybox:1', command: ['sleep', '300'], ...extra });

interface Change {
  sequence: number;
  jobId?: string;
  status?: string;
}

async function mutate(mutation: string, variables: Record<string, unknown>): Promise<Change> {
  const answer = await stack.gql<Record<string, Change>>(mutation, variables);
  expect(answer.errors).toBeUndefined();
  return Object.values(answer.data ?? {})[0] as Change;
}

const CREATE_JOB = 'mutation($job: JSON!) { createJob(job: $job) { sequence jobId } }';
const REGISTER_HOST = 'mutation($host: String!, $labels: JSON) { registerHost(host: $host, agentId: $host, labels: $labels) { sequence status } }';
const DEPLOY = 'mutation($job: String!, $host: String!) { deploy(job: $job, host: $host) { sequence status ports } }';

beforeAll(async () => {
  stack = await startStack();
});

// one hook, in order: gateway and scheduler before nats-server
afterAll(async () => {
  await stack?.stop();
});

describe('GraphQL queries and mutations', () => {
  it('creates a job, registers a host, deploys, and the job query shows the deployment', async () => {
    const created = await mutate(CREATE_JOB, { job: job('web', { ports: { http: { internalPort: 8080 } } }) });
    expect(created.jobId).toMatch(/^web:1:[0-9a-f]{40}$/);
    await mutate(REGISTER_HOST, { host: 'gql-1', labels: { role: 'web' } });
    const deployed = await mutate(DEPLOY, { job: 'web:1', host: 'gql-1' });
    expect(deployed.status).toBe('DEPLOYED');

    const answer = await stack.gql<{ job: { sequence: number; job: { id: string; name: string; deployments: { host: string; goal: string; state: string; ports: Record<string, number> }[] } } }>(
      'query($id: String!, $s: Int) { job(id: $id, atLeastSequence: $s) { sequence job { id name deployments { host goal state ports } } } }',
      { id: 'web:1', s: deployed.sequence },
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.job.sequence).toBeGreaterThanOrEqual(deployed.sequence);
    expect(answer.data?.job.job).toMatchObject({ id: created.jobId, name: 'web', deployments: [{ host: 'gql-1', goal: 'START', state: 'UNKNOWN' }] });
    expect(answer.data?.job.job.deployments[0]?.ports['http']).toBeGreaterThanOrEqual(20000);

    const host = await stack.gql<{ host: { host: { jobCount: number; deployments: { jobId: string }[] } } }>(
      'query($s: Int) { host(name: "gql-1", atLeastSequence: $s) { host { jobCount deployments { jobId } } } }',
      { s: deployed.sequence },
    );
    expect(host.data?.host.host).toEqual({ jobCount: 1, deployments: [{ jobId: created.jobId }] });
  });

  it('reads its own writes with atLeastSequence, and says UNAVAILABLE for a sequence not reached in time', async () => {
    const created = await mutate(CREATE_JOB, { job: job('ryw') });
    const answer = await stack.gql<{ jobs: { sequence: number; items: { id: string }[] } }>(
      'query($s: Int) { jobs(filter: { name: "ryw" }, atLeastSequence: $s) { sequence items { id } } }',
      { s: created.sequence },
    );
    expect(answer.data?.jobs.items).toEqual([{ id: created.jobId }]);
    expect(answer.data?.jobs.sequence).toBeGreaterThanOrEqual(created.sequence);

    const tooFar = await stack.gql('query { jobs(atLeastSequence: 1000000) { sequence } }');
    expect(tooFar.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
  });

  it('pages through jobs with cursors', async () => {
    let last = 0;
    for (const n of ['a', 'b', 'c']) last = (await mutate(CREATE_JOB, { job: job(`page-${n}`) })).sequence;
    const page = (after?: string) =>
      stack.gql<{ jobs: { items: { name: string }[]; nextCursor: string | null; totalCount: number } }>(
        'query($after: String, $s: Int) { jobs(filter: { pattern: "page-" }, first: 2, after: $after, atLeastSequence: $s) { items { name } nextCursor totalCount } }',
        { after, s: last },
      );
    const first = (await page()).data?.jobs;
    expect(first?.items.map((j) => j.name)).toEqual(['page-a', 'page-b']);
    expect(first?.totalCount).toBe(3);
    const second = (await page(first?.nextCursor ?? undefined)).data?.jobs;
    expect(second?.items.map((j) => j.name)).toEqual(['page-c']);
    expect(second?.nextCursor).toBeNull();
  });

  it.each([
    ['JOB_NOT_FOUND', 'query { job(id: "nope:1") { sequence } }'],
    ['HOST_NOT_FOUND', 'query { host(name: "ghost") { sequence } }'],
    ['HOST_NOT_FOUND', 'mutation { deploy(job: "web:1", host: "ghost") { sequence } }'],
    ['JOB_NOT_FOUND', 'mutation { removeJob(job: "nope:1") { sequence } }'],
    ['INVALID_JOB_DEFINITION', 'mutation { createJob(job: { id: "BAD NAME:1", image: "Upper/Case" }) { sequence } }'],
    ['INVALID_REQUEST', 'query { jobs(first: 0) { sequence } }'],
    ['INVALID_REQUEST', 'query { jobs(after: "not-a-cursor") { sequence } }'],
    ['INVALID_HOST_SELECTOR', 'query { hosts(selectors: ["role=="]) { sequence } }'],
  ])('answers %s as extensions.code for %s', async (code, query) => {
    const answer = await stack.gql(query);
    expect(answer.errors?.[0]?.extensions?.code).toBe(code);
  });

  it('lists hosts by selectors and status', async () => {
    await mutate(REGISTER_HOST, { host: 'sel-1', labels: { role: 'web', zone: 'a' } });
    const { sequence } = await mutate(REGISTER_HOST, { host: 'sel-2', labels: { role: 'db', zone: 'b' } });
    const hosts = async (selectors: string[]) =>
      (await stack.gql<{ hosts: { items: { host: string }[] } }>('query($sel: [String!], $s: Int) { hosts(selectors: $sel, pattern: "sel-", status: "UP", atLeastSequence: $s) { items { host } } }', { sel: selectors, s: sequence })).data?.hosts.items.map((h) => h.host);
    expect(await hosts(['role=web'])).toEqual(['sel-1']);
    expect(await hosts(['zone in (a, b)'])).toEqual(['sel-1', 'sel-2']);
  });

  it("shows a host's load and memory from its agent's heartbeat (issue 21.8), and none before one arrives", async () => {
    const { sequence } = await mutate(REGISTER_HOST, { host: 'stats-1', labels: { role: 'stats' } });
    type Stats = { loadAvg: number[]; memoryTotalBytes: number; memoryFreeBytes: number; memoryUsage: number; receivedAt: string } | null;
    const statsOf = async () =>
      (await stack.gql<{ hosts: { items: { host: string; stats: Stats }[] } }>('query($s: Int) { hosts(pattern: "stats-", atLeastSequence: $s) { items { host stats { loadAvg memoryTotalBytes memoryFreeBytes memoryUsage receivedAt } } } }', { s: sequence })).data?.hosts.items[0]?.stats;
    expect(await statsOf()).toBeNull();
    const beat: HeartbeatMessage = { host: 'stats-1', agentId: 'agent-stats-1', time: new Date().toISOString(), stats: { loadAvg: [1.25, 0.5, 0.125], memoryTotalBytes: 8_000_000_000, memoryFreeBytes: 2_000_000_000 } };
    stack.nc.publish(agentSubjects('stats-1').heartbeat, JSON.stringify(beat));
    await eventually(async () => (await statsOf()) !== null, { what: 'the heartbeat stats over GraphQL', timeoutMs: 10_000 });
    expect(await statsOf()).toEqual({ loadAvg: [1.25, 0.5, 0.125], memoryTotalBytes: 8_000_000_000, memoryFreeBytes: 2_000_000_000, memoryUsage: 0.75, receivedAt: expect.any(String) });
    // and over REST
    const rest = await stack.rest('GET', '/api/v1/hosts?pattern=stats-');
    expect((rest.body['items'] as { stats: unknown }[])[0]?.stats).toEqual(beat.stats);
  });
});

describe('task status', () => {
  it("carries the container's merged env, as REST does (issue 18.6)", async () => {
    await mutate(CREATE_JOB, { job: job('envy', { env: { FROM_JOB: '1' } }) });
    await stack.gql('mutation { registerHost(host: "envy-1", agentId: "agent-envy-1") { sequence } }');
    await mutate(DEPLOY, { job: 'envy:1', host: 'envy-1' });
    const jobId = (await stack.gql<{ job: { job: { id: string } } }>('{ job(id: "envy:1") { job { id } } }')).data?.job.job.id ?? '';
    const env = { FROM_JOB: '1', BERTH_PORT_http: '20001', HOST: 'envy-1' };
    const agents = new FakeAgents(stack.nc);
    try {
      await agents.report('envy-1', jobId, 'RUNNING', { env });
      await eventually(async () => {
        const answer = await stack.gql<{ host: { host: { deployments: { status: { env: unknown } | null }[] } } }>('{ host(name: "envy-1") { host { deployments { status { env } } } } }');
        return JSON.stringify(answer.data?.host.host.deployments[0]?.status?.env) === JSON.stringify(env);
      }, { what: 'the reported env over GraphQL', timeoutMs: 10_000 });
    } finally {
      agents.stop();
    }
  });
});

describe('GraphQL subscriptions', () => {
  it('taskStatus sends the current deployment first, then the change', async () => {
    await mutate(CREATE_JOB, { job: job('live') });
    await mutate(REGISTER_HOST, { host: 'live-1' });
    await mutate(DEPLOY, { job: 'live:1', host: 'live-1' });
    type Update = { taskStatus: { sequence: number; deployment: { goal: string } | null } };
    const sub = collect<Update>(stack.wsClient(), 'subscription { taskStatus(job: "live:1", host: "live-1") { sequence deployment { goal } } }');
    const [current] = await sub.next(1);
    expect(current?.taskStatus.deployment).toEqual({ goal: 'START' });

    const stopped = await mutate('mutation { stop(job: "live:1", host: "live-1") { sequence } }', {});
    const [, change] = await sub.next(2);
    expect(change?.taskStatus).toEqual({ sequence: stopped.sequence, deployment: { goal: 'STOP' } });

    const undeployed = await mutate('mutation { undeploy(job: "live:1", host: "live-1") { sequence } }', {});
    const [, , gone] = await sub.next(3);
    expect(gone?.taskStatus).toEqual({ sequence: undeployed.sequence, deployment: null });
    sub.unsubscribe();
  });

  it('events replays from a sequence, then streams new events of the filtered aggregate', async () => {
    const from = (await mutate(REGISTER_HOST, { host: 'feed-1' })).sequence;
    type Feed = { events: { type: string; aggregateId: string; sequence: number } };
    const sub = collect<Feed>(stack.wsClient(), 'subscription($from: Int) { events(filter: { aggregate: "host" }, fromSequence: $from) { type aggregateId sequence } }', { from });
    const [replayed] = await sub.next(1);
    expect(replayed?.events).toEqual({ type: 'HostRegistered', aggregateId: 'feed-1', sequence: from });
    await mutate(CREATE_JOB, { job: job('not-a-host-event') });
    const later = (await mutate(REGISTER_HOST, { host: 'feed-2' })).sequence;
    const [, live] = await sub.next(2);
    expect(live?.events).toEqual({ type: 'HostRegistered', aggregateId: 'feed-2', sequence: later });
    sub.unsubscribe();
  });

  it('hostStatus sends the host as it stands, then its deregistration', async () => {
    await mutate(REGISTER_HOST, { host: 'hs-1', labels: { a: '1' } });
    type Update = { hostStatus: { name: string; registered: boolean; host: { labels: Record<string, string> } | null } };
    const sub = collect<Update>(stack.wsClient(), 'subscription { hostStatus(name: "hs-1") { name registered host { labels } } }');
    expect((await sub.next(1))[0]?.hostStatus).toEqual({ name: 'hs-1', registered: true, host: { labels: { a: '1' } } });
    await mutate('mutation { deregisterHost(host: "hs-1") { sequence } }', {});
    expect((await sub.next(2))[1]?.hostStatus).toEqual({ name: 'hs-1', registered: false, host: null });
    sub.unsubscribe();
  });
});

describe('GraphQL audit', () => {
  it('filters events by actor and pages through them', async () => {
    await stack.alice.call(SchedulerCommand.CREATE_JOB, { job: job('by-alice') });
    const mine = await mutate(CREATE_JOB, { job: job('by-gateway') });
    type Events = { events: { items: { actor: string; type: string; aggregateId: string; correlationId: string }[]; totalCount: number; nextCursor: string | null } };
    const byActor = async (actor: string) =>
      (await stack.gql<Events>('query($a: String!, $s: Int) { events(actor: $a, aggregate: "job", atLeastSequence: $s) { items { actor type aggregateId correlationId } totalCount nextCursor } }', { a: actor, s: mine.sequence })).data?.events;
    const alice = await byActor('alice');
    expect(alice?.items).toEqual([expect.objectContaining({ actor: 'alice', type: 'JobCreated', aggregateId: expect.stringMatching(/^by-alice:1:/) })]);
    const gateway = await byActor(GATEWAY_ACTOR);
    expect(gateway?.items.every((e) => e.actor === GATEWAY_ACTOR && e.correlationId !== '')).toBe(true);
    expect(gateway?.items.map((e) => e.aggregateId)).toContain(mine.jobId);

    const pageQuery = 'query($a: String!, $n: Int, $c: String) { events(actor: $a, aggregate: "job", first: $n, after: $c) { items { actor type aggregateId correlationId } nextCursor } }';
    const first = (await stack.gql<Events>(pageQuery, { a: GATEWAY_ACTOR, n: 1 })).data?.events;
    expect(first?.items).toHaveLength(1);
    const second = (await stack.gql<Events>(pageQuery, { a: GATEWAY_ACTOR, n: 1000, c: first?.nextCursor })).data?.events;
    expect([...(first?.items ?? []), ...(second?.items ?? [])]).toEqual(gateway?.items);
    expect(second?.nextCursor).toBeNull();
  });

  it('rebuilds a job as of a sequence and a time, before and after its removal', async () => {
    const created = await mutate(CREATE_JOB, { job: job('asof') });
    const removed = await mutate('mutation { removeJob(job: "asof:1") { sequence } }', {});
    const asOf = async (args: string) =>
      (await stack.gql<{ jobAsOf: { status: string; version: number; job: { image: string } | null } }>(`query($id: String!) { jobAsOf(id: $id, ${args}) { status version job } }`, { id: created.jobId })).data?.jobAsOf;
    expect(await asOf(`sequence: ${created.sequence - 1}`)).toEqual({ status: 'absent', version: 0, job: null });
    expect(await asOf(`sequence: ${created.sequence}`)).toMatchObject({ status: 'created', version: 1, job: { image: 'local/busybox:1' } });
    expect(await asOf(`sequence: ${removed.sequence}`)).toMatchObject({ status: 'removed', version: 2, job: null });

    const events = await stack.gql<{ events: { items: { time: string }[] } }>('query($id: String!) { events(aggregate: "job", id: $id) { items { time } } }', { id: created.jobId });
    const createdAt = events.data?.events.items[0]?.time;
    expect(await asOf(`time: "${createdAt}"`)).toMatchObject({ status: expect.stringMatching(/created|removed/) });
    expect(await asOf('time: "2000-01-01T00:00:00Z"')).toMatchObject({ status: 'absent' });
  });

  it('rebuilds a host as of a sequence', async () => {
    const registered = await mutate(REGISTER_HOST, { host: 'asof-host', labels: { v: '1' } });
    await mutate(REGISTER_HOST, { host: 'asof-host', labels: { v: '2' } });
    const answer = await stack.gql<{ hostAsOf: { registered: boolean; state: { labels: Record<string, string> } } }>(
      `query { hostAsOf(name: "asof-host", sequence: ${registered.sequence}) { registered state } }`,
    );
    expect(answer.data?.hostAsOf).toMatchObject({ registered: true, state: { labels: { v: '1' } } });
  });
});
