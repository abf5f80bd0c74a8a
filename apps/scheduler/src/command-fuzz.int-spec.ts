import { COMMAND_SUBJECT_PREFIX, EVENTS_STREAM, ErrorCode, MAX_REQUEST_DEPTH, SchedulerCommand, isErrorCode } from '@berth/contracts';
import { SchedulerClient } from '@berth/scheduler-client';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import fc from 'fast-check';
import { SchedulerTestEnv } from './testing/scheduler-test-env';

const REQUESTS = 10_000;
const SEED = 20260101;
const IN_FLIGHT = 64;
/** failures enough to show what broke: the run stops there instead of waiting out every timeout */
const GIVE_UP_AFTER = 50;

let env: SchedulerTestEnv;
let nc: NatsConnection;

beforeAll(async () => {
  env = await SchedulerTestEnv.start({ actor: 'fuzz-test' });
  ({ nc } = env);
});

afterAll(async () => {
  await env?.stop();
});

interface FuzzRequest {
  readonly kind: string;
  readonly subject: string;
  /** built when sent, so that sampling stays cheap */
  readonly payload: () => string | Uint8Array;
}

const known = Object.values(SchedulerCommand) as string[];
const command = fc.constantFrom(...known);
const subjectOf = (name: string): string => `${COMMAND_SUBJECT_PREFIX}.${name}`;
const token = fc.stringMatching(/^[a-z0-9_-]{1,12}$/);
const notAString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(token, fc.integer(), { maxKeys: 3 }));
/** a host name no other request uses, so that only the one bad field can refuse the request */
const uniqueHost = fc.uuid().map((id) => `fuzz-${id}`);
const registerHost = (fields: Record<string, unknown>, host: string): string =>
  JSON.stringify({ actor: 'fuzz', host, agentId: `agent-${host}`, ...fields });

/** n levels of nesting around a scalar: arrays, objects or both (string repeats: this runs thousands of times) */
function nested(depth: number, shape: 'array' | 'object' | 'mixed'): string {
  if (shape === 'array') return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
  if (shape === 'object') return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const pairs = Math.ceil(depth / 2);
  return `${'[{"a":'.repeat(pairs)}1${'}]'.repeat(pairs)}`;
}

/** label entries for huge bodies, made once */
const LABEL_ENTRIES = Array.from({ length: 75_000 }, (_, i) => `"k${i}":"v"`);

/** Labels that are not string → string with selector-style keys. */
const badLabels = fc.oneof(
  fc.constant<unknown>({ a: 1.5 }),
  fc.constant<unknown>({ a: { b: 1 } }),
  fc.constant<unknown>(null),
  fc.constant<unknown>(['a', 'b']),
  fc.constant<unknown>({ '': 'x' }),
  fc.constant<unknown>({ a: null }),
  fc.constant<unknown>({ a: true }),
  fc.constant<unknown>({ a: ['x'] }),
  fc.constantFrom('a b', 'a=b', 'a!=b', 'a\n', 'ü', '(a)', 'a,b').map((key): unknown => ({ [key]: 'x' })),
  fc.constantFrom('x\n', 'a\u0000b', '\u007f', 'x\u0085').map((value): unknown => ({ role: value })),
  fc.tuple(token, notAString).map(([key, value]): unknown => ({ ok: 'fine', [key]: value })),
);

const CONTROL = fc.constantFrom('\n', '\r', '\t', '\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u009f');

/** Bytes that are not UTF-8: stray continuation bytes, overlong forms, surrogates, truncated sequences, 0xFE/0xFF. */
const INVALID_UTF8: readonly (readonly number[])[] = [[0xff], [0xfe], [0x80], [0xc3, 0x28], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]];

function withInvalidUtf8(json: string, marker: string, bytes: readonly number[]): Uint8Array {
  const [before = '', after = ''] = json.split(marker);
  const head = Buffer.from(before, 'utf8');
  const tail = Buffer.from(after, 'utf8');
  return new Uint8Array(Buffer.concat([head, Buffer.from(bytes), tail]));
}

