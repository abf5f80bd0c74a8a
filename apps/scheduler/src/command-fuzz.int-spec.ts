import { COMMAND_SUBJECT_PREFIX, SchedulerCommand, isErrorCode } from '@berth/contracts';
import { SchedulerClient } from '@berth/scheduler-client';
import type { NatsConnection } from '@nats-io/transport-node';
import fc from 'fast-check';
import { SchedulerTestEnv } from './testing/scheduler-test-env';

const REQUESTS = 1_000;
const SEED = 20260101;
const IN_FLIGHT = 50;

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
  readonly payload: string;
}

const known = Object.values(SchedulerCommand) as string[];
const command = fc.constantFrom(...known);
const token = fc.stringMatching(/^[a-z0-9_-]{1,12}$/);
const notAString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(token, fc.integer(), { maxKeys: 3 }));

/** Every generator yields a request that must be refused: none of them is valid for any command. */
const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  // unknown commands, including deeper subjects under berth.cmd.
  fc
    .array(token, { minLength: 1, maxLength: 3 })
    .map((tokens) => tokens.join('.'))
    .filter((name) => !known.includes(name))
    .map((name) => ({ kind: 'unknown command', subject: `${COMMAND_SUBJECT_PREFIX}.${name}`, payload: '{}' })),
  // bytes that are not JSON
  fc
    .tuple(command, fc.string({ maxLength: 200 }))
    .map(([c, s]) => ({ kind: 'bad JSON', subject: `${COMMAND_SUBJECT_PREFIX}.${c}`, payload: `{${s}` })),
  // JSON that is not an object
  fc
    .tuple(command, fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.anything(), { maxLength: 5 })))
    .map(([c, v]) => ({ kind: 'not an object', subject: `${COMMAND_SUBJECT_PREFIX}.${c}`, payload: JSON.stringify(v) })),
  // wrong types: `actor`, a string wherever it appears, is not one; the rest is random
  fc
    .tuple(command, notAString, fc.dictionary(fc.constantFrom('job', 'host', 'token', 'goal', 'labels', 'selectors', 'pattern', 'status', 'agentId', 'extra'), fc.anything(), { maxKeys: 5 }))
    .map(([c, actor, rest]) => ({ kind: 'wrong types', subject: `${COMMAND_SUBJECT_PREFIX}.${c}`, payload: JSON.stringify({ ...rest, actor }) })),
  // huge strings, up to nearly the server's max payload (1 MiB)
  fc
    .tuple(command, fc.oneof(fc.integer({ min: 300, max: 10_000 }), fc.integer({ min: 500_000, max: 1_040_000 })), fc.constantFrom('actor', 'job', 'host'))
    .map(([c, size, field]) => ({
      kind: 'huge string',
      subject: `${COMMAND_SUBJECT_PREFIX}.${c}`,
      payload: JSON.stringify({ actor: 'fuzz', [field]: 'x'.repeat(size), ...(field === 'actor' ? {} : { correlationId: 'y'.repeat(200) }) }),
    })),
);

const eventCount = (): Promise<number> => env.eventCount();

describe('fuzzed requests', () => {
  it(`answers ${REQUESTS} malformed requests with structured errors, writes nothing and keeps serving`, async () => {
    const client = new SchedulerClient(nc, { actor: 'fuzz' });
    await client.call(SchedulerCommand.REGISTER_HOST, { host: 'h1', agentId: 'a1' });
    const before = await eventCount();
    const requests = fc.sample(fuzzRequest, { numRuns: REQUESTS, seed: SEED });
    const failures: string[] = [];
    const kinds = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let i = next++; i < requests.length; i = next++) {
          const r = requests[i] as FuzzRequest;
          kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
          const reply = await nc.request(r.subject, r.payload, { timeout: 10_000 });
          const body = JSON.parse(reply.string()) as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
          const structured = body.ok === false && isErrorCode(body.error?.code) && typeof body.error?.message === 'string';
          if (!structured) failures.push(`${r.kind} on ${r.subject}: ${r.payload.slice(0, 200)} → ${reply.string().slice(0, 200)}`);
        }
      }),
    );
    expect(failures).toEqual([]);
    expect([...kinds.keys()].sort()).toEqual(['bad JSON', 'huge string', 'not an object', 'unknown command', 'wrong types']);
    expect(await eventCount()).toBe(before);
    // still serving
    await expect(client.call(SchedulerCommand.CREATE_JOB, { job: { id: 'after-fuzz:1', image: 'local/busybox:1' } })).resolves.toMatchObject({
      jobId: expect.stringMatching(/^after-fuzz:1:/),
    });
    expect(await eventCount()).toBe(before + 1);
  }, 30_000);
});
