import { ApiRole } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { asOfSequence, jobAsOf, jobDeploymentsAsOf } from '../read-model/audit';
import { paginateKeys } from '../read-model/cursor';
import { ReadService } from '../read-model/read.service';
import { JobArgs, JobAsOfArgs, JobsArgs } from './dto/query.args';
import { toDeploymentModel, toJobModel } from './mappers';
import { JobAsOfModel, JobConnection, JobHistoryModel, JobModel, JobResult } from './models/job.model';

@Access(ApiRole.READ)
@Resolver(() => JobModel)
export class JobsResolver {
  constructor(private readonly reads: ReadService) {}

  @Query(() => JobConnection, { description: 'Jobs sorted by id, one page at a time' })
  jobs(@Args() args: JobsArgs): Promise<JobConnection> {
    return this.reads.read(args.atLeastSequence, (views) =>
      paginateKeys(views.jobIds(args.filter ?? {}), (ids) => views.jobRows(ids).map(toJobModel), args.first, args.after),
    );
  }

  @Query(() => JobResult, { description: 'A job with its deployments and task status per host' })
  job(@Args() args: JobArgs): Promise<JobResult> {
    return this.reads.read(args.atLeastSequence, (views) => ({ job: toJobModel(views.job(args.id)) }));
  }

  @Query(() => JobHistoryModel, { description: 'Task state changes of a job on every host (Helios `history`)' })
  jobHistory(@Args() args: JobArgs): Promise<JobHistoryModel> {
    return this.reads.read(args.atLeastSequence, (views) => {
      const { id } = views.job(args.id);
      return { jobId: id, entries: [...this.reads.model.history(id)] };
    });
  }

  @Query(() => JobAsOfModel, { description: 'A job as it stood at a stream sequence or a time, with its deployments, goals and task states then' })
  async jobAsOf(@Args() args: JobAsOfArgs): Promise<JobAsOfModel> {
    const { log } = this.reads.model;
    // one bound for both, taken before the first await
    const bound = { sequence: asOfSequence(log, args) };
    const [{ state, version, sequence }, deployments] = await Promise.all([jobAsOf(log, args.id, bound), jobDeploymentsAsOf(log, args.id, bound)]);
    const job = state.status === 'created' ? (state.job as unknown as Record<string, unknown>) : undefined;
    return { jobId: args.id, status: state.status, job, deployments: deployments.map(toDeploymentModel), version, sequence };
  }
}
