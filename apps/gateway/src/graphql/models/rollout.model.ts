import { Field, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar } from '../json.scalar';

@ObjectType('RolloutProgressCounts', { description: 'How many hosts of a rollout are at each step' })
export class RolloutProgressCounts {
  @Field(() => Int) pending!: number;
  @Field(() => Int) upToDate!: number;
  @Field(() => Int) deploying!: number;
  @Field(() => Int) healthy!: number;
  @Field(() => Int) failed!: number;
  @Field(() => Int) skipped!: number;
  @Field(() => Int) total!: number;
  @Field(() => Int, { description: "hosts that failed on the rollout's job before a revert took them back (a revert's own steps count from zero)" }) failedBeforeRevert!: number;
}

@ObjectType('HostFailure')
export class HostFailureModel {
  @Field({ description: 'timeout, failed, unhealthy, conflict or error' }) reason!: string;
  @Field() message!: string;
}

@ObjectType('RolloutHost', { description: 'One host of a rollout' })
export class RolloutHostModel {
  @Field() host!: string;
  @Field({ description: 'PENDING, DEPLOYING, HEALTHY, FAILED, SKIPPED or UP_TO_DATE' }) state!: string;
  @Field(() => Int, { nullable: true, description: 'the 1-based batch the host was (last) deployed in; null before any' }) batch?: number;
  @Field() canary!: boolean;
  @Field() up!: boolean;
  @Field({ description: 'the target job is RUNNING there' }) targetRunning!: boolean;
  @Field({ description: "the target's image is on the host (its agent answered PrepareImage with PULLED); prestaging rollouts only" }) imagePulled!: boolean;
  @Field({ nullable: true, description: 'why the agent could not get the image (IMAGE_MISSING: …, IMAGE_PULL_FAILED: …), until it has it' }) imageError?: string;
  @Field(() => HostFailureModel, { nullable: true }) failure?: HostFailureModel;
  @Field(() => HostFailureModel, { nullable: true, description: "how the host failed on the rollout's job before a revert (failure is the revert's own)" }) failureBeforeRevert?: HostFailureModel;
  @Field({ nullable: true }) deployRequestedAt?: string;
  @Field({ nullable: true }) runningSince?: string;
  @Field({ nullable: true, description: 'came back during a release plan\'s rollout and was started on the most popular version (seed 004), until its turn' }) interimJobId?: string;
}

@ObjectType('Rollout', { description: 'A rolling update of a group to a job; hosts only in the detailed views' })
export class RolloutModel {
  @Field() rolloutId!: string;
  @Field() group!: string;
  @Field() jobId!: string;
  @Field({ description: 'what hosts are brought to now: jobId, or the stable job while reverting' }) targetJobId!: string;
  @Field({ description: 'MANUAL or HOSTS_CHANGED' }) reason!: string;
  @Field({ description: 'PRESTAGING, ROLLING_OUT, AWAITING_PROMOTION, REVERTING, SUCCEEDED, FAILED or REVERTED' }) status!: string;
  @Field({ description: 'SUCCEEDED, FAILED or REVERTED: nothing more happens unless retried' }) finished!: boolean;
  @Field() paused!: boolean;
  @Field() promoted!: boolean;
  @Field({ nullable: true }) error?: string;
  @Field() startedAt!: string;
  @Field(() => RolloutProgressCounts) progress!: RolloutProgressCounts;
  @Field(() => JSONScalar, { nullable: true, description: 'the resolved update strategy (every field decided)' }) options?: Record<string, unknown>;
  @Field(() => JSONScalar, { nullable: true, description: 'maxUnavailable, failureThreshold and prestageQuorum as host counts' }) limits?: Record<string, unknown>;
  @Field({ nullable: true }) revertTo?: string;
  @Field(() => Int, { nullable: true, description: 'batches started so far' }) batches?: number;
  @Field(() => [RolloutHostModel], { nullable: true, description: 'every host in natural order' }) hosts?: RolloutHostModel[];
}

@ObjectType()
export class RolloutList {
  @Field(() => [RolloutModel], { description: 'oldest first' }) items!: RolloutModel[];
  @Field(() => Int) sequence!: number;
}

@ObjectType()
export class RolloutResult {
  @Field(() => RolloutModel) rollout!: RolloutModel;
  @Field(() => Int) sequence!: number;
}

@ObjectType('RolloutProgress', { description: 'rolloutProgress subscription: the rollout now, then after each of its events' })
export class RolloutProgressUpdate {
  @Field(() => RolloutModel) rollout!: RolloutModel;
  @Field({ nullable: true, description: 'the event that caused this update; null for the first message' }) event?: string;
  @Field(() => Int) sequence!: number;
}

@ObjectType('RolloutChange', { description: 'The outcome of a rollout command (and of rollingUpdate)' })
export class RolloutChangeModel {
  @Field(() => Int, { description: 'stream sequence of the events the command appended' }) sequence!: number;
  @Field() rolloutId!: string;
  @Field({ description: 'false when the command changed nothing' }) changed!: boolean;
  @Field(() => RolloutModel) rollout!: RolloutModel;
  @Field(() => JSONScalar, { description: "the scheduler's full answer" }) result!: Record<string, unknown>;
}
