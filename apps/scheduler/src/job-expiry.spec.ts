import { SchedulerCommand } from '@berth/contracts';
import { InMemoryEventStore } from '@berth/event-store';
import { JobExpiry } from './job-expiry';
import { Aggregate } from '@berth/read-model';
import { InMemoryScheduler, manualClock, silentLogger } from './testing/in-memory-scheduler';

describe('JobExpiry', () => {
  async function setUp() {
    const clock = manualClock();
    const store = new InMemoryEventStore();
    const scheduler = await new InMemoryScheduler(store, clock.date).start();
    const expires = new Date(clock.now() + 60_000).toISOString();
    await scheduler.call(SchedulerCommand.REGISTER_HOST, { host: 'h1', agentId: 'a1' });
    await scheduler.call(SchedulerCommand.REGISTER_HOST, { host: 'h2', agentId: 'a2' });
    const { jobId } = await scheduler.call<{ jobId: string }>(SchedulerCommand.CREATE_JOB, {
      job: { id: 'temp:1', image: 'local/busybox:1', expires, token: 'sesame' },
    });
    const { jobId: keeper } = await scheduler.call<{ jobId: string }>(SchedulerCommand.CREATE_JOB, { job: { id: 'keeper:1', image: 'local/busybox:1' } });
    await scheduler.call(SchedulerCommand.DEPLOY, { job: jobId, host: 'h1', token: 'sesame' });
    await scheduler.call(SchedulerCommand.DEPLOY, { job: jobId, host: 'h2', token: 'sesame', goal: 'STOP' });
    await scheduler.call(SchedulerCommand.DEPLOY, { job: keeper, host: 'h1' });
    return { clock, store, scheduler, jobId, keeper };
  }

  it('leaves a job alone before its deadline', async () => {
    const { clock, scheduler, jobId } = await setUp();
    clock.advance(59_000);
    expect(await new JobExpiry(scheduler.executor, scheduler.state.view, silentLogger, clock.now).sweep()).toEqual([]);
    expect(scheduler.state.view.job(jobId)).toBeDefined();
  });

  it('undeploys an expired job from every host (token or not) and removes it; other jobs stay', async () => {
    const { clock, store, scheduler, jobId, keeper } = await setUp();
    clock.advance(60_000);
    expect(await new JobExpiry(scheduler.executor, scheduler.state.view, silentLogger, clock.now).sweep()).toEqual([jobId]);
    expect(scheduler.state.view.job(jobId)).toBeUndefined();
    expect(Object.keys(scheduler.state.view.deployments('h1').deployments)).toEqual([keeper]);
    expect(scheduler.state.view.deployments('h2').deployments).toEqual({});
    const undeployed = [...(await store.read(Aggregate.DEPLOYMENT, 'h1')), ...(await store.read(Aggregate.DEPLOYMENT, 'h2'))].filter((e) => e.type === 'JobUndeployed');
    expect(undeployed.map((e) => [e.aggregateId, e.actor, e.correlationId])).toEqual([
      ['h1', 'scheduler', `expiry:${jobId}`],
      ['h2', 'scheduler', `expiry:${jobId}`],
    ]);
    expect((await store.read(Aggregate.JOB, jobId)).map((e) => e.type)).toEqual(['JobCreated', 'JobRemoved']);
  });

  it('expires on start after a restart, from the deadline in the job event alone', async () => {
    const { clock, store, scheduler, jobId } = await setUp();
    await scheduler.stop();
    clock.advance(120_000);
    const restarted = await new InMemoryScheduler(store, clock.date).start();
    const expiry = new JobExpiry(restarted.executor, restarted.state.view, silentLogger, clock.now);
    const removed = new Promise<void>((resolve) =>
      restarted.state.projection.onEvent((e) => {
        if (e.type === 'JobRemoved') resolve();
      }),
    );
    expiry.start();
    await removed;
    await expiry.stop();
    expect(restarted.state.view.job(jobId)).toBeUndefined();
  });
});
