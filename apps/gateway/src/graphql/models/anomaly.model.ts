import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('Anomaly', { description: 'An event the read model could not apply as written; it was recorded and skipped or applied, and the read model went on' })
export class AnomalyModel {
  @Field(() => Int, { description: 'stream sequence of the event' }) sequence!: number;
  @Field({ description: 'aggregate kind of the event (job, host, deployment, …)' }) aggregate!: string;
  @Field() aggregateId!: string;
  @Field() eventType!: string;
  @Field({ description: 'what did not fit: a reference to something gone, an unknown type, a missing field, a duplicate…' }) reason!: string;
}

@ObjectType('Anomalies')
export class AnomaliesModel {
  @Field(() => Int, { description: 'every anomaly met since the gateway started (it replays the whole stream)' }) total!: number;
  @Field(() => [AnomalyModel], { description: 'the newest (at most 1,000), oldest first' }) items!: AnomalyModel[];
  @Field(() => Int, { description: 'stream sequence the answer reflects' }) sequence!: number;
}
