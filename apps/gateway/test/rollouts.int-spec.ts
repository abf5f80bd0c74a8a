import { FakeAgents, eventually } from '@berth/testing';
import { collect, startStack, type Stack } from './harness';

/**
 * Deployment groups and rollouts through the gateway: a real nats-server,
 * the scheduler as a process, the gateway in-process, and fake agents that
 * register, heartbeat and report RUNNING for what they are told to run.
 */
let stack: Stack;
let agents: FakeAgents;

const job = (name: string, version = '1') => ({ id: `${name}:${version}`, image: 'local/busybox:1', command: ['sleep', '300'] });

interface GroupStatus {
  status: string;
  jobId: string | null;
  hosts: { host: string; upToDate: boolean; job: string | null; state: string | null }[];
}
interface RolloutView {
  rolloutId: string;
  status: string;
  finished: boolean;
  progress: { healthy: number; total: number };
  hosts: { host: string; state: string; batch: number | null; canary: boolean }[];
}

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const answer = await stack.gql<T>(query, variables);
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  return answer.data as T;
}

async function errorCode(query: string, variables: Record<string, unknown> = {}): Promise<string | undefined> {
  const answer = await stack.gql(query, variables);
  expect(answer.data ?? null).toBeNull();
  return answer.errors?.[0]?.extensions?.code;
}

const CREATE_GROUP = 'mutation($name: String!, $selectors: [String!]!) { createDeploymentGroup(name: $name, selectors: $selectors) { sequence name status } }';
const ROLLING_UPDATE =
  'mutation($group: String!, $job: String!, $options: RolloutOptions) { rollingUpdate(group: $group, job: $job, options: $options) { sequence rolloutId changed rollout { status options progress { total } } } }';
const ROLLOUT_FIELDS = 'rolloutId status finished progress { healthy total } hosts { host state batch canary }';
const STATUS_FIELDS = 'status jobId hosts { host upToDate job state }';

beforeAll(async () => {
  stack = await startStack();
  agents = new FakeAgents(stack.nc);
  for (const host of ['ro-1', 'ro-2', 'ro-10']) await agents.register(host, { role: 'ro' });
  await agents.register('other-1', { role: 'other' });
}, 60_000); // starting nats-server, scheduler and gateway takes longer than jest's 5 s on a loaded machine

// one hook, in order: subscriptions, agents, gateway, scheduler, nats-server
afterAll(async () => {
  agents?.stop();
  await stack?.stop();
});

