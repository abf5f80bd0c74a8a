import { EVENTS_STREAM, ErrorCode, isErrorCode, MAX_REQUEST_BYTES, MAX_REQUEST_DEPTH } from '@berth/contracts';
import { jetstreamManager } from '@nats-io/jetstream';
import fc from 'fast-check';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startStack, TEST_TOKENS, type Stack } from './harness';

/**
 * 2,000 malformed GraphQL and REST requests against a real gateway, scheduler
 * and nats-server: deep nesting, bad labels, control characters, invalid
 * UTF-8, bodies that are not JSON and bodies over the size limit, with and
 * without a token. Every one must be refused with a structured Berth error
 * (never INTERNAL, never HTTP 500) and none may write an event.
 */
const REQUESTS = 2_000;
const SEED = 20261207;
const IN_FLIGHT = 16;
const GIVE_UP_AFTER = 50;

let stack: Stack;
/** what the gateway logs at error level or above: a refused request must log no stack trace */
const errorLogs: string[] = [];

beforeAll(async () => {
  const logs = new Writable({
    write(chunk: Buffer, _encoding, done) {
      errorLogs.push(chunk.toString('utf8'));
      done();
    },
  });
  stack = await startStack({ logger: pino({ level: 'error' }, logs) });
});

afterAll(async () => {
  await stack?.stop();
});

interface FuzzRequest {
  readonly kind: string;
  readonly api: 'graphql' | 'rest';
  readonly path: string;
  readonly withToken: boolean;
  /** built when sent, so that sampling stays cheap */
  readonly body: () => string | Uint8Array;
}

const REGISTER_HOST = 'mutation($host: String!, $agentId: String!, $labels: JSON, $info: JSON) { registerHost(host: $host, agentId: $agentId, labels: $labels, info: $info) { sequence } }';
const uniqueHost = fc.uuid().map((id) => `fuzz-${id}`);

/** n levels of arrays and objects around a scalar, as JSON or as a GraphQL literal (string repeats: this runs hundreds of times) */
function nested(depth: number, graphqlLiteral: boolean): string {
  const pairs = Math.ceil(depth / 2);
  return `${(graphqlLiteral ? '[{a:' : '[{"a":').repeat(pairs)}1${'}]'.repeat(pairs)}`;
}

const badLabels = fc.constantFrom<unknown>({ a: 1.5 }, { a: { b: 1 } }, null, ['a'], { '': 'x' }, { 'a b': 'x' }, { a: 'x\n' }, { a: true }, { role: ['web'] });
const control = fc.constantFrom('\n', '\r', '\t', '\u0000', '\u001b', '\u007f', '\u0085');
const INVALID_UTF8: readonly (readonly number[])[] = [[0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82]];

/** One request of a kind, sent as GraphQL (registerHost) or REST (POST /api/v1/hosts): the same fields either way. */
function hostRequest(kind: string, api: 'graphql' | 'rest', withToken: boolean, fields: () => Record<string, unknown>): FuzzRequest {
  return {
    kind,
    api,
    withToken,
    path: api === 'graphql' ? '/graphql' : '/api/v1/hosts',
    body: () => JSON.stringify(api === 'graphql' ? { query: REGISTER_HOST, variables: fields() } : fields()),
  };
}

function withInvalidUtf8(json: string, bytes: readonly number[]): Uint8Array {
  const [before = '', after = ''] = json.split('@@BAD@@');
  return new Uint8Array(Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]));
}

const api = fc.constantFrom('graphql' as const, 'rest' as const);

const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  // labels that are not string → string with selector-style keys
  { weight: 4, arbitrary: fc.tuple(api, uniqueHost, badLabels).map(([a, host, labels]) => hostRequest('bad labels', a, true, () => ({ host, agentId: host, labels }))) },
  // an agent id with a control character
  {
    weight: 3,
    arbitrary: fc.tuple(api, uniqueHost, control).map(([a, host, c]) => hostRequest('control character', a, true, () => ({ host, agentId: `agent${c}` }))),
  },
  // nesting past the limit in a JSON field, with or without a token
  {
    weight: 4,
    arbitrary: fc
      .tuple(api, uniqueHost, fc.oneof(fc.integer({ min: MAX_REQUEST_DEPTH + 1, max: 200 }), fc.integer({ min: 10_000, max: 50_000 })), fc.boolean())
      .map(([a, host, depth, withToken]) => {
        // spliced into the text: JSON.stringify itself overflows the stack on 10,000 levels
        const request = hostRequest('deep nesting', a, withToken, () => ({ host, agentId: host, info: '@@DEEP@@' }));
        return { ...request, body: () => (request.body() as string).replace('"@@DEEP@@"', nested(depth, false)) };
      }),
  },
  // nesting in a GraphQL literal inside the query text
  {
    weight: 2,
    arbitrary: fc.tuple(uniqueHost, fc.oneof(fc.integer({ min: MAX_REQUEST_DEPTH + 1, max: 200 }), fc.integer({ min: 10_000, max: 40_000 }))).map(([host, depth]) => ({
      kind: 'deep GraphQL literal',
      api: 'graphql' as const,
      withToken: true,
      path: '/graphql',
      body: () => JSON.stringify({ query: `mutation { registerHost(host: "${host}", agentId: "${host}", info: ${nested(depth, true)}) { sequence } }` }),
    })),
  },
  // invalid UTF-8 in a string field
  {
    weight: 3,
    arbitrary: fc.tuple(api, uniqueHost, fc.constantFrom(...INVALID_UTF8)).map(([a, host, bytes]) => {
      const request = hostRequest('invalid UTF-8', a, true, () => ({ host, agentId: 'x@@BAD@@', labels: { role: 'web' } }));
      return { ...request, body: () => withInvalidUtf8(request.body() as string, bytes) };
    }),
  },
  // bodies that are not JSON
  {
    weight: 2,
    arbitrary: fc.tuple(api, fc.string({ maxLength: 100 }), fc.boolean()).map(([a, text, withToken]) => ({
      kind: 'bad JSON',
      api: a,
      withToken,
      path: a === 'graphql' ? '/graphql' : '/api/v1/hosts',
      body: () => `{${text}`,
    })),
  },
  // bodies over the limit, with or without a token
  {
    weight: 1,
    arbitrary: fc
      .tuple(api, uniqueHost, fc.integer({ min: MAX_REQUEST_BYTES + 1, max: MAX_REQUEST_BYTES * 2 }), fc.boolean())
      .map(([a, host, size, withToken]) => hostRequest('huge body', a, withToken, () => ({ host, agentId: host, info: { blob: 'x'.repeat(size) } }))),
  },
);

