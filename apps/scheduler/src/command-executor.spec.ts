import { SchedulerCommand } from '@berth/contracts';
import { ConcurrencyError, InMemoryEventStore } from '@berth/event-store';
import { deploymentDecider, type Job } from '@berth/domain';
import { Aggregate } from '@berth/read-model';
import { InMemoryScheduler } from './testing/in-memory-scheduler';

/*
 * Failover safety: a leader that lost its lease without noticing (paused past
 * the TTL) still decides on its own, possibly stale, projection. Its appends
 * carry the version it decided on, so the store refuses them once the new
 * leader has changed the aggregate. The executor would re-decide on the state
 * read back from the store, but only once its projection has seen that state
 * too (other facts of the decision come from it); a projection that stopped
 * following never does, so the command is refused and nothing is written.
 * (A real paused leader is fenced as well: leader-fencing.int-spec.ts.)
 */
describe('two schedulers writing one aggregate (stale leader)', () => {
  async function setUp() {
    const store = new InMemoryEventStore();
    const newLeader = await new InMemoryScheduler(store).start();
    await newLeader.call(SchedulerCommand.REGISTER_HOST, { host: 'h1', agentId: 'a1' });
    const { jobId } = await newLeader.call<{ jobId: string }>(SchedulerCommand.CREATE_JOB, { job: { id: 'web:1', image: 'local/busybox:1' } });
    // the stale leader saw everything up to here, then stopped following (paused)
    const staleLeader = await new InMemoryScheduler(store).start();
    await staleLeader.stop();
    await newLeader.call(SchedulerCommand.DEPLOY, { job: jobId, host: 'h1' });
    return { store, newLeader, staleLeader, jobId };
  }

  it('refuses an append at the version the stale leader saw', async () => {
    const { store, staleLeader } = await setUp();
    const seen = staleLeader.state.projection.get(Aggregate.DEPLOYMENT, 'h1');
    expect(seen.version).toBe(0);
    await expect(
      store.append(Aggregate.DEPLOYMENT, 'h1', seen.version, [
        { id: 'e-stale', type: 'JobDeployed', schemaVersion: 1, time: new Date().toISOString(), actor: 'stale', correlationId: 'c', causationId: 'c', data: {} },
      ]),
    ).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('refuses the stale decision once its projection cannot catch up: nothing written, the job deployed exactly once', async () => {
    const { store, staleLeader, jobId } = await setUp();
    const job = staleLeader.state.view.job(jobId) as Job;
    // on its stale view the deploy is legal; the store refuses it, and the projection behind the store's state refuses a re-decision
    await expect(
      staleLeader.executor.execute(
        Aggregate.DEPLOYMENT,
        'h1',
        deploymentDecider,
        (_, time) => ({ type: 'Deploy' as const, host: 'h1', hostRegistered: true, job, portRange: { from: 20000, to: 20100 }, time }),
        { actor: 'stale' },
      ),
    ).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT', message: expect.stringMatching(/not caught up.*nothing written/) });
    const deployed = (await store.read(Aggregate.DEPLOYMENT, 'h1')).filter((e) => e.type === 'JobDeployed');
    expect(deployed).toHaveLength(1);
  });
});
