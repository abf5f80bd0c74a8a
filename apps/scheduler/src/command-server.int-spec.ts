import { ErrorCode, ListJobsRequest, SchedulerCommand } from '@berth/contracts';
import { SchedulerClient } from '@berth/scheduler-client';
import { createLogger } from '@berth/service';
import { useNatsServer } from '@berth/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { CommandServer, route } from './command-server';

describe('CommandServer', () => {
  const nats = useNatsServer({ extraConfig: 'max_payload: 65536' });
  let nc: NatsConnection;
  let server: CommandServer;
  let size = 0;

  beforeAll(async () => {
    nc = await connect({ servers: nats.url });
    server = new CommandServer(nc, createLogger('scheduler', 'silent'));
    server.register(route(SchedulerCommand.LIST_JOBS, ListJobsRequest, async () => ({ text: 'x'.repeat(size) })));
    server.start();
    await nc.flush();
  });

  afterAll(async () => {
    await server.stop();
    await nc.close();
  });

  it('answers INTERNAL with the sizes when the answer exceeds max_payload, and keeps serving', async () => {
    const client = new SchedulerClient(nc, { actor: 'test' });
    size = 100_000;
    const tooLarge = await client.request(SchedulerCommand.LIST_JOBS, {});
    expect(tooLarge).toMatchObject({ ok: false, error: { code: ErrorCode.INTERNAL, details: { limit: 65_536, succeeded: true } } });
    size = 10;
    expect(await client.request(SchedulerCommand.LIST_JOBS, {})).toEqual({ ok: true, result: { text: 'x'.repeat(10) } });
  });
});
