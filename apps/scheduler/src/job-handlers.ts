import { CreateJobRequest, RemoveJobRequest, SchedulerCommand } from '@berth/contracts';
import { assertJobNotInUse, jobDecider, jobIdOf, resolveJob, type CreateJob, type Job } from '@berth/domain';
import { route, type CommandRoute } from './command-server';
import type { CommandExecutor } from './command-executor';
import { Aggregate, type BerthView } from '@berth/read-model';

export interface JobPolicy {
  readonly whitelistedCapabilities: readonly string[];
  readonly rejectGracePeriodWithStaticPorts: boolean;
}

export interface JobChangeResult {
  readonly jobId: string;
  readonly job?: Job;
  /** stream sequence of the change; read models that reached it show it */
  readonly sequence: number;
}

/** create-job and remove-job. */
export function jobRoutes(executor: CommandExecutor, view: BerthView, policy: JobPolicy): CommandRoute[] {
  const createJob = route(SchedulerCommand.CREATE_JOB, CreateJobRequest, async (req): Promise<JobChangeResult> => {
      const build = (time: string): CreateJob => ({
        type: 'CreateJob',
        job: req.job,
        time,
        user: req.actor,
        whitelistedCapabilities: policy.whitelistedCapabilities,
        rejectGracePeriodWithStaticPorts: policy.rejectGracePeriodWithStaticPorts,
      });
      // the aggregate id is the job id, which only a valid job has
      const jobId = jobIdOf(build(executor.now()));
      const { events, sequence } = await executor.execute(Aggregate.JOB, jobId, jobDecider, (_, time) => build(time), req);
      const created = events.find((e) => e.type === 'JobCreated');
      return { jobId, ...(created?.type === 'JobCreated' ? { job: created.job } : {}), sequence };
  });

  const removeJob = route(SchedulerCommand.REMOVE_JOB, RemoveJobRequest, async (req): Promise<JobChangeResult> => {
      const jobId = resolveJob(req.job, view.jobs().keys());
      // checked on every attempt; the append's guard (no host took the job into use since) makes it hold against racing deploys
      const { sequence } = await executor.execute(
        Aggregate.JOB,
        jobId,
        jobDecider,
        (_, time) => {
          assertJobNotInUse(jobId, view.allDeployments());
          return { type: 'RemoveJob' as const, jobId, time, ...(req.token === undefined ? {} : { token: req.token }) };
        },
        req,
      );
      return { jobId, sequence };
  });

  return [createJob, removeJob];
}
