import { Field, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar } from '../json.scalar';
import { DeploymentModel } from './deployment.model';

@ObjectType('Job')
export class JobModel {
  @Field({ description: 'name:version:hash' }) id!: string;
  @Field() name!: string;
  @Field() version!: string;
  @Field(() => JSONScalar, { description: 'the normalised job file' }) job!: Record<string, unknown>;
  @Field(() => [DeploymentModel]) deployments!: DeploymentModel[];
}

@ObjectType({ description: 'One page of jobs, sorted by id' })
export class JobConnection {
  @Field(() => [JobModel]) items!: JobModel[];
  @Field({ nullable: true, description: 'pass as `after` for the next page; null on the last page' }) nextCursor?: string;
  @Field(() => Int) totalCount!: number;
  @Field(() => Int, { description: 'stream sequence the answer reflects' }) sequence!: number;
}

@ObjectType()
export class JobResult {
  @Field(() => JobModel) job!: JobModel;
  @Field(() => Int) sequence!: number;
}

@ObjectType('JobHistoryEntry')
export class JobHistoryEntryModel {
  @Field() host!: string;
  @Field() state!: string;
  @Field({ nullable: true }) containerId?: string;
  @Field() throttled!: string;
  @Field(() => Int, { nullable: true }) exitCode?: number;
  @Field() time!: string;
}

@ObjectType('JobHistory')
export class JobHistoryModel {
  @Field() jobId!: string;
  @Field(() => [JobHistoryEntryModel]) entries!: JobHistoryEntryModel[];
  @Field(() => Int) sequence!: number;
}

@ObjectType('JobAsOf', { description: 'A job as it stood at a sequence or time, rebuilt from its events' })
export class JobAsOfModel {
  @Field() jobId!: string;
  @Field({ description: 'absent, created or removed' }) status!: string;
  @Field(() => JSONScalar, { nullable: true }) job?: Record<string, unknown>;
  @Field(() => [DeploymentModel], { description: 'its deployments then: host, goal, last reported task state' }) deployments!: DeploymentModel[];
  @Field(() => Int, { description: 'aggregate version at that point (0: did not exist)' }) version!: number;
  @Field(() => Int, { description: 'stream sequence of the last event folded in' }) sequence!: number;
}

@ObjectType('DeploymentsAsOf', { description: 'What ran where at a sequence or time: jobs and their deployments (goals, last reported task states), replayed from the events; what the live jobs query (and berth status) answered when the read model stood at `sequence`' })
export class DeploymentsAsOfModel {
  @Field(() => Int, { description: 'the stream sequence the answer reflects: every event up to it is folded in, none after' }) sequence!: number;
  @Field(() => [DeploymentModel], { description: "the jobs' deployments, by job id, then host" }) deployments!: DeploymentModel[];
  @Field(() => [JobModel], { description: 'the jobs that existed (matching `job`), sorted by id, each with its deployments; with `host` or `selectors`, only jobs deployed on a matching host' })
  jobs!: JobModel[];
}
