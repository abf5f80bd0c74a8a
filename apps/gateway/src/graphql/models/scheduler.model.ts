import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('Scheduler', { description: 'A scheduler process that answered just now (Helios: a master)' })
export class SchedulerModel {
  @Field({ description: 'leader-lease holder id, <hostname>:<pid>:<random>' }) id!: string;
  @Field({ description: 'leader or standby' }) role!: string;
  @Field() hostname!: string;
  @Field(() => Int) pid!: number;
  @Field({ description: 'ISO-8601' }) startedAt!: string;
  @Field(() => Int, { description: 'last event stream sequence its projection applied' }) sequence!: number;
  @Field({ description: 'base URL of its /healthz /readyz /metrics' }) health!: string;
  @Field() version!: string;
}
