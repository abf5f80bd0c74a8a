import { ApiRole, ErrorCode } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { Args, Int, Resolver, Subscription } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { ArgsType, Field } from '@nestjs/graphql';
import { gatewayError } from '../errors/error-mapping';
import { MAX_QUEUED, liveFeed } from '../live/live-feed';
import { eventMatcher } from '../read-model/audit';
import { Aggregate, type LoggedEvent } from '../read-model/gateway-read-model';
import { ReadService } from '../read-model/read.service';
import { EventFeedFilter } from './dto/command.args';
import { toDeploymentModel, toHostModel } from './mappers';
import { EventModel } from './models/event.model';
import { HostStatusUpdate, TaskStatusUpdate } from './models/host.model';

@ArgsType()
class TaskStatusArgs {
  @Field({ description: 'job reference, resolved once when subscribing' }) @IsString() @MaxLength(512) job!: string;
  @Field() @IsString() @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/) host!: string;
}

@ArgsType()
class HostStatusArgs {
  @Field({ nullable: true, description: 'one host; all hosts when absent' }) @IsOptional() @IsString() @MaxLength(253) name?: string;
}

@ArgsType()
class EventFeedArgs {
  @Field(() => EventFeedFilter, { nullable: true }) @IsOptional() @ValidateNested() @Type(() => EventFeedFilter) filter?: EventFeedFilter;
  @Field(() => Int, { nullable: true, description: 'replay logged events from this sequence first' }) @IsOptional() @IsInt() @Min(0) fromSequence?: number;
}

const identity = <T>(payload: T): T => payload;

/** Live views: each sends the current state first, then every change. */
@Access(ApiRole.READ)
@Resolver()
export class LiveResolver {
  constructor(private readonly reads: ReadService) {}

  @Subscription(() => TaskStatusUpdate, { resolve: identity, description: 'A job on a host: current deployment and task status, then changes' })
  taskStatus(@Args() args: TaskStatusArgs): AsyncIterableIterator<TaskStatusUpdate> {
    const { views, model } = this.reads;
    const jobId = views.job(args.job).id;
    const update = (): TaskStatusUpdate => {
      const row = views.deployment(args.host, jobId);
      return { jobId, host: args.host, ...(row ? { deployment: toDeploymentModel(row) } : {}), sequence: model.sequence };
    };
    const concerns = (e: LoggedEvent) => e.aggregate === Aggregate.DEPLOYMENT && e.aggregateId === args.host && touchesJob(e, jobId);
    return liveFeed(model, () => [update()], (e) => (concerns(e) ? [update()] : []));
  }

  @Subscription(() => HostStatusUpdate, { resolve: identity, description: 'Hosts: how each stands now, then every change (registration, UP/DOWN, labels)' })
  hostStatus(@Args() args: HostStatusArgs): AsyncIterableIterator<HostStatusUpdate> {
    const { views, model } = this.reads;
    const update = (name: string): HostStatusUpdate => {
      const registered = views.findHost(name);
      return { name, registered: registered !== undefined, ...(registered ? { host: toHostModel(registered) } : {}), sequence: model.sequence };
    };
    const current = () => (args.name === undefined ? views.hosts().map((h) => update(h.host)) : [update(args.name)]);
    const concerns = (e: LoggedEvent) => e.aggregate === Aggregate.HOST && (args.name === undefined || e.aggregateId === args.name);
    return liveFeed(model, current, (e) => (concerns(e) ? [update(e.aggregateId)] : []));
  }

  @Subscription(() => EventModel, { resolve: identity, name: 'events', description: 'The raw event feed, filtered by aggregate and type' })
  eventFeed(@Args() args: EventFeedArgs): AsyncIterableIterator<EventModel> {
    const { model } = this.reads;
    const matches = eventMatcher({ ...args.filter });
    const replay = (): readonly EventModel[] | Promise<readonly EventModel[]> => {
      if (args.fromSequence === undefined) return [];
      const positions = model.log.matching({ ...args.filter, fromSequence: args.fromSequence });
      if (positions.length > MAX_QUEUED) {
        throw gatewayError(
          ErrorCode.INVALID_REQUEST,
          `fromSequence ${args.fromSequence} would replay ${positions.length} events, more than the ${MAX_QUEUED} a subscription holds: page through them with the events query, then subscribe from the last sequence + 1`,
          { fromSequence: args.fromSequence, events: positions.length, max: MAX_QUEUED },
        );
      }
      return model.log.events(positions);
    };
    return liveFeed<EventModel>(model, replay, (e) => (matches(e) ? [e] : []));
  }
}

function touchesJob(e: LoggedEvent, jobId: string): boolean {
  const data = e.data as { jobId?: unknown; jobIds?: unknown };
  return data.jobId === jobId || (Array.isArray(data.jobIds) && data.jobIds.includes(jobId));
}
