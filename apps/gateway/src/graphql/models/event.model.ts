import { Field, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar } from '../json.scalar';

@ObjectType('Event', { description: 'An event of BERTH_EVENTS with who caused it and why' })
export class EventModel {
  @Field() id!: string;
  @Field() type!: string;
  @Field(() => Int) schemaVersion!: number;
  @Field() aggregate!: string;
  @Field() aggregateId!: string;
  @Field() time!: string;
  @Field() actor!: string;
  @Field() correlationId!: string;
  @Field() causationId!: string;
  @Field(() => JSONScalar) data!: unknown;
  @Field(() => Int, { description: 'stream sequence (events appended together share it)' }) sequence!: number;
  @Field(() => Int, { description: 'version within its aggregate' }) version!: number;
  @Field(() => Int, { description: 'position in the gateway log; the pagination key' }) position!: number;
}

@ObjectType()
export class EventConnection {
  @Field(() => [EventModel]) items!: EventModel[];
  @Field({ nullable: true }) nextCursor?: string;
  @Field(() => Int) totalCount!: number;
  @Field(() => Int) sequence!: number;
}
