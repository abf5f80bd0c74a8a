import { Field, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar } from '../json.scalar';

@ObjectType('TaskStatus', { description: 'What the agent last reported for a job on its host' })
export class TaskStatusModel {
  @Field() jobId!: string;
  @Field() goal!: string;
  @Field() state!: string;
  @Field() throttled!: string;
  @Field({ nullable: true }) containerId?: string;
  @Field(() => JSONScalar) ports!: Record<string, number>;
  @Field({ nullable: true }) containerError?: string;
  @Field(() => Int, { nullable: true }) exitCode?: number;
  @Field(() => JSONScalar, { nullable: true, description: "the container's effective environment (the job's env merged with the agent's)" }) env?: Record<string, string>;
  @Field({ description: 'when the agent observed this state' }) time!: string;
}

@ObjectType('Deployment', { description: 'A job deployed on a host, with its goal and task status' })
export class DeploymentModel {
  @Field() host!: string;
  @Field() jobId!: string;
  @Field({ description: 'START or STOP' }) goal!: string;
  @Field({ description: 'last reported task state; UNKNOWN until the agent reports' }) state!: string;
  @Field(() => JSONScalar, { description: 'port name → host port' }) ports!: Record<string, number>;
  @Field({ nullable: true }) deploymentGroupName?: string;
  @Field() deployedAt!: string;
  @Field(() => TaskStatusModel, { nullable: true }) status?: TaskStatusModel;
}
