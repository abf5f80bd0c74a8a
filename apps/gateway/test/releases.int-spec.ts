import { FakeAgents, eventually } from '@berth/testing';
import { collect, startStack, type Stack } from './harness';

/**
 * Pipelines and releases through the gateway: a real nats-server, the
 * scheduler as a process, the gateway in-process, and fake agents.
 */
jest.setTimeout(30_000);

let stack: Stack;
let agents: FakeAgents;

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const answer = await stack.gql<T>(query, variables);
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  return answer.data as T;
}

interface ReleaseView {
  releaseId: string;
  status: string;
  finished: boolean;
  awaitingTrigger: boolean;
  steps: { name: string; kind: string; status: string }[];
}
const RELEASE_FIELDS = 'releaseId status finished awaitingTrigger steps { name kind status }';
const SET_PIPELINE = 'mutation($service: String!, $source: String!) { setPipeline(service: $service, source: $source) { changed sequence pipeline { service revision } } }';

beforeAll(async () => {
  stack = await startStack();
  agents = new FakeAgents(stack.nc);
  for (const host of ['rel-canary-1', 'rel-main-1', 'rel-main-2']) await agents.register(host, { role: host.replace(/-\d+$/, '') });
  for (const name of ['rel-canary', 'rel-main']) {
    await gql('mutation($name: String!, $selectors: [String!]!) { createDeploymentGroup(name: $name, selectors: $selectors) { sequence } }', { name, selectors: [`role=${name}`] });
  }
  await gql('mutation($job: JSON!) { createJob(job: $job) { jobId } }', { job: { id: 'rel:1', image: 'local/busybox:1' } });
});

afterAll(async () => {
  agents?.stop();
  await stack?.stop();
});