describe('deployment groups and rollouts over GraphQL', () => {
  it('creates a group, rolls a job out and follows it live until SUCCEEDED and DONE', async () => {
    const created = await gql<{ createJob: { jobId: string } }>('mutation($job: JSON!) { createJob(job: $job) { jobId } }', { job: job('ro-app') });
    const jobId = created.createJob.jobId;

    const group = await gql<{ createDeploymentGroup: { status: string; sequence: number } }>(CREATE_GROUP, { name: 'ro-group', selectors: ['role=ro'] });
    expect(group.createDeploymentGroup.status).toBe('CREATED');
    const again = await gql<{ createDeploymentGroup: { status: string } }>(CREATE_GROUP, { name: 'ro-group', selectors: ['role=ro'] });
    expect(again.createDeploymentGroup.status).toBe('NOT_MODIFIED');

    const ws = stack.wsClient();
    const groupFeed = collect<{ groupStatus: { exists: boolean; status: GroupStatus | null } }>(ws, `subscription { groupStatus(name: "ro-group") { exists status { ${STATUS_FIELDS} } } }`);
    const [first] = await groupFeed.next(1);
    expect(first?.groupStatus).toMatchObject({ exists: true, status: { status: 'IDLE', hosts: [{ host: 'ro-1', upToDate: false }, { host: 'ro-2' }, { host: 'ro-10' }] } });

    const started = await gql<{ rollingUpdate: { rolloutId: string; changed: boolean; rollout: { status: string; options: Record<string, unknown>; progress: { total: number } } } }>(
      ROLLING_UPDATE,
      { group: 'ro-group', job: 'ro-app:1', options: { parallelism: 2, timeout: 30, oldJobToken: '' } },
    );
    const { rolloutId } = started.rollingUpdate;
    // the old jobs' token travels apart from the new job's (issue 18.2)
    expect(started.rollingUpdate.rollout).toMatchObject({ progress: { total: 3 }, options: { parallelism: 2, timeout: 30, token: '', oldJobToken: '' } });

    const progress = collect<{ rolloutProgress: { event: string | null; sequence: number; rollout: RolloutView } }>(
      ws,
      `subscription($id: String!) { rolloutProgress(rolloutId: $id) { event sequence rollout { ${ROLLOUT_FIELDS} } } }`,
      { id: rolloutId },
    );
    await progress.until((m) => m.rolloutProgress.rollout.finished);
    const updates = progress.received.map((m) => m.rolloutProgress);
    expect(updates[0]?.event).toBeNull();
    const last = updates[updates.length - 1];
    expect(last?.rollout).toMatchObject({ status: 'SUCCEEDED', progress: { healthy: 3, total: 3 } });
    // natural order, batches of two
    expect(last?.rollout.hosts.map((h) => [h.host, h.state, h.batch])).toEqual([
      ['ro-1', 'HEALTHY', 1],
      ['ro-2', 'HEALTHY', 1],
      ['ro-10', 'HEALTHY', 2],
    ]);
    // in order, no gap: healthy counts never go back, and every rollout event after the first message shows up
    const healthy = updates.map((u) => u.rollout.progress.healthy);
    expect([...healthy].sort((a, b) => a - b)).toEqual(healthy);
    const [from, to] = [updates[0]?.sequence ?? 0, last?.sequence ?? 0];
    const logged = await stack.gateway.readModel.log.select({ aggregate: 'rollout', aggregateId: rolloutId, fromSequence: from + 1, toSequence: to });
    expect(logged.map((e) => e.type)).toEqual(updates.slice(1).map((u) => u.event));
    expect(updates.map((u) => u.event)).toContain('RolloutSucceeded');

    const done = await groupFeed.until((m) => m.groupStatus.status?.status === 'DONE' && m.groupStatus.status.hosts.every((h) => h.state === 'RUNNING'));
    expect(done.groupStatus.status).toEqual({
      status: 'DONE',
      jobId,
      hosts: ['ro-1', 'ro-2', 'ro-10'].map((host) => ({ host, upToDate: true, job: jobId, state: 'RUNNING' })),
    });
    expect(groupFeed.received.map((m) => m.groupStatus.status?.status)).toContain('ROLLING_OUT');

    const table = await gql<{ deploymentGroupStatus: GroupStatus }>(`query { deploymentGroupStatus(name: "ro-group") { ${STATUS_FIELDS} } }`);
    expect(table.deploymentGroupStatus.status).toBe('DONE');
    const listed = await gql<{ deploymentGroups: { items: { name: string; selectors: string[]; jobId: string }[] } }>('query { deploymentGroups { items { name selectors jobId hostCounts { matching up } } } }');
    expect(listed.deploymentGroups.items).toEqual([{ name: 'ro-group', selectors: ['role = ro'], jobId, hostCounts: { matching: 3, up: 3 } }]);
    const rollouts = await gql<{ rollouts: { items: { rolloutId: string; status: string }[] } }>('query { rollouts(group: "ro-group") { items { rolloutId status } } }');
    expect(rollouts.rollouts.items).toEqual([{ rolloutId, status: 'SUCCEEDED' }]);
    // an unset $group variable arrives as null: every group's rollouts, as with no argument
    const all = await gql<{ rollouts: { items: { rolloutId: string }[] } }>('query All($group: String) { rollouts(group: $group) { items { rolloutId } } }', { group: null });
    expect(all.rollouts.items.map((r) => r.rolloutId)).toContain(rolloutId);
    const detail = await gql<{ rollout: { rollout: RolloutView } }>(`query($id: String!) { rollout(id: $id) { rollout { ${ROLLOUT_FIELDS} } } }`, { id: rolloutId });
    expect(detail.rollout.rollout.hosts).toHaveLength(3);
  });

  it('rolloutProgress with changedHostsOnly: after a whole first message only changed hosts, which merged give every event the whole rollout a plain subscriber gets', async () => {
    const hosts = ['rd-1', 'rd-2', 'rd-3', 'rd-4'];
    for (const host of hosts) await agents.register(host, { role: 'rd' });
    await gql('mutation($job: JSON!) { createJob(job: $job) { jobId } }', { job: job('rd-app') });
    await gql(CREATE_GROUP, { name: 'ro-delta', selectors: ['role=rd'] });
    const started = await gql<{ rollingUpdate: { rolloutId: string } }>(ROLLING_UPDATE, { group: 'ro-delta', job: 'rd-app:1', options: { parallelism: 1 } });
    const id = started.rollingUpdate.rolloutId;
    type Message = { rolloutProgress: { event: string | null; sequence: number; rollout: RolloutView } };
    const ws = stack.wsClient();
    const query = (changedOnly: boolean) => `subscription($id: String!) { rolloutProgress(rolloutId: $id, changedHostsOnly: ${changedOnly}) { event sequence rollout { ${ROLLOUT_FIELDS} } } }`;
    const whole = collect<Message>(ws, query(false), { id });
    const changed = collect<Message>(ws, query(true), { id });
    await whole.until((m) => m.rolloutProgress.rollout.finished);
    await changed.until((m) => m.rolloutProgress.rollout.finished);

    const [first, ...rest] = changed.received.map((m) => m.rolloutProgress);
    expect(first?.rollout.hosts.map((h) => h.host)).toEqual(hosts);
    // parallelism 1: most events concern one host
    expect(rest.some((u) => u.rollout.hosts.length < hosts.length)).toBe(true);
    const merged = new Map(first?.rollout.hosts.map((h) => [h.host, h]));
    const wholeAt = new Map(whole.received.map((m) => [`${m.rolloutProgress.sequence}/${m.rolloutProgress.event}`, m.rolloutProgress.rollout]));
    let compared = 0;
    for (const update of rest) {
      for (const h of update.rollout.hosts) merged.set(h.host, h);
      const expected = wholeAt.get(`${update.sequence}/${update.event}`);
      if (expected === undefined) continue; // the plain subscriber joined later
      expect(hosts.map((h) => merged.get(h))).toEqual(expected.hosts);
      expect({ ...update.rollout, hosts: [] }).toEqual({ ...expected, hosts: [] });
      compared++;
    }
    expect(compared).toBeGreaterThan(hosts.length);
    expect([...merged.values()].every((h) => h.state === 'HEALTHY')).toBe(true);
    whole.unsubscribe();
    changed.unsubscribe();
  });

  it('answers groupAsOf with the group as it stood at a sequence', async () => {
    const created = await gql<{ createDeploymentGroup: { sequence: number } }>(CREATE_GROUP, { name: 'ro-asof', selectors: ['role=ro'] });
    await gql('mutation { updateDeploymentGroup(name: "ro-asof", selectors: ["role=other"]) { sequence status } }');
    const asOf = (sequence: number) =>
      gql<{ groupAsOf: { exists: boolean; group: { selectors: string[] } | null; version: number } }>(
        'query($s: Int) { groupAsOf(name: "ro-asof", sequence: $s) { exists version group { selectors } } }',
        { s: sequence },
      );
    expect((await asOf(created.createDeploymentGroup.sequence)).groupAsOf).toEqual({ exists: true, version: 1, group: { selectors: ['role = ro'] } });
    expect((await asOf(created.createDeploymentGroup.sequence - 1)).groupAsOf).toEqual({ exists: false, version: 0, group: null });
    expect((await asOf(1_000_000)).groupAsOf.group?.selectors).toEqual(['role = other']);
  });

  it('maps group and rollout errors to their codes, and writes nothing', async () => {
    const before = stack.gateway.readModel.sequence;
    expect(await errorCode('query { deploymentGroup(name: "nope") { sequence } }')).toBe('DEPLOYMENT_GROUP_NOT_FOUND');
    expect(await errorCode(CREATE_GROUP, { name: 'ro-group', selectors: ['role=other'] })).toBe('DEPLOYMENT_GROUP_ALREADY_EXISTS');
    expect(await errorCode(ROLLING_UPDATE, { group: 'ro-group', job: 'ro-app:1', options: { parallelism: 0 } })).toBe('INVALID_ROLLOUT_OPTIONS');
    expect(await errorCode(ROLLING_UPDATE, { group: 'nope', job: 'ro-app:1' })).toBe('DEPLOYMENT_GROUP_NOT_FOUND');
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(await errorCode(`query { rollout(id: "${missing}") { sequence } }`)).toBe('ROLLOUT_NOT_FOUND');
    expect(await errorCode(`mutation { promote(rollout: "${missing}") { sequence } }`)).toBe('ROLLOUT_NOT_FOUND');
    const { rollouts } = await gql<{ rollouts: { items: { rolloutId: string }[] } }>('query { rollouts(group: "ro-group") { items { rolloutId } } }');
    const finished = rollouts.items[0]?.rolloutId;
    expect(await errorCode('mutation($id: String!) { pause(rollout: $id) { sequence } }', { id: finished })).toBe('ROLLOUT_STATE_CONFLICT');
    expect(await errorCode('mutation { promote(rollout: "not-a-uuid") { sequence } }')).toBe('INVALID_REQUEST');
    expect(stack.gateway.readModel.sequence).toBe(before);

    const ws = stack.wsClient();
    const feed = collect(ws, `subscription { rolloutProgress(rolloutId: "${missing}") { sequence } }`);
    await expect(feed.next(1)).rejects.toThrow(/ROLLOUT_NOT_FOUND/);
  });
});

