import { ApiRole } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { queryEvents } from '../read-model/audit';
import { ReadService } from '../read-model/read.service';
import { EventsArgs } from './dto/query.args';
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
}
