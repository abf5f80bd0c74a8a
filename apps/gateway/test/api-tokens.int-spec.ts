import { EVENTS_STREAM } from '@berth/contracts';
import { createLogger } from '@berth/service';
import { eventually } from '@berth/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { createGatewayApp } from '../src/app/create-gateway-app';
import { WS_UNAUTHENTICATED } from '../src/auth/graphql-auth';
import { collect, startStack, TEST_TOKENS, testAuthenticator, type Stack } from './harness';

/**
 * Tokens created by an admin: stored as events (only the hash), accepted by
 * the gateway as soon as its read model has them, refused once revoked.
 */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

const CREATE = 'mutation($subject: String!, $role: String!) { createApiToken(subject: $subject, role: $role) { token subject role sequence } }';

async function eventCount(): Promise<number> {
  const jsm = await jetstreamManager(stack.nc);
  return (await jsm.streams.info(EVENTS_STREAM)).state.messages;
}

/** Every event in BERTH_EVENTS, read from the stream itself, as text. */
async function streamText(): Promise<string> {
  const jsm = await jetstreamManager(stack.nc);
  const last = (await jsm.streams.info(EVENTS_STREAM)).state.last_seq;
  const texts: string[] = [];
  for (let seq = 1; seq <= last; seq++) {
    const message = await jsm.streams.getMessage(EVENTS_STREAM, { seq });
    if (message) texts.push(message.string());
  }
  return texts.join('\n');
}

