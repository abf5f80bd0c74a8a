import { ApiRole, SchedulerCommand } from '@berth/contracts';
import { jobDecider, type DomainEvent, type Job } from '@berth/domain';
import { JetStreamEventStore, toNewEvent } from '@berth/event-store';
import { randomUUID } from 'node:crypto';
import { Aggregate } from '../src/read-model/gateway-read-model';
import { startStack, type Stack } from './harness';

let stack: Stack;
let store: JetStreamEventStore;

beforeAll(async () => {
  stack = await startStack();
  store = await JetStreamEventStore.connect({ nc: stack.nc });
});

afterAll(async () => {
  await store?.close();
  await stack?.stop();
});

async function append(aggregate: string, aggregateId: string, expectedVersion: number, event: DomainEvent): Promise<number> {
  const meta = { actor: 'hand-edit', correlationId: 'poison', causationId: 'poison', time: new Date().toISOString() };
  return (await store.append(aggregate, aggregateId, expectedVersion, [toNewEvent(event, meta, randomUUID)])).lastSequence;
}

interface AnomaliesAnswer {
  readonly total: number;
  readonly items: { sequence: number; aggregate: string; aggregateId: string; eventType: string; reason: string }[];
  readonly sequence: number;
}

describe('gateway anomalies', () => {
  it('keeps following a history with a deployment of a removed job and an unknown event type, and lists both over GraphQL and REST to a reader', async () => {
    const [created] = jobDecider.decide({ type: 'CreateJob', job: { id: 'gone:1', image: 'local/busybox:1' }, time: new Date().toISOString() }, jobDecider.initialState);
    const gone = (created as { job: Job }).job;
    await append(Aggregate.JOB, gone.id, 0, created as DomainEvent);
    await append(Aggregate.JOB, gone.id, 1, { type: 'JobRemoved', jobId: gone.id } as DomainEvent);
    const deployed = await append(Aggregate.DEPLOYMENT, 'h1', 0, {
      type: 'JobDeployed', host: 'h1', jobId: gone.id, goal: 'START', ports: {}, protocols: {}, token: '', time: new Date().toISOString(),
    } as DomainEvent);
    const renamed = await append(Aggregate.JOB, gone.id, 2, { type: 'JobRenamed', jobId: gone.id, name: 'x' } as DomainEvent);
    const expected = [
      { sequence: deployed, aggregate: Aggregate.DEPLOYMENT, aggregateId: 'h1', eventType: 'JobDeployed', reason: `deployed job ${gone.id} is unknown (never created, or removed)` },
      { sequence: renamed, aggregate: Aggregate.JOB, aggregateId: gone.id, eventType: 'JobRenamed', reason: 'unknown event type JobRenamed' },
    ];

    const graphql = await stack.gql<{ anomalies: AnomaliesAnswer }>(
      'query ($at: Int) { anomalies(atLeastSequence: $at) { total sequence items { sequence aggregate aggregateId eventType reason } } }',
      { at: renamed },
      ApiRole.READ,
    );
    expect(graphql.errors).toBeUndefined();
    expect(graphql.data?.anomalies).toEqual({ total: 2, sequence: renamed, items: expected });

    const rest = await stack.rest('GET', `/api/v1/anomalies?atLeastSequence=${renamed}`, undefined, ApiRole.READ);
    expect(rest.status).toBe(200);
    expect(rest.body).toEqual({ total: 2, sequence: renamed, items: expected });
    expect(((await stack.rest('GET', '/api/v1/anomalies', undefined, null)).status)).toBe(401);

    // the read model goes on: a job created afterwards is there, and so is its deployment on the poisoned host
    const { jobId, sequence } = await stack.alice.call<{ jobId: string; sequence: number }>(SchedulerCommand.CREATE_JOB, { job: { id: 'web:1', image: 'local/busybox:1' } });
    const job = await stack.gql<{ job: { job: { id: string } } }>('query ($id: String!, $at: Int) { job(id: $id, atLeastSequence: $at) { job { id } } }', { id: jobId, at: sequence }, ApiRole.READ);
    expect(job.errors).toBeUndefined();
    expect(job.data?.job.job.id).toBe(jobId);
    expect(stack.gateway.readModel.projection.get(Aggregate.DEPLOYMENT, 'h1').state.deployments[gone.id]).toBeDefined();

    const openApi = await stack.rest('GET', '/api/v1/openapi.json', undefined, ApiRole.READ);
    expect(Object.keys(openApi.body['paths'] as object)).toContain('/api/v1/anomalies');
  });
});
