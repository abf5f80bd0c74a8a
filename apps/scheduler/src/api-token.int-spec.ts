import { SchedulerCommand } from '@berth/contracts';
import { SchedulerClient } from '@berth/scheduler-client';
import type { NatsConnection } from '@nats-io/transport-node';
import { SchedulerTestEnv } from './testing/scheduler-test-env';

let env: SchedulerTestEnv;
let nc: NatsConnection;

beforeAll(async () => {
  env = await SchedulerTestEnv.start({ actor: 'api-token-test' });
  ({ nc } = env);
});

afterAll(async () => {
  await env?.stop();
});

const eventCount = (): Promise<number> => env.eventCount();

describe('create-api-token / revoke-api-token', () => {
  it('records a token by its hash, refuses a second one for the subject, revokes it once', async () => {
    const client = new SchedulerClient(nc, { actor: 'root' });
    const tokenSha256 = 'c'.repeat(64);
    await expect(client.call(SchedulerCommand.CREATE_API_TOKEN, { subject: 'ci-bot', role: 'deploy', tokenSha256 })).resolves.toMatchObject({
      subject: 'ci-bot',
      role: 'deploy',
      createdAt: expect.any(String),
      sequence: expect.any(Number),
    });
    const before = await eventCount();
    await expect(client.call(SchedulerCommand.CREATE_API_TOKEN, { subject: 'ci-bot', role: 'admin', tokenSha256: 'd'.repeat(64) })).rejects.toMatchObject({ code: 'API_TOKEN_ALREADY_EXISTS' });
    await expect(client.call(SchedulerCommand.CREATE_API_TOKEN, { subject: 'x', role: 'root', tokenSha256 })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(client.call(SchedulerCommand.CREATE_API_TOKEN, { subject: ' x', role: 'read', tokenSha256 })).rejects.toMatchObject({ code: 'INVALID_API_TOKEN' });
    expect(await eventCount()).toBe(before);
    await expect(client.call(SchedulerCommand.REVOKE_API_TOKEN, { subject: 'ci-bot' })).resolves.toMatchObject({ subject: 'ci-bot', revoked: true });
    await expect(client.call(SchedulerCommand.REVOKE_API_TOKEN, { subject: 'ci-bot' })).rejects.toMatchObject({ code: 'API_TOKEN_NOT_FOUND' });
    expect(await eventCount()).toBe(before + 1);
  }, 30_000);
});