describe('deployment groups and rollouts over REST', () => {
  it('creates a group, rolls out, reads status and the rollout, stops and removes', async () => {
    expect((await stack.rest('POST', '/api/v1/jobs', { job: job('ro-rest') })).status).toBe(201);
    const created = await stack.rest('POST', '/api/v1/deployment-groups', { name: 'ro-rest', selectors: ['role=ro'] });
    expect(created).toMatchObject({ status: 201, body: { name: 'ro-rest', status: 'CREATED' } });
    expect(await stack.rest('POST', '/api/v1/deployment-groups', { name: 'ro-rest', selectors: ['role=other'] })).toMatchObject({
      status: 409,
      body: { code: 'DEPLOYMENT_GROUP_ALREADY_EXISTS' },
    });
    expect((await stack.rest('GET', '/api/v1/deployment-groups/nope')).status).toBe(404);
    const bad = await stack.rest('POST', '/api/v1/deployment-groups/ro-rest/rolling-update', { job: 'ro-rest:1', options: { failureThreshold: -1 } });
    expect(bad).toMatchObject({ status: 400 });

    const rolled = await stack.rest('POST', '/api/v1/deployment-groups/ro-rest/rolling-update', { job: 'ro-rest:1', options: { parallelism: 3 } });
    expect(rolled.status).toBe(201);
    const rolloutId = String(rolled.body['rolloutId']);
    await waitUntilAsync(async () => {
      const { body } = await stack.rest('GET', `/api/v1/rollouts/${rolloutId}`);
      const group = await stack.rest('GET', '/api/v1/deployment-groups/ro-rest/status');
      // the group's DONE is its own event, appended after the rollout's SUCCEEDED
      return (body['rollout'] as { status: string }).status === 'SUCCEEDED' && group.body['status'] === 'DONE';
    }, 'the REST rollout to succeed and its group to be DONE');
    const status = await stack.rest('GET', '/api/v1/deployment-groups/ro-rest/status');
    expect(status.body).toMatchObject({ name: 'ro-rest', status: 'DONE', hosts: [{ host: 'ro-1', upToDate: true }, { host: 'ro-2', upToDate: true }, { host: 'ro-10', upToDate: true }] });
    expect((await stack.rest('GET', '/api/v1/deployment-groups')).body['groups']).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'ro-rest' })]));
    expect((await stack.rest('GET', '/api/v1/rollouts?group=ro-rest')).body['rollouts']).toEqual([expect.objectContaining({ rolloutId, status: 'SUCCEEDED' })]);
    expect(await stack.rest('POST', `/api/v1/rollouts/${rolloutId}/resume`)).toMatchObject({ status: 409, body: { code: 'ROLLOUT_STATE_CONFLICT' } });

    expect(await stack.rest('POST', '/api/v1/deployment-groups/ro-rest/stop')).toMatchObject({ status: 200, body: { status: 'STOPPED' } });
    expect((await stack.rest('GET', '/api/v1/deployment-groups/ro-rest')).body['group']).toMatchObject({ status: 'FAILED', error: 'Stopped by user' });
    const removed = await stack.rest('DELETE', '/api/v1/deployment-groups/ro-rest');
    expect(removed).toMatchObject({ status: 200, body: { status: 'REMOVED' } });
    expect((await stack.rest('GET', '/api/v1/deployment-groups/ro-rest')).status).toBe(404);

    // what the removed group left behind, undeployed by naming it (REST and GraphQL); without it FORBIDDEN
    expect((removed.body['leftBehind'] as { host: string }[]).map((row) => row.host)).toEqual(['ro-1', 'ro-2', 'ro-10']);
    expect(await stack.rest('DELETE', '/api/v1/deployments/ro-1/ro-rest:1')).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await stack.rest('DELETE', '/api/v1/deployments/ro-1/ro-rest:1?deploymentGroupName=ro-rest')).toMatchObject({ status: 200, body: { status: 'UNDEPLOYED' } });
    const viaGraphql = await gql<{ undeploy: { status: string } }>('mutation { undeploy(job: "ro-rest:1", host: "ro-2", deploymentGroupName: "ro-rest") { status } }');
    expect(viaGraphql.undeploy.status).toBe('UNDEPLOYED');
  });
});

const waitUntilAsync = (done: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> => eventually(done, { what, timeoutMs });
