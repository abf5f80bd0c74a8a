import { SchedulerCommand } from '@berth/contracts';
import { JetStreamEventStore } from '@berth/event-store';
import { SchedulerClient } from '@berth/scheduler-client';
import { startNatsServer, type NatsServer, type ServiceProcess } from '@berth/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startLeaderAndStandby } from './testing/scheduler-processes';

/*
 * A leader paused past its lease (GC, SIGSTOP, a slow disk) must not write when
 * it resumes. Commands are served by a queue group, so while the old leader is
 * stopped nats-server keeps handing it some of them; it finds them in its socket
 * when it resumes, decides on a projection that misses everything the new leader
 * did, and (a create-job of a new name conflicts with no aggregate version) would
 * store them. Every leader append carries its term, so those appends are refused.
 */
const LEASE_TTL_S = 1.5;
const REQUESTS_WHILE_PAUSED = 30;

let nats: NatsServer;
let nc: NatsConnection;
const schedulers: ServiceProcess[] = [];
let paused: ServiceProcess | undefined;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
});

afterAll(async () => {
  await nc?.close();
  // a test that failed half-way may leave one stopped: it must be able to exit
  if (paused) process.kill(paused.pid, 'SIGCONT');
  for (const s of schedulers) await s.stop();
  await nats?.stop();
});

const createJob = (client: SchedulerClient, name: string, timeoutMs: number) =>
  client.request(SchedulerCommand.CREATE_JOB, { correlationId: name, job: { id: `${name}:1`, image: 'local/busybox:1' } }, { timeoutMs });

describe('a scheduler paused past its lease', () => {
  it('writes nothing after it resumes: the standby took over, and every append of the old term is refused', async () => {
    const { leader: a, standby: b } = await startLeaderAndStandby(nats.url, LEASE_TTL_S);
    schedulers.push(a, b);
    const client = new SchedulerClient(nc, { actor: 'fencing-test' });
    expect(await createJob(client, 'before', 5_000)).toMatchObject({ ok: true });

    process.kill(a.pid, 'SIGSTOP');
    paused = a;
    await b.waitForOutput(/serving as leader/, (LEASE_TTL_S + 10) * 1000);

    // the queue group hands some of these to the paused process: they time out here, and wait in its socket
    const answered: string[] = [];
    const unanswered: string[] = [];
    // the new leader acts
    for (let i = 0; answered.length === 0; i++) {
      const name = `new-leader-${i}`;
      const response = await createJob(client, name, 1_000);
      (response.ok ? answered : unanswered).push(name);
    }
    await Promise.all(
      Array.from({ length: REQUESTS_WHILE_PAUSED }, async (_, i) => {
        const name = `while-paused-${i}`;
        const response = await createJob(client, name, 1_000);
        if (response.ok) answered.push(name);
        else unanswered.push(name);
      }),
    );
    expect(unanswered.length).toBeGreaterThan(0);

    process.kill(a.pid, 'SIGCONT');
    paused = undefined;
    await a.waitForOutput(/leader lease lost/, 20_000);
    // a clean stop waits for the commands it is serving: after it, the old leader can write nothing more
    await a.stop();

    const store = await JetStreamEventStore.connect({ nc });
    const created: string[] = [];
    for await (const e of store.readAll()) if (e.type === 'JobCreated') created.push(e.correlationId);
    await store.close();
    for (const name of ['before', ...answered]) expect(created.filter((c) => c === name)).toHaveLength(1);
    // none of what the paused leader found on resuming was stored
    expect(created.filter((c) => unanswered.includes(c))).toEqual([]);
  }, 60_000);
});