/**
 * Every generator yields a request that must be refused: none of them is valid
 * for any command. Huge requests are rarer so that the run stays short.
 */
const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  // unknown commands, including deeper subjects under berth.cmd.
  {
    weight: 5,
    arbitrary: fc
      .array(token, { minLength: 1, maxLength: 3 })
      .map((tokens) => tokens.join('.'))
      .filter((name) => !known.includes(name))
      .map((name) => ({ kind: 'unknown command', subject: subjectOf(name), payload: () => '{}' })),
  },
  // bytes that are not JSON
  {
    weight: 5,
    arbitrary: fc.tuple(command, fc.string({ maxLength: 200 })).map(([c, s]) => ({ kind: 'bad JSON', subject: subjectOf(c), payload: () => `{${s}` })),
  },
  // JSON that is not an object
  {
    weight: 5,
    arbitrary: fc
      .tuple(command, fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.anything(), { maxLength: 5 })))
      .map(([c, v]) => ({ kind: 'not an object', subject: subjectOf(c), payload: () => JSON.stringify(v) })),
  },
  // wrong types: `actor`, a string wherever it appears, is not one; the rest is random
  {
    weight: 10,
    arbitrary: fc
      .tuple(command, notAString, fc.dictionary(fc.constantFrom('job', 'host', 'token', 'goal', 'labels', 'selectors', 'pattern', 'status', 'agentId', 'extra'), fc.anything(), { maxKeys: 5 }))
      .map(([c, actor, rest]) => ({ kind: 'wrong types', subject: subjectOf(c), payload: () => JSON.stringify({ ...rest, actor }) })),
  },
  // deep nesting, from just past the limit to far past the depth that overflowed class-transformer's stack
  {
    weight: 10,
    arbitrary: fc
      .tuple(
        command,
        fc.oneof(fc.integer({ min: MAX_REQUEST_DEPTH + 1, max: 200 }), fc.integer({ min: 10_000, max: 60_000 })),
        fc.constantFrom('array', 'object', 'mixed' as const),
        fc.constantFrom('job', 'labels', 'info', 'options', 'window', 'extra'),
      )
      .map(([c, depth, shape, field]) => ({
        kind: 'deep nesting',
        subject: subjectOf(c),
        payload: () => `{"actor":"fuzz","host":"h1","agentId":"a1","name":"g","${field}":${nested(depth, shape)}}`,
      })),
  },
  // register-host, valid but for its labels
  {
    weight: 10,
    arbitrary: fc
      .tuple(uniqueHost, badLabels)
      .map(([host, labels]) => ({ kind: 'bad labels', subject: subjectOf(SchedulerCommand.REGISTER_HOST), payload: () => registerHost({ labels }, host) })),
  },
  // an actor or agent id with a control character, otherwise valid
  {
    weight: 10,
    arbitrary: fc.tuple(uniqueHost, token, CONTROL, fc.constantFrom('actor', 'agentId'), fc.boolean()).map(([host, name, control, field, atEnd]) => ({
      kind: 'control character',
      subject: subjectOf(SchedulerCommand.REGISTER_HOST),
      payload: () => registerHost({ [field]: atEnd ? `${name}${control}` : `${control}${name}` }, host),
    })),
  },
  // invalid UTF-8 inside a string of an otherwise valid register-host
  {
    weight: 10,
    arbitrary: fc.tuple(uniqueHost, fc.constantFrom(...INVALID_UTF8), fc.constantFrom('actor', 'agentId', 'label')).map(([host, bytes, field]) => {
      const fields = field === 'label' ? { labels: { role: 'x@@BAD@@' } } : { [field]: 'x@@BAD@@' };
      return { kind: 'invalid UTF-8', subject: subjectOf(SchedulerCommand.REGISTER_HOST), payload: () => withInvalidUtf8(registerHost(fields, host), '@@BAD@@', bytes) };
    }),
  },
  // huge strings, up to nearly the server's max payload (1 MiB)
  {
    weight: 3,
    arbitrary: fc
      .tuple(command, fc.oneof(fc.integer({ min: 300, max: 10_000 }), fc.integer({ min: 500_000, max: 1_040_000 })), fc.constantFrom('actor', 'job', 'host'))
      .map(([c, size, field]) => ({
        kind: 'huge string',
        subject: subjectOf(c),
        payload: () => JSON.stringify({ actor: 'fuzz', [field]: 'x'.repeat(size), ...(field === 'actor' ? {} : { correlationId: 'y'.repeat(200) }) }),
      })),
  },
  // huge bodies made of many small values (an otherwise valid register-host with 50,000+ labels)
  {
    weight: 1,
    arbitrary: fc.tuple(uniqueHost, fc.integer({ min: 50_000, max: 75_000 })).map(([host, count]) => ({
      kind: 'huge body',
      subject: subjectOf(SchedulerCommand.REGISTER_HOST),
      payload: () => registerHost({ labels: '@@LABELS@@' }, host).replace('"@@LABELS@@"', `{${LABEL_ENTRIES.slice(0, count).join(',')}}`),
    })),
  },
);

