import { API_ROLES, ApiRole, roleAllows } from '@berth/contracts';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { GRAPHQL_RESOLVERS, REST_CONTROLLERS } from '../src/app/gateway.module';
import { declaredAccess, type AccessLevel } from '../src/auth/access.decorator';
import { WS_UNAUTHENTICATED } from '../src/auth/graphql-auth';
import { collect, startStack, TEST_TOKENS, type Credential, type GraphQLAnswer, type Stack } from './harness';

/**
 * The auth matrix, generated from the one declaration (`@Access` on the
 * resolvers and controllers): every GraphQL operation and REST route ×
 * no token, an unknown token and each role. A role that is too weak gets
 * 403 FORBIDDEN and writes nothing; a strong enough one gets past auth (its
 * answer may still be a domain error: the dummy arguments name nothing).
 */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

type OperationKind = 'Query' | 'Mutation' | 'Subscription';

interface Operation {
  readonly kind: OperationKind;
  readonly field: string;
  readonly access: AccessLevel;
}

/** Every GraphQL operation with the access its resolver declares (Nest's own resolver metadata names the field). */
function graphqlOperations(): Operation[] {
  return GRAPHQL_RESOLVERS.flatMap((cls) =>
    Object.getOwnPropertyNames(cls.prototype).flatMap((method): Operation[] => {
      const handler = (cls.prototype as unknown as Record<string, unknown>)[method];
      if (typeof handler !== 'function') return [];
      const kind = Reflect.getMetadata('graphql:resolver_type', handler) as OperationKind | undefined;
      if (kind !== 'Query' && kind !== 'Mutation' && kind !== 'Subscription') return [];
      const field = (Reflect.getMetadata('graphql:resolver_name', handler) as string | undefined) ?? method;
      return [{ kind, field, access: declaredAccess(cls, method) }];
    }),
  );
}

interface Route {
  readonly method: string;
  readonly path: string;
  readonly access: AccessLevel;
}

function restRoutes(): Route[] {
  return REST_CONTROLLERS.flatMap((cls) => {
    const base = (Reflect.getMetadata(PATH_METADATA, cls) as string | undefined) ?? '';
    return Object.getOwnPropertyNames(cls.prototype).flatMap((method): Route[] => {
      const handler = (cls.prototype as unknown as Record<string, unknown>)[method];
      if (typeof handler !== 'function' || method === 'constructor') return [];
      const verb = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (verb === undefined || path === undefined) return [];
      const full = `/${[base, path].filter((p) => p !== '' && p !== '/').join('/')}`.replace(/:[A-Za-z]+/g, 'auth-matrix');
      return [{ method: RequestMethod[verb], path: full, access: declaredAccess(cls, method) }];
    });
  });
}

// --- dummy arguments from the schema, so new operations are covered without touching this test ---

interface TypeRef {
  readonly kind: string;
  readonly name: string | null;
  readonly ofType: TypeRef | null;
}
interface InputValue {
  readonly name: string;
  readonly type: TypeRef;
}
interface SchemaType {
  readonly kind: string;
  readonly name: string;
  readonly fields: { name: string; args: InputValue[]; type: TypeRef }[] | null;
  readonly inputFields: InputValue[] | null;
  readonly enumValues: { name: string }[] | null;
}

const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }';
const INTROSPECTION = `{ __schema { types { kind name fields { name type { ${TYPE_REF} } args { name type { ${TYPE_REF} } } } inputFields { name type { ${TYPE_REF} } } enumValues { name } } } }`;

let types: Map<string, SchemaType>;

async function schemaTypes(): Promise<Map<string, SchemaType>> {
  const answer = await stack.gql<{ __schema: { types: SchemaType[] } }>(INTROSPECTION);
  expect(answer.errors).toBeUndefined();
  return new Map((answer.data?.__schema.types ?? []).map((t) => [t.name, t]));
}

function literal(type: TypeRef): string {
  if (type.kind === 'NON_NULL') return literal(type.ofType as TypeRef);
  if (type.kind === 'LIST') return `[${literal(type.ofType as TypeRef)}]`;
  const named = types.get(type.name ?? '');
  if (named?.kind === 'ENUM') return named.enumValues?.[0]?.name ?? 'null';
  if (named?.kind === 'INPUT_OBJECT') return `{ ${requiredArgs(named.inputFields ?? [])} }`;
  switch (type.name) {
    case 'Int':
    case 'Float':
      return '1';
    case 'Boolean':
      return 'true';
    case 'JSON':
      return '{}';
    default:
      return '"auth-matrix"';
  }
}

function requiredArgs(args: readonly InputValue[]): string {
  return args
    .filter((a) => a.type.kind === 'NON_NULL')
    .map((a) => `${a.name}: ${literal(a.type)}`)
    .join(', ');
}

function namedType(type: TypeRef): SchemaType | undefined {
  return type.kind === 'NON_NULL' || type.kind === 'LIST' ? namedType(type.ofType as TypeRef) : types.get(type.name ?? '');
}