interface Answer {
  readonly status: number;
  readonly code: unknown;
  readonly text: string;
}

async function send(url: string, r: FuzzRequest): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(r.withToken ? { authorization: `Bearer ${TEST_TOKENS.admin.token}` } : {}) };
  const res = await fetch(`${url}${r.path}`, { method: 'POST', headers, body: r.body() });
  const text = await res.text();
  const body = (text.startsWith('{') ? JSON.parse(text) : {}) as { code?: unknown; errors?: { extensions?: { code?: unknown } }[] };
  // a body-level refusal answers in the REST shape on /graphql too; GraphQL refusals carry extensions.code
  return { status: res.status, code: body.code ?? body.errors?.[0]?.extensions?.code, text };
}

const lastSequence = async (): Promise<number> => (await (await jetstreamManager(stack.nc)).streams.info(EVENTS_STREAM)).state.last_seq;

describe('fuzzed GraphQL and REST requests', () => {
  it(`refuses ${REQUESTS} malformed requests with structured errors (never INTERNAL or HTTP 500) and writes nothing`, async () => {
    const requests = fc.sample(fuzzRequest, { numRuns: REQUESTS, seed: SEED });
    const before = await lastSequence();
    const failures: string[] = [];
    const codes = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let i = next++; i < requests.length && failures.length < GIVE_UP_AFTER; i = next++) {
          const r = requests[i] as FuzzRequest;
          const answer = await send(stack.gateway.url, r).catch((err: unknown): Answer => ({ status: 0, code: undefined, text: `no answer: ${String(err)}` }));
          const key = `${r.kind} ${r.api}${r.withToken ? '' : ' (no token)'}: ${answer.status} ${String(answer.code)}`;
          codes.set(key, (codes.get(key) ?? 0) + 1);
          const refused = answer.status >= 200 && answer.status < 500 && isErrorCode(answer.code) && answer.code !== ErrorCode.INTERNAL;
          if (!refused) failures.push(`${key} → ${answer.text.slice(0, 300)}`);
        }
      }),
    );
    expect(failures.slice(0, 10)).toEqual([]);
    expect(failures).toHaveLength(0);
    const seen = (prefix: string): number => [...codes].filter(([key]) => key.startsWith(prefix)).reduce((sum, [, n]) => sum + n, 0);
    const count = (kind: string): number => requests.filter((r) => r.kind === kind).length;
    // the refusals this test is about have their own status and code, with or without a token
    for (const a of ['graphql', 'rest']) {
      expect(seen(`huge body ${a}: 413 ${ErrorCode.PAYLOAD_TOO_LARGE}`) + seen(`huge body ${a} (no token): 413 ${ErrorCode.PAYLOAD_TOO_LARGE}`)).toBe(requests.filter((r) => r.kind === 'huge body' && r.api === a).length);
    }
    expect(seen(`huge body graphql (no token)`)).toBeGreaterThan(0);
    expect(seen('deep nesting graphql: 400 INVALID_REQUEST') + seen('deep nesting rest: 400 INVALID_REQUEST') + seen('deep nesting graphql (no token): 400 INVALID_REQUEST') + seen('deep nesting rest (no token): 400 INVALID_REQUEST')).toBe(count('deep nesting'));
    expect(seen('invalid UTF-8 graphql: 400 INVALID_REQUEST') + seen('invalid UTF-8 rest: 400 INVALID_REQUEST')).toBe(count('invalid UTF-8'));
    expect(await lastSequence()).toBe(before);
    expect(errorLogs).toEqual([]);
    // and the gateway still serves a valid command
    expect((await stack.rest('POST', '/api/v1/hosts', { host: 'after-fuzz', agentId: 'a-1', labels: { role: 'web' } })).status).toBe(201);
    // its one append, behind the leader's fence message (apps/scheduler leader-fence.ts)
    expect(await lastSequence()).toBe(before + 2);
  }, 120_000);
});