const lastSequence = async (): Promise<number> => (await (await jetstreamManager(nc)).streams.info(EVENTS_STREAM)).state.last_seq;

describe('fuzzed requests', () => {
  it(`answers ${REQUESTS} malformed requests with structured errors (never INTERNAL), writes nothing and keeps serving`, async () => {
    const client = new SchedulerClient(nc, { actor: 'fuzz' });
    // a live host (it heartbeats, so no DOWN event lands mid-run), for requests that name it
    await env.agents.register('h1', { role: 'fuzz' });
    const before = await lastSequence();
    const requests = fc.sample(fuzzRequest, { numRuns: REQUESTS, seed: SEED });
    const failures: string[] = [];
    const kinds = new Map<string, number>();
    const codes = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let i = next++; i < requests.length && failures.length < GIVE_UP_AFTER; i = next++) {
          const r = requests[i] as FuzzRequest;
          kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
          const payload = r.payload();
          const shown = (typeof payload === 'string' ? payload : Buffer.from(payload).toString('latin1')).slice(0, 160);
          const answer = await nc.request(r.subject, payload, { timeout: 10_000 }).then(
            (reply) => reply.string(),
            (err: unknown) => `no answer: ${String(err)}`,
          );
          const body = (answer.startsWith('{') ? JSON.parse(answer) : {}) as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
          const code = body.error?.code;
          codes.set(`${r.kind}: ${String(code)}`, (codes.get(`${r.kind}: ${String(code)}`) ?? 0) + 1);
          const refused = body.ok === false && isErrorCode(code) && code !== ErrorCode.INTERNAL && typeof body.error?.message === 'string';
          if (!refused) failures.push(`${r.kind} on ${r.subject}: ${shown} → ${answer.slice(0, 200)}`);
        }
      }),
    );
    expect(failures.slice(0, 10)).toEqual([]);
    expect(failures).toHaveLength(0);
    expect([...kinds.keys()].sort()).toEqual(['bad JSON', 'bad labels', 'control character', 'deep nesting', 'huge body', 'huge string', 'invalid UTF-8', 'not an object', 'unknown command', 'wrong types']);
    // the refusals that matter most have their own code, not a by-product of another check
    expect(codes.get(`deep nesting: ${ErrorCode.INVALID_REQUEST}`)).toBe(kinds.get('deep nesting'));
    expect(codes.get(`invalid UTF-8: ${ErrorCode.INVALID_REQUEST}`)).toBe(kinds.get('invalid UTF-8'));
    expect(codes.get(`huge body: ${ErrorCode.PAYLOAD_TOO_LARGE}`)).toBe(kinds.get('huge body'));
    // no refused request wrote anything
    expect(await lastSequence()).toBe(before);
    // still serving
    await expect(client.call(SchedulerCommand.CREATE_JOB, { job: { id: 'after-fuzz:1', image: 'local/busybox:1' } })).resolves.toMatchObject({
      jobId: expect.stringMatching(/^after-fuzz:1:/),
    });
    // its one append, behind the leader's fence message (leader-fence.ts)
    expect(await lastSequence()).toBe(before + 2);
  }, 90_000);
});
