import { EVENTS_STREAM, SchedulerCommand } from '@berth/contracts';
import { SchedulerClient } from '@berth/scheduler-client';
import { startNatsServer, type NatsServer } from '@berth/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { loadSchedulerConfig } from './config';
import { startScheduler, type RunningScheduler } from './scheduler';
import { silentLogger } from './testing/in-memory-scheduler';

let nats: NatsServer;
let scheduler: RunningScheduler;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNatsServer();
  scheduler = await startScheduler(loadSchedulerConfig(['--nats', nats.url, '--http-port', '0'], {}), silentLogger);
  nc = await connect({ servers: nats.url });
});

afterAll(async () => {
  await nc?.drain();
  await scheduler?.stop();
  await nats?.stop();
});

async function eventCount(): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info(EVENTS_STREAM)).state.messages;
}

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
