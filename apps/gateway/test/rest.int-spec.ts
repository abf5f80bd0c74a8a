import { BERTH_VERSION } from '@berth/contracts';
import { startStack, type Stack } from './harness';

let stack: Stack;

const job = (name: string, extra: object = {}) => ({ id: `${name}:1`, image: 'local/busybox:1', command: ['sleep', '300'], ...extra });

beforeAll(async () => {
  stack = await startStack();
});

// one hook, in order: gateway and scheduler before nats-server
afterAll(async () => {
  await stack?.stop();
});

describe('REST /api/v1', () => {
  it('creates a job, registers a host, deploys, and GET shows the deployment', async () => {
    const created = await stack.rest('POST', '/api/v1/jobs', { job: job('rest-web') });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ jobId: expect.stringMatching(/^rest-web:1:/), sequence: expect.any(Number) });
    expect((await stack.rest('POST', '/api/v1/hosts', { host: 'rest-1', agentId: 'a-1', labels: { role: 'web' } })).status).toBe(201);
    const deployed = await stack.rest('POST', '/api/v1/deployments', { job: 'rest-web:1', host: 'rest-1' });
    expect(deployed).toMatchObject({ status: 201, body: { status: 'DEPLOYED' } });

    const got = await stack.rest('GET', `/api/v1/jobs/rest-web:1?atLeastSequence=${deployed.body['sequence']}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ job: { id: created.body['jobId'], deployments: [{ host: 'rest-1', goal: 'START', state: 'UNKNOWN' }] } });

    const stopped = await stack.rest('POST', '/api/v1/deployments/rest-1/rest-web:1/stop');
    expect(stopped.status).toBe(200);
    const host = await stack.rest('GET', `/api/v1/hosts/rest-1?atLeastSequence=${stopped.body['sequence']}`);
    expect(host.body).toMatchObject({ host: { host: 'rest-1', status: 'UP', deployments: [{ goal: 'STOP' }] } });

    const listed = await stack.rest('GET', `/api/v1/jobs?pattern=rest-&deployed=true&atLeastSequence=${stopped.body['sequence']}`);
    expect(listed.body).toMatchObject({ items: [{ name: 'rest-web' }], totalCount: 1 });
    const hosts = await stack.rest('GET', '/api/v1/hosts?selector=role%3Dweb');
    expect((hosts.body['items'] as { host: string }[]).map((h) => h.host)).toEqual(['rest-1']);
    const history = await stack.rest('GET', '/api/v1/jobs/rest-web:1/history');
    expect(history.body).toMatchObject({ jobId: created.body['jobId'], entries: [] });
    const events = await stack.rest('GET', `/api/v1/events?aggregate=deployment&id=rest-1`);
    expect((events.body['items'] as { type: string }[]).map((e) => e.type)).toEqual(['JobDeployed', 'GoalChanged']);
  });

  it.each([
    [404, 'JOB_NOT_FOUND', 'GET', '/api/v1/jobs/nope:1', undefined],
    [404, 'HOST_NOT_FOUND', 'GET', '/api/v1/hosts/ghost', undefined],
    [404, 'HOST_NOT_FOUND', 'POST', '/api/v1/deployments', { job: 'rest-web:1', host: 'ghost' }],
    [409, 'JOB_ALREADY_EXISTS', 'POST', '/api/v1/jobs', { job: job('rest-web') }],
    [409, 'JOB_ALREADY_DEPLOYED', 'POST', '/api/v1/deployments', { job: 'rest-web:1', host: 'rest-1' }],
    [409, 'STILL_IN_USE', 'DELETE', '/api/v1/jobs/rest-web:1', undefined],
    [400, 'INVALID_JOB_DEFINITION', 'POST', '/api/v1/jobs', { job: { id: 'BAD NAME:1', image: 'Upper/Case' } }],
    [400, 'INVALID_REQUEST', 'POST', '/api/v1/jobs', { job: 'not an object' }],
    [400, 'INVALID_REQUEST', 'POST', '/api/v1/deployments', { job: 'rest-web:1', host: 'rest-1', extra: true }],
    [400, 'INVALID_REQUEST', 'GET', '/api/v1/jobs?first=0', undefined],
    [503, 'UNAVAILABLE', 'GET', '/api/v1/jobs?atLeastSequence=1000000', undefined],
  ])('answers %i %s for %s %s', async (status, code, method, path, body) => {
    const answer = await stack.rest(method, path, body);
    expect(answer).toMatchObject({ status, body: { code, message: expect.any(String), details: expect.any(Object) } });
  });

  it('answers 403 FORBIDDEN for a wrong job token', async () => {
    await stack.rest('POST', '/api/v1/jobs', { job: job('rest-secret', { token: 's3cret' }) });
    await stack.rest('POST', '/api/v1/hosts', { host: 'rest-2', agentId: 'a-2' });
    const answer = await stack.rest('POST', '/api/v1/deployments', { job: 'rest-secret:1', host: 'rest-2', token: 'wrong' });
    expect(answer).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    const ok = await stack.rest('POST', '/api/v1/deployments', { job: 'rest-secret:1', host: 'rest-2', token: 's3cret' });
    expect(ok.status).toBe(201);
    expect((await stack.rest('DELETE', '/api/v1/deployments/rest-2/rest-secret:1?token=s3cret')).status).toBe(200);
    expect((await stack.rest('DELETE', '/api/v1/jobs/rest-secret:1?token=s3cret')).status).toBe(200);
  });

  it('serves an OpenAPI 3 document that lists exactly the REST routes', async () => {
    const { status, body } = await stack.rest('GET', '/api/v1/openapi.json');
    expect(status).toBe(200);
    expect(body['openapi']).toMatch(/^3\./);
    const paths = body['paths'] as Record<string, Record<string, unknown>>;
    const routes = Object.entries(paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual(
      [
        'GET /api/v1/jobs',
        'POST /api/v1/jobs',
        'GET /api/v1/jobs/{id}',
        'DELETE /api/v1/jobs/{id}',
        'GET /api/v1/jobs/{id}/history',
        'GET /api/v1/hosts',
        'POST /api/v1/hosts',
        'GET /api/v1/hosts/{name}',
        'DELETE /api/v1/hosts/{name}',
        'POST /api/v1/deployments',
        'DELETE /api/v1/deployments/{host}/{job}',
        'POST /api/v1/deployments/{host}/{job}/start',
        'POST /api/v1/deployments/{host}/{job}/stop',
        'GET /api/v1/events',
        'GET /api/v1/deployment-groups',
        'POST /api/v1/deployment-groups',
        'GET /api/v1/deployment-groups/{name}',
        'PUT /api/v1/deployment-groups/{name}',
        'DELETE /api/v1/deployment-groups/{name}',
        'GET /api/v1/deployment-groups/{name}/status',
        'POST /api/v1/deployment-groups/{name}/rolling-update',
        'POST /api/v1/deployment-groups/{name}/stop',
        'GET /api/v1/rollouts',
        'GET /api/v1/rollouts/{id}',
        'POST /api/v1/rollouts/{id}/promote',
        'POST /api/v1/rollouts/{id}/pause',
        'POST /api/v1/rollouts/{id}/resume',
        'POST /api/v1/rollouts/{id}/retry',
        'POST /api/v1/rollouts/{id}/fail',
        'POST /api/v1/rollouts/{id}/hosts/{host}/health',
        'GET /api/v1/schedulers',
        'GET /api/v1/version',
        'GET /api/v1/anomalies',
        'GET /api/v1/as-of/deployments',
        'GET /api/v1/as-of/jobs/{id}',
        'GET /api/v1/as-of/hosts/{name}',
        'DELETE /api/v1/pipelines/{service}',
        'GET /api/v1/pipelines',
        'GET /api/v1/pipelines/{service}',
        'PUT /api/v1/pipelines/{service}',
        'POST /api/v1/pipelines/{service}/validate',
        'GET /api/v1/releases',
        'GET /api/v1/releases/{id}',
        'POST /api/v1/releases',
        'POST /api/v1/releases/{id}/abandon',
        'POST /api/v1/releases/{id}/advance',
        'POST /api/v1/releases/{id}/complete',
        'POST /api/v1/releases/{id}/rollback',
        'POST /api/v1/releases/{id}/snooze',
        'POST /api/v1/gates/{service}/{gate}',
        'GET /api/v1/tokens',
        'POST /api/v1/tokens',
        'DELETE /api/v1/tokens/{subject}',
      ].sort(),
    );
    const jobsGet = paths['/api/v1/jobs']?.['get'] as { parameters: { name: string }[] };
    expect(jobsGet.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['pattern', 'first', 'after', 'atLeastSequence']));
  });

  it('lists the scheduler processes answering now (Helios masters) over REST and GraphQL, and the version', async () => {
    const rest = await stack.rest('GET', '/api/v1/schedulers');
    expect(rest.status).toBe(200);
    const items = rest.body['items'] as { role: string; health: string; pid: number }[];
    expect(items).toEqual([expect.objectContaining({ role: 'leader', health: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) })]);
    const gql = await stack.gql<{ schedulers: { role: string; pid: number }[]; version: string }>('{ schedulers { role pid } version }');
    expect(gql.data?.schedulers).toEqual([{ role: 'leader', pid: items[0]?.pid }]);
    expect(gql.data?.version).toBe(BERTH_VERSION);
    expect((await stack.rest('GET', '/api/v1/version')).body).toEqual({ version: BERTH_VERSION });
  });

  it('answers /healthz, /readyz and /metrics', async () => {
    expect((await stack.rest('GET', '/healthz')).status).toBe(200);
    expect((await stack.rest('GET', '/readyz')).status).toBe(200);
    const metrics = await stack.rest('GET', '/metrics');
    expect(metrics.body['text']).toMatch(/berth_gateway_read_model_sequence\{service="gateway"\} \d+/);
  });
});
