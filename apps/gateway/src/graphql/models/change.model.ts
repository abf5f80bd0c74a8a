import { Field, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar } from '../json.scalar';

@ObjectType('ChangeResult', { description: 'The outcome of a command: query with atLeastSequence = sequence to read your write' })
export class ChangeResultModel {
  @Field(() => Int, { description: 'stream sequence of the events the command appended' }) sequence!: number;
  @Field({ nullable: true }) jobId?: string;
  @Field({ nullable: true }) host?: string;
  @Field({ nullable: true, description: 'e.g. DEPLOYED, UNDEPLOYED, REGISTERED, NOT_MODIFIED' }) status?: string;
  @Field(() => JSONScalar, { nullable: true }) ports?: Record<string, number>;
  @Field(() => JSONScalar, { description: "the scheduler's full answer" }) result!: Record<string, unknown>;
}