describe('API tokens created by an admin', () => {
  it('a deploy token works with its subject as actor, only as far as its role allows, until it is revoked; the secret never reaches the stream', async () => {
    const created = await stack.gql<{ createApiToken: { token: string; subject: string; role: string; sequence: number } }>(CREATE, { subject: 'ci-bot', role: 'deploy' });
    expect(created.errors).toBeUndefined();
    const { token, sequence } = created.data?.createApiToken ?? { token: '', sequence: 0 };
    expect(created.data?.createApiToken).toMatchObject({ subject: 'ci-bot', role: 'deploy' });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    const bearer = { raw: `Bearer ${token}` };

    // read-your-writes: usable at once, on GraphQL and REST
    const who = await stack.gql<{ whoAmI: { subject: string; role: string } }>('{ whoAmI { subject role } }', {}, bearer);
    expect(who.data?.whoAmI).toEqual({ subject: 'ci-bot', role: 'deploy' });
    const job = await stack.rest('POST', '/api/v1/jobs', { job: { id: 'tok-web:1', image: 'local/busybox:1' } }, bearer);
    expect(job.status).toBe(201);
    const jobCreated = (await stack.gateway.readModel.log.select()).find((e) => e.type === 'JobCreated' && e.aggregateId.startsWith('tok-web:1'));
    expect(jobCreated?.actor).toBe('ci-bot');
    const host = await stack.rest('POST', '/api/v1/hosts', { host: 'tok-1', agentId: 'a-1' }, bearer);
    expect([host.status, host.body['code']]).toEqual([403, 'FORBIDDEN']);
    const mint = await stack.rest('POST', '/api/v1/tokens', { subject: 'sneaky', role: 'admin' }, bearer);
    expect([mint.status, mint.body['code']]).toEqual([403, 'FORBIDDEN']);

    // listed without hash or secret
    const listed = await stack.gql<{ apiTokens: { items: unknown[] } }>('query($s: Int) { apiTokens(atLeastSequence: $s) { items { subject role createdAt revoked revokedAt } } }', { s: sequence });
    expect(listed.data?.apiTokens.items).toEqual([{ subject: 'ci-bot', role: 'deploy', createdAt: expect.any(String), revoked: false, revokedAt: null }]);

    // the same subject again: refused, nothing written
    const before = await eventCount();
    const again = await stack.gql(CREATE, { subject: 'ci-bot', role: 'admin' });
    expect(again.errors?.[0]?.extensions?.code).toBe('API_TOKEN_ALREADY_EXISTS');
    const againRest = await stack.rest('POST', '/api/v1/tokens', { subject: 'ci-bot', role: 'read' });
    expect([againRest.status, againRest.body['code']]).toEqual([409, 'API_TOKEN_ALREADY_EXISTS']);
    // nor a second token for a subject of the tokens file
    const fileSubject = await stack.rest('POST', '/api/v1/tokens', { subject: TEST_TOKENS.read.subject, role: 'admin' });
    expect([fileSubject.status, fileSubject.body['code']]).toEqual([409, 'API_TOKEN_ALREADY_EXISTS']);
    expect(await eventCount()).toBe(before);

    // revoked: the very next request is refused
    const revoked = await stack.rest('DELETE', '/api/v1/tokens/ci-bot');
    expect(revoked.status).toBe(200);
    const after = await stack.rest('GET', '/api/v1/jobs', undefined, bearer);
    expect([after.status, after.body['code']]).toEqual([401, 'UNAUTHENTICATED']);
    const afterGql = await stack.gql('{ whoAmI { subject } }', {}, bearer);
    expect([afterGql.status, afterGql.errors?.[0]?.extensions?.code]).toEqual([401, 'UNAUTHENTICATED']);
    const twice = await stack.gql('mutation { revokeApiToken(subject: "ci-bot") { subject sequence } }');
    expect(twice.errors?.[0]?.extensions?.code).toBe('API_TOKEN_NOT_FOUND');
    const rows = await stack.rest('GET', '/api/v1/tokens');
    expect(rows.body['items']).toEqual([{ subject: 'ci-bot', role: 'deploy', createdAt: expect.any(String), revoked: true, revokedAt: expect.any(String) }]);

    const stream = await streamText();
    expect(stream).toContain('ApiTokenCreated');
    expect(stream).not.toContain(token);
  }, 30_000);

  it('a token created through one gateway replica is accepted by another, and refused there once revoked', async () => {
    const replica = await createGatewayApp({
      nats: `nats://${stack.nc.getServer()}`,
      port: 0,
      host: '127.0.0.1',
      actor: 'unauthenticated-actor',
      authenticator: testAuthenticator(),
      waitTimeoutMs: 500,
      logger: createLogger('gateway', 'silent'),
    });
    try {
      const created = await stack.gql<{ createApiToken: { token: string } }>(CREATE, { subject: 'replica-bot', role: 'read' });
      const token = created.data?.createApiToken.token ?? '';
      const statusOnReplica = async () => (await fetch(`${replica.url}/api/v1/jobs`, { headers: { authorization: `Bearer ${token}` } })).status;
      await eventually(async () => (await statusOnReplica()) === 200, { timeoutMs: 5000 });
      expect((await stack.rest('DELETE', '/api/v1/tokens/replica-bot')).status).toBe(200);
      await eventually(async () => (await statusOnReplica()) === 401, { timeoutMs: 5000 });
    } finally {
      await replica.close();
    }
  }, 30_000);

  it('graphql-ws: a connection whose token is revoked is closed (4401) at once, open subscriptions and all, and refused on reconnecting', async () => {
    const created = await stack.gql<{ createApiToken: { token: string } }>(CREATE, { subject: 'ws-bot', role: 'read' });
    const client = stack.wsClient({ raw: `Bearer ${created.data?.createApiToken.token ?? ''}` });
    let started: () => void = () => undefined;
    const live = new Promise<void>((resolve) => (started = resolve));
    const ended = new Promise<unknown>((resolve) =>
      client.subscribe({ query: 'subscription { hostStatus(name: "ws-host") { __typename } }' }, { next: () => started(), error: resolve, complete: () => resolve('complete') }),
    );
    await live;
    const first = collect<{ whoAmI: { subject: string } }>(client, '{ whoAmI { subject } }');
    expect(await first.next(1)).toEqual([{ whoAmI: { subject: 'ws-bot' } }]);
    expect((await stack.rest('DELETE', '/api/v1/tokens/ws-bot')).status).toBe(200);
    // the subscription ends without the client doing anything
    expect(await ended).toMatchObject({ code: WS_UNAUTHENTICATED, reason: expect.stringMatching(/^UNAUTHENTICATED/) });
    const refused = await new Promise<unknown>((resolve) => client.subscribe({ query: '{ whoAmI { subject } }' }, { next: resolve, error: resolve, complete: () => resolve('complete') }));
    expect(refused).toMatchObject({ code: WS_UNAUTHENTICATED, reason: expect.stringMatching(/^UNAUTHENTICATED/) });
  }, 30_000);
});
