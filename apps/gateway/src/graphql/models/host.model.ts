import type { PortRange } from '@berth/domain';
import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar } from '../json.scalar';
import { DeploymentModel } from './deployment.model';

@ObjectType('Host')
export class HostModel {
  @Field() host!: string;
  @Field({ description: 'UP or DOWN' }) status!: string;
  @Field() agentId!: string;
  @Field(() => JSONScalar) labels!: Record<string, string>;
  @Field(() => JSONScalar) info!: Record<string, unknown>;
  @Field(() => JSONScalar, { nullable: true }) portRange?: PortRange;
  @Field() registeredAt!: string;
  @Field({ nullable: true }) downSince?: string;
  @Field(() => Int) jobCount!: number;
  @Field(() => [DeploymentModel], { description: 'its tasks' }) deployments!: DeploymentModel[];
}

@ObjectType('HostStats', { description: "A host's load and memory from its agent's latest heartbeat (never events; null while none is known or its agent is silent)" })
export class HostStatsModel {
  @Field(() => [Float], { description: 'the 1, 5 and 15 minute load averages' }) loadAvg!: number[];
  @Field(() => Float) memoryTotalBytes!: number;
  @Field(() => Float) memoryFreeBytes!: number;
  @Field(() => Float, { description: "the share of memory in use, 0-1 (Helios's MEM USAGE)" }) memoryUsage!: number;
  @Field({ description: 'when the gateway received them' }) receivedAt!: string;
}

@ObjectType()
export class HostList {
  @Field(() => [HostModel]) items!: HostModel[];
  @Field(() => Int) sequence!: number;
}

@ObjectType()
export class HostResult {
  @Field(() => HostModel) host!: HostModel;
  @Field(() => Int) sequence!: number;
}

@ObjectType('HostAsOf', { description: 'A host as it stood at a sequence or time, rebuilt from its events' })
export class HostAsOfModel {
  @Field() host!: string;
  @Field() registered!: boolean;
  @Field(() => JSONScalar, { description: 'the host aggregate state' }) state!: Record<string, unknown>;
  @Field(() => [DeploymentModel], { description: 'its tasks then: job, goal, last reported task state' }) deployments!: DeploymentModel[];
  @Field(() => Int) version!: number;
  @Field(() => Int) sequence!: number;
}

@ObjectType({ description: 'A host changed (or, first, how it stands now)' })
export class HostStatusUpdate {
  @Field() name!: string;
  @Field({ description: 'false once deregistered' }) registered!: boolean;
  @Field(() => HostModel, { nullable: true }) host?: HostModel;
  @Field(() => Int) sequence!: number;
}

@ObjectType({ description: 'A job on a host changed (or, first, how it stands now)' })
export class TaskStatusUpdate {
  @Field() jobId!: string;
  @Field() host!: string;
  @Field(() => DeploymentModel, { nullable: true, description: 'null when the job is not deployed there' }) deployment?: DeploymentModel;
  @Field(() => Int) sequence!: number;
}