/** The smallest valid document calling one root field. */
function documentFor(op: Operation): string {
  const field = types.get(op.kind)?.fields?.find((f) => f.name === op.field);
  if (!field) throw new Error(`${op.kind}.${op.field} is declared by a resolver but not in the schema`);
  const args = requiredArgs(field.args);
  const selection = namedType(field.type)?.kind === 'OBJECT' ? ' { __typename }' : '';
  return `${op.kind.toLowerCase()} { ${op.field}${args ? `(${args})` : ''}${selection} }`;
}

const CREDENTIALS: readonly { readonly name: string; readonly credential: Credential }[] = [
  { name: 'no token', credential: null },
  { name: 'an unknown token', credential: { raw: 'Bearer not-a-known-token-123456' } },
  { name: 'a malformed header', credential: { raw: TEST_TOKENS.admin.token } },
  ...API_ROLES.map((role) => ({ name: `the ${role} token`, credential: role })),
];

function expectedOutcome(access: AccessLevel, credential: Credential): 'allowed' | 401 | 403 {
  if (access === 'public') return 'allowed';
  if (credential === null || typeof credential === 'object') return 401;
  return roleAllows(credential, access) ? 'allowed' : 403;
}

function codeOf(answer: GraphQLAnswer): string | undefined {
  return answer.errors?.[0]?.extensions?.code;
}

describe('the role declarations', () => {
  beforeAll(async () => {
    types = await schemaTypes();
  });

  it('cover exactly the schema: every query, mutation and subscription field has one declared access', () => {
    for (const kind of ['Query', 'Mutation', 'Subscription'] as const) {
      const inSchema = (types.get(kind)?.fields ?? []).map((f) => f.name).sort();
      const declared = graphqlOperations()
        .filter((op) => op.kind === kind)
        .map((op) => op.field)
        .sort();
      expect(declared).toEqual(inSchema);
    }
  });

  it('give reads to read (API tokens to admin only), changes to deploy, and hosts/group definitions/tokens to admin', () => {
    const ops = graphqlOperations();
    const reads = Object.fromEntries(ops.filter((op) => op.kind !== 'Mutation').map((op) => [op.field, op.access]));
    expect(Object.entries(reads).filter(([, access]) => access !== ApiRole.READ)).toEqual([['apiTokens', ApiRole.ADMIN]]);
    const access = Object.fromEntries(ops.filter((op) => op.kind === 'Mutation').map((op) => [op.field, op.access]));
    expect(access).toMatchObject({ createJob: 'deploy', deploy: 'deploy', rollingUpdate: 'deploy', registerHost: 'admin', createDeploymentGroup: 'admin', createApiToken: 'admin', revokeApiToken: 'admin' });
    expect(restRoutes().filter((r) => r.access === 'public').map((r) => r.path).sort()).toEqual(['/api/v1/openapi.json', '/healthz', '/metrics', '/readyz']);
    expect(restRoutes().filter((r) => r.path.startsWith('/api/v1/tokens')).every((r) => r.access === ApiRole.ADMIN)).toBe(true);
  });
});