describe('pipelines and releases over GraphQL', () => {
  it('refuses a bad pipeline with INVALID_PIPELINE and each problem with its line; validate lists cluster problems', async () => {
    const bad = await stack.gql(SET_PIPELINE, { service: 'rel', source: 'pipeline:\n- step: rel-canary\n  disabled: maybe\n' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_PIPELINE', details: { problems: [{ path: 'pipeline[0].disabled', line: 3, message: 'must be a boolean' }] } });
    const checked = await gql<{ validatePipeline: { valid: boolean; problems: { path: string; line: number; message: string }[] } }>(
      'query($service: String!, $source: String!) { validatePipeline(service: $service, source: $source) { valid problems { path line message } } }',
      { service: 'rel', source: 'pipeline:\n- step: rel-canary\n- step: nowhere\n' },
    );
    expect(checked.validatePipeline).toEqual({ valid: false, problems: [{ path: 'pipeline[1]', line: 3, message: expect.stringContaining('unknown deployment group "nowhere"') }] });
  });

  it('sets a pipeline, marks a job for deployment, passes the gate, advances, and follows the release live to complete', async () => {
    const source = 'pipeline:\n- gate: itest\n- step: "{service}-canary"\n  trigger_next_step_manually: true\n- step: rel-main\n';
    const set = await gql<{ setPipeline: { changed: boolean; pipeline: { service: string; revision: number } } }>(SET_PIPELINE, { service: 'rel', source });
    expect(set.setPipeline).toMatchObject({ changed: true, pipeline: { service: 'rel', revision: 1 } });
    const shown = await gql<{ pipeline: { pipeline: { source: string } } }>('query { pipeline(service: "rel") { pipeline { source } } }');
    expect(shown.pipeline.pipeline.source).toBe(source);

    const marked = await gql<{ markForDeployment: { release: ReleaseView } }>(
      `mutation { markForDeployment(service: "rel", job: "1") { changed release { ${RELEASE_FIELDS} } } }`,
    );
    const { releaseId } = marked.markForDeployment.release;
    expect(marked.markForDeployment.release.steps).toEqual([
      { name: 'itest', kind: 'gate', status: 'RUNNING' },
      { name: 'rel-canary', kind: 'group', status: 'PENDING' },
      { name: 'rel-main', kind: 'group', status: 'PENDING' },
    ]);
    const feed = collect<{ releaseProgress: { event: string | null; release: ReleaseView } }>(
      stack.wsClient(),
      `subscription($id: String!) { releaseProgress(releaseId: $id) { event release { ${RELEASE_FIELDS} } } }`,
      { id: releaseId },
    );
    await feed.next(1);
    await gql('mutation { reportGate(service: "rel", gate: "itest", passed: true, message: "green") { release { status } } }');
    await feed.until((m) => m.releaseProgress.release.awaitingTrigger);
    await gql(`mutation($id: String!) { advanceRelease(release: $id) { changed } }`, { id: releaseId });
    const last = await feed.until((m) => m.releaseProgress.release.finished);
    expect(last.releaseProgress.release.status).toBe('complete');
    expect(feed.received.some((m) => m.releaseProgress.event === 'RolloutSucceeded')).toBe(true);

    const listed = await gql<{ releases: { items: { releaseId: string; status: string }[] } }>('query { releases(service: "rel") { items { releaseId status } } }');
    expect(listed.releases.items).toEqual([{ releaseId, status: 'complete' }]);
    // unset variables arrive as null: every service's releases, as with no arguments
    const all = await gql<{ releases: { items: { releaseId: string }[] } }>('query All($service: String, $status: String) { releases(service: $service, status: $status) { items { releaseId } } }', { service: null, status: null });
    expect(all.releases.items.map((r) => r.releaseId)).toContain(releaseId);
    const again = await stack.gql(`mutation($id: String!) { advanceRelease(release: $id) { changed } }`, { id: releaseId });
    expect(again.errors?.[0]?.extensions?.code).toBe('RELEASE_STATE_CONFLICT');
  });

  it('serves the same over REST: a bad pipeline is a 400 with lines, a one-group release runs to complete, a conflict is a 409', async () => {
    const bad = await stack.rest('PUT', '/api/v1/pipelines/rel', { source: 'pipeline:\n- step: rel-main\n  step: again\n' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_PIPELINE', details: { problems: [{ line: 3 }] } });
    await gql('mutation($job: JSON!) { createJob(job: $job) { jobId } }', { job: { id: 'rel:2', image: 'local/busybox:2' } });
    const started = await stack.rest('POST', '/api/v1/releases', { service: 'rel', job: 'rel:2', group: 'rel-main' });
    expect(started.status).toBe(201);
    const releaseId = String(started.body['releaseId']);
    const status = async () => ((await stack.rest('GET', `/api/v1/releases/${releaseId}`)).body['release'] as { status?: string } | undefined)?.status;
    await eventually(async () => (await status()) === 'complete', { timeoutMs: 15_000 });
    const conflict = await stack.rest('POST', `/api/v1/releases/${releaseId}/advance`);
    expect(conflict).toMatchObject({ status: 409, body: { code: 'RELEASE_STATE_CONFLICT' } });
    const gate = await stack.rest('POST', '/api/v1/gates/rel/itest', { passed: true });
    expect(gate).toMatchObject({ status: 404, body: { code: 'RELEASE_NOT_FOUND' } });
  });

  it('starts a multi-service release plan and shows its views; a cycle is refused naming it', async () => {
    const cyclic = await stack.gql('mutation($source: String!) { startReleasePlan(source: $source) { plan { planId } } }', {
      source: 'services:\n- {service: rel, job: 1, group: rel-main, dependsOn: [other]}\n- {service: other, job: 1, group: rel-main, dependsOn: [rel]}\n',
    });
    expect(cyclic.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_RELEASE_PLAN', details: { problems: [{ message: 'dependency cycle: rel → other → rel' }] } });
    const started = await gql<{ startReleasePlan: { plan: { planId: string; levels: string[][] } } }>('mutation($source: String!) { startReleasePlan(source: $source) { plan { planId levels } } }', {
      source: 'services:\n- service: rel\n  job: 1\n  group: rel-main\n  quorum: 2\n',
    });
    const { planId, levels } = started.startReleasePlan.plan;
    expect(levels).toEqual([['rel']]);
    const PLAN = 'query($id: String!) { releasePlan(id: $id) { plan { status deployQueue services { service status } current { service hosts { host online version } } staging { service hosts } } } }';
    type PlanView = { releasePlan: { plan: { status: string; current: { hosts: { host: string; version: string | null }[] }[]; staging: { hosts: string[] }[] } } };
    await eventually(async () => (await gql<PlanView>(PLAN, { id: planId })).releasePlan.plan.status === 'complete', { timeoutMs: 15_000 });
    const { plan } = (await gql<PlanView>(PLAN, { id: planId })).releasePlan;
    expect(plan.current[0]?.hosts.map((h) => [h.host, h.version?.split(':').slice(0, 2).join(':')])).toEqual([
      ['rel-main-1', 'rel:1'],
      ['rel-main-2', 'rel:1'],
    ]);
    expect(plan.staging[0]?.hosts).toEqual(['rel-main-1', 'rel-main-2']);
  });

  it('sets a freeze, lists it in force, refuses a release inside it with DEPLOY_FROZEN, and removes it', async () => {
    const window = { kind: 'range', from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 600_000).toISOString() };
    const set = await gql<{ setFreeze: { name: string; active: boolean; until: string } }>(
      'mutation($window: JSON!) { setFreeze(name: "gw-freeze", services: ["rel"], window: $window, reason: "audit") { name active until } }',
      { window },
    );
    expect(set.setFreeze).toEqual({ name: 'gw-freeze', active: true, until: window.to });
    const listed = await gql<{ freezes: { items: { name: string; active: boolean }[] } }>('query { freezes { items { name active } } }');
    expect(listed.freezes.items).toEqual([{ name: 'gw-freeze', active: true }]);
    const refused = await stack.gql('mutation { markForDeployment(service: "rel", job: "1", group: "rel-main") { release { status } } }', {}, 'deploy');
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'DEPLOY_FROZEN', details: { freeze: 'gw-freeze', until: window.to } });
    // overriding a freeze is an admin's call
    const OVERRIDE = 'mutation { markForDeployment(service: "rel", job: "1", group: "rel-main", overrideFreeze: "INC-1") { release { freezeOverride status } } }';
    expect((await stack.gql(OVERRIDE, {}, 'deploy')).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const overridden = await gql<{ markForDeployment: { release: { freezeOverride: string } } }>(OVERRIDE);
    expect(overridden.markForDeployment.release.freezeOverride).toBe('gw-freeze: INC-1');
    expect(await gql('mutation { removeFreeze(name: "gw-freeze") }')).toEqual({ removeFreeze: true });

    // a rolling update of a frozen group: refused, an override needs an admin
    await gql('mutation($window: JSON!) { setFreeze(name: "group-freeze", groups: ["rel-canary"], window: $window, reason: "audit") { name } }', { window });
    const RU = (override: string) => `mutation { rollingUpdate(group: "rel-canary", job: "rel:1"${override}) { rolloutId } }`;
    expect((await stack.gql(RU(''), {}, 'deploy')).errors?.[0]?.extensions?.code).toBe('DEPLOY_FROZEN');
    expect((await stack.gql(RU(', overrideFreeze: "fix"'), {}, 'deploy')).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await gql<{ rollingUpdate: { rolloutId: string } }>(RU(', overrideFreeze: "fix"'))).rollingUpdate.rolloutId).toMatch(/^[0-9a-f-]{36}$/);
    await gql('mutation { removeFreeze(name: "group-freeze") }');
    const bad = await stack.gql('mutation { setFreeze(name: "x", window: {kind: "weekly", days: ["sat"], from: "00:00", to: "24:00", timeZone: "Nowhere/Land"}, reason: "r") { name } }');
    expect(bad.errors?.[0]?.extensions?.code).toBe('INVALID_FREEZE');
  });
});
