import { JetStreamEventStore } from '@berth/event-store';
import { FakeAgents, eventually } from '@berth/testing';
import { GatewayReadModel } from '../src/read-model/gateway-read-model';
import { ReadService } from '../src/read-model/read.service';
import { startStack, type Stack } from './harness';

/**
 * The read model is a pure function of the stream: after a scenario driven
 * through the gateway (jobs, hosts, deployments, a group rolled out, an
 * undeploy, a removal), a fresh read model folded from BERTH_EVENTS from
 * sequence 1 equals the live one — projection state, event log, job
 * histories and every query answer.
 */
let stack: Stack;
let agents: FakeAgents;
const HOSTS = ['rb-1', 'rb-2', 'rb-3'];

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const answer = await stack.gql<T>(query, variables);
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  return answer.data as T;
}

const job = (id: string) => ({ id, image: 'local/busybox:1', command: ['sleep', '300'] });

beforeAll(async () => {
  stack = await startStack();
  agents = new FakeAgents(stack.nc);
  for (const host of HOSTS) await agents.register(host, { role: 'rebuild' });
});

afterAll(async () => {
  agents?.stop();
  await stack?.stop();
});

/** Everything the gateway answers from its read model, as plain data. */
function answers(model: GatewayReadModel) {
  const reads = new ReadService(model, 1_000);
  const jobs = reads.views.jobs();
  return {
    jobs,
    hosts: reads.views.hosts(),
    histories: jobs.map((j) => model.history(j.id)),
    groups: reads.groups.groups(),
    groupStatus: reads.groups.groups().map((g) => reads.groups.status(g.name)),
    rollouts: reads.groups.rollouts().map((r) => reads.groups.rollout(r.rolloutId)),
    batches: reads.groups.rollouts().flatMap((r) => HOSTS.map((h) => model.rolloutBatches.batchOf(r.rolloutId, h) ?? null)),
  };
}

it('a read model rebuilt from the stream equals the live one', async () => {
  const mutate = 'mutation($job: JSON!) { createJob(job: $job) { jobId } }';
  await gql(mutate, { job: job('rb-solo:1') });
  await gql(mutate, { job: job('rb-app:1') });
  await gql('mutation { deploy(job: "rb-solo:1", host: "rb-1") { sequence } }');
  await gql('mutation { createDeploymentGroup(name: "rb-group", selectors: ["role=rebuild"]) { sequence } }');
  const started = await gql<{ rollingUpdate: { rolloutId: string } }>('mutation { rollingUpdate(group: "rb-group", job: "rb-app:1", options: { parallelism: 2 }) { rolloutId } }');
  const rolloutId = started.rollingUpdate.rolloutId;
  await eventually(async () => (await gql<{ rollout: { rollout: { status: string } } }>(`{ rollout(id: "${rolloutId}") { rollout { status } } }`)).rollout.rollout.status === 'SUCCEEDED', { timeoutMs: 30_000 });
  await gql('mutation { undeploy(job: "rb-solo:1", host: "rb-1") { sequence } }');
  await gql('mutation { removeJob(job: "rb-solo:1") { sequence } }');
  agents.stop();

  const live = stack.gateway.readModel;
  const store = await JetStreamEventStore.connect({ nc: stack.nc });
  // a fresh model that keeps only 5 events whole in memory reads the rest back from the stream
  const fresh = new GatewayReadModel({ memoryEvents: 5 });
  try {
    await fresh.follow(store);
    // the live model may still be folding the last appends: both end at the stream's last sequence
    await eventually(async () => fresh.sequence === live.sequence && fresh.position === live.position, { timeoutMs: 10_000 });

    const liveEvents = await live.log.select();
    expect(liveEvents.length).toBeGreaterThan(15);
    expect(answers(live).rollouts).toHaveLength(1);
    expect(fresh.log.oldestInMemory).toBe(live.position - 4);
    expect(await fresh.log.select()).toEqual(liveEvents);
    expect(fresh.projection.toSnapshot()).toEqual(live.projection.toSnapshot());
    expect(answers(fresh)).toEqual(answers(live));
  } finally {
    await fresh.stop();
    await store.close();
  }
});
