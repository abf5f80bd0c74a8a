import { ApiRole } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { deploymentsAsOf, queryEvents } from '../read-model/audit';
import { ReadService } from '../read-model/read.service';
import { DeploymentsAsOfArgs, EventsArgs } from './dto/query.args';
import { toDeploymentModel, toJobModel } from './mappers';
import { DeploymentsAsOfModel } from './models/job.model';
import { EventConnection, EventModel } from './models/event.model';

@Access(ApiRole.READ)
@Resolver(() => EventModel)
export class AuditResolver {
  constructor(private readonly reads: ReadService) {}

  @Query(() => EventConnection, { description: 'The audit log: events by aggregate, sequence, time, actor or type, oldest first' })
  events(@Args() args: EventsArgs): Promise<EventConnection> {
    const { first, after, atLeastSequence, id, ...filter } = args;
    return this.reads.read(atLeastSequence, () => queryEvents(this.reads.model.log, { ...filter, aggregateId: id }, first, after));
  }

  @Query(() => DeploymentsAsOfModel, {
    description: 'What ran where at a stream sequence or a time (berth status --as-of): every job, its deployments, goals and task states, replayed from the events',
  })
  async deploymentsAsOf(@Args() args: DeploymentsAsOfArgs): Promise<DeploymentsAsOfModel> {
    const { selectors, job, host, ...asOf } = args;
    const answer = await deploymentsAsOf(this.reads.model.log, asOf, { ...(selectors ? { selectors } : {}), ...(job ? { job } : {}), ...(host ? { host } : {}) });
    return { sequence: answer.sequence, deployments: answer.deployments.map(toDeploymentModel), jobs: answer.jobs.map(toJobModel) };
  }
}