describe('GraphQL over HTTP: every query and mutation × every credential', () => {
  beforeAll(async () => {
    types ??= await schemaTypes();
  });

  const cases = () => graphqlOperations().filter((op) => op.kind !== 'Subscription');

  it('answers 401 UNAUTHENTICATED, 403 FORBIDDEN, or lets the call through, as declared; refused calls write nothing', async () => {
    const ops = cases();
    expect(ops.length).toBeGreaterThan(20);
    const failures: string[] = [];
    for (const op of ops) {
      const document = documentFor(op);
      for (const { name, credential } of CREDENTIALS) {
        const expected = expectedOutcome(op.access, credential);
        const before = stack.gateway.readModel.sequence;
        const answer = await stack.gql(document, {}, credential);
        const code = codeOf(answer);
        const outcome = expected === 'allowed' ? code !== 'UNAUTHENTICATED' && code !== 'FORBIDDEN' && answer.status < 400 : answer.status === expected && code === (expected === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN');
        if (expected !== 'allowed' && stack.gateway.readModel.sequence !== before) failures.push(`${op.field} with ${name}: refused but the stream moved`);
        if (!outcome) failures.push(`${op.kind}.${op.field} (${op.access}) with ${name}: expected ${expected}, got HTTP ${answer.status} ${code ?? 'no error'}: ${answer.errors?.[0]?.message ?? ''}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('needs a token even for introspection', async () => {
    const answer = await stack.gql('{ __typename }', {}, null);
    expect(answer.status).toBe(401);
    expect(codeOf(answer)).toBe('UNAUTHENTICATED');
  });
});

describe('REST: every route × every credential', () => {
  it('answers 401, 403 or lets the call through, as declared; /healthz and /readyz stay open', async () => {
    const routes = restRoutes();
    expect(routes.length).toBeGreaterThan(25);
    const failures: string[] = [];
    for (const route of routes) {
      for (const { name, credential } of CREDENTIALS) {
        const expected = expectedOutcome(route.access, credential);
        const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
        const answer = await stack.rest(route.method, route.path, body, credential);
        const code = answer.body['code'];
        const ok = expected === 'allowed' ? answer.status !== 401 && answer.status !== 403 : answer.status === expected && code === (expected === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN');
        if (!ok) failures.push(`${route.method} ${route.path} (${route.access}) with ${name}: expected ${expected}, got ${answer.status} ${String(code)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('the actor of every event is the subject of the token', () => {
  it('over GraphQL and REST', async () => {
    const created = await stack.gql<{ createJob: { jobId: string } }>('mutation($job: JSON!) { createJob(job: $job) { jobId } }', { job: { id: 'actor-gql:1', image: 'local/busybox:1' } }, ApiRole.DEPLOY);
    expect(created.errors).toBeUndefined();
    const registered = await stack.rest('POST', '/api/v1/hosts', { host: 'actor-host', agentId: 'actor-host' }, ApiRole.ADMIN);
    expect(registered.status).toBe(201);
    const deployed = await stack.rest('POST', '/api/v1/deployments', { job: 'actor-gql:1', host: 'actor-host' }, ApiRole.DEPLOY);
    expect(deployed.status).toBe(201);

    const events = await stack.gateway.readModel.log.select();
    const jobEvents = events.filter((e) => e.aggregateId === created.data?.createJob.jobId);
    const hostEvents = events.filter((e) => e.aggregate === 'host' && e.aggregateId === 'actor-host');
    const deploymentEvents = events.filter((e) => e.sequence === deployed.body['sequence']);
    expect(jobEvents.length).toBeGreaterThan(0);
    expect(jobEvents.every((e) => e.actor === TEST_TOKENS.deploy.subject)).toBe(true);
    expect(hostEvents.map((e) => e.actor)).toContain(TEST_TOKENS.admin.subject);
    expect(deploymentEvents.length).toBeGreaterThan(0);
    expect(deploymentEvents.every((e) => e.actor === TEST_TOKENS.deploy.subject)).toBe(true);
  });
});

describe("undeploying a group's deployment without naming the group (overrideGroup)", () => {
  it('is refused to a deploy token and allowed to an admin, over GraphQL and REST', async () => {
    expect((await stack.gql('mutation($job: JSON!) { createJob(job: $job) { jobId } }', { job: { id: 'override:1', image: 'local/busybox:1' } }, ApiRole.DEPLOY)).errors).toBeUndefined();
    expect((await stack.rest('POST', '/api/v1/hosts', { host: 'override-host', agentId: 'override-host' }, ApiRole.ADMIN)).status).toBe(201);
    expect((await stack.rest('POST', '/api/v1/deployments', { job: 'override:1', host: 'override-host' }, ApiRole.DEPLOY)).status).toBe(201);

    const mutation = 'mutation { undeploy(job: "override:1", host: "override-host", overrideGroup: true) { status } }';
    const refused = await stack.gql(mutation, {}, ApiRole.DEPLOY);
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(await stack.rest('DELETE', '/api/v1/deployments/override-host/override:1?overrideGroup=true', undefined, ApiRole.DEPLOY)).toMatchObject({ status: 403 });
    const allowed = await stack.gql<{ undeploy: { status: string } }>(mutation, {}, ApiRole.ADMIN);
    expect(allowed.data?.undeploy.status).toBe('UNDEPLOYED');
  });
});

describe('whoAmI', () => {
  it.each(API_ROLES)("names the %s token's subject and role", async (role) => {
    const answer = await stack.gql<{ whoAmI: { subject: string; role: string } }>('{ whoAmI { subject role } }', {}, role);
    expect(answer.data?.whoAmI).toEqual({ subject: TEST_TOKENS[role].subject, role });
  });
});

describe('graphql-ws: the token is a connection parameter', () => {
  const closeCodeOf = (credential: Credential) =>
    new Promise<number>((resolve) => {
      const params = credential === null ? {} : { authorization: typeof credential === 'string' ? `Bearer ${TEST_TOKENS[credential].token}` : credential.raw };
      const client = createClient({ url: `${stack.gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, onNonLazyError: () => undefined, connectionParams: params, on: { closed: (e) => resolve((e as { code: number }).code) } });
      client.on('connected', () => {
        resolve(0);
        void client.dispose();
      });
    });

  it('rejects the connection without a token or with an unknown one (4401)', async () => {
    expect(await closeCodeOf(null)).toBe(WS_UNAUTHENTICATED);
    expect(await closeCodeOf({ raw: 'Bearer not-a-known-token-123456' })).toBe(WS_UNAUTHENTICATED);
  });

  it('lets a read token subscribe', async () => {
    expect(await closeCodeOf(ApiRole.READ)).toBe(0);
    const hosts = collect<{ hostStatus: { host: string } }>(stack.wsClient(ApiRole.READ), 'subscription { hostStatus(name: "actor-host") { __typename } }');
    await hosts.next(1);
    hosts.unsubscribe();
  });
});
