import { Field, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar } from '../json.scalar';

@ObjectType('DeploymentGroup', { description: 'A set of hosts chosen by label selectors, and the job it is rolled to' })
export class DeploymentGroupModel {
  @Field() name!: string;
  @Field(() => [String], { description: 'host selectors as text (k = v, k != v, k in (a, b), k notin (a, b)); a host must match all' }) selectors!: string[];
  @Field(() => JSONScalar, { nullable: true, description: "the group's default update strategy" }) defaults?: Record<string, unknown>;
  @Field() createdAt!: string;
  @Field({ description: 'IDLE, ROLLING_OUT, DONE (Helios ACTIVE) or FAILED' }) status!: string;
  @Field({ nullable: true }) error?: string;
  @Field({ nullable: true, description: 'the job the group is (being) rolled to' }) jobId?: string;
  @Field({ nullable: true, description: 'its current or last rollout' }) rolloutId?: string;
  @Field({ nullable: true, description: 'MANUAL or HOSTS_CHANGED' }) reason?: string;
  @Field({ nullable: true, description: 'the last job every host reached: where autoRevert goes' }) lastStableJobId?: string;
}

@ObjectType('GroupHostCounts', { description: "The hosts matching a group's selectors now" })
export class GroupHostCountsModel {
  @Field(() => Int, { description: 'registered hosts that match (UP or DOWN); 0: a rolling update deploys nothing until a host matches' }) matching!: number;
  @Field(() => Int, { description: 'of them, the UP ones' }) up!: number;
}

@ObjectType()
export class DeploymentGroupList {
  @Field(() => [DeploymentGroupModel], { description: 'sorted by name' }) items!: DeploymentGroupModel[];
  @Field(() => Int, { description: 'stream sequence the answer reflects' }) sequence!: number;
}

@ObjectType()
export class DeploymentGroupResult {
  @Field(() => DeploymentGroupModel) group!: DeploymentGroupModel;
  @Field(() => Int) sequence!: number;
}

@ObjectType('GroupHostStatus', { description: "One row of Helios's deployment-group-status table" })
export class GroupHostStatusModel {
  @Field() host!: string;
  @Field({ description: "the host runs the group's job, owned by the group, with goal START" }) upToDate!: boolean;
  @Field({ nullable: true, description: "the group's job on the host" }) job?: string;
  @Field({ nullable: true, description: 'its last reported task state (UNKNOWN until the agent reports)' }) state?: string;
}

@ObjectType('DeploymentGroupStatus', { description: 'A group, its status and its matching UP hosts in natural order' })
export class DeploymentGroupStatusModel {
  @Field() name!: string;
  @Field({ description: 'IDLE, ROLLING_OUT, DONE or FAILED' }) status!: string;
  @Field({ nullable: true }) error?: string;
  @Field({ nullable: true }) jobId?: string;
  @Field({ nullable: true }) rolloutId?: string;
  @Field({ nullable: true }) reason?: string;
  @Field({ nullable: true }) lastStableJobId?: string;
  @Field(() => [GroupHostStatusModel]) hosts!: GroupHostStatusModel[];
  @Field(() => Int) sequence!: number;
}

@ObjectType('GroupStatusUpdate', { description: 'groupStatus subscription: the status now, then after every change' })
export class GroupStatusUpdate {
  @Field() name!: string;
  @Field({ description: 'false while no group of that name exists (not yet, or removed)' }) exists!: boolean;
  @Field(() => DeploymentGroupStatusModel, { nullable: true }) status?: DeploymentGroupStatusModel;
  @Field(() => Int) sequence!: number;
}

@ObjectType('DeploymentGroupAsOf', { description: 'A deployment group as it stood at a sequence or time, rebuilt from its events' })
export class DeploymentGroupAsOfModel {
  @Field() name!: string;
  @Field({ description: 'false: the group did not exist then' }) exists!: boolean;
  @Field(() => DeploymentGroupModel, { nullable: true }) group?: DeploymentGroupModel;
  @Field(() => Int, { description: 'aggregate version at that point (0: did not exist)' }) version!: number;
  @Field(() => Int, { description: 'stream sequence of the last event folded in' }) sequence!: number;
}

@ObjectType('DeploymentGroupChange', { description: 'The outcome of a group command' })
export class DeploymentGroupChangeModel {
  @Field(() => Int, { description: 'stream sequence of the events the command appended' }) sequence!: number;
  @Field() name!: string;
  @Field({ description: 'CREATED, NOT_MODIFIED, UPDATED, REMOVED, STOPPED, or the new rollout status' }) status!: string;
  @Field(() => JSONScalar, { description: "the scheduler's full answer" }) result!: Record<string, unknown>;
}
