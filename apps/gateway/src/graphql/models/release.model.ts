import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar } from '../json.scalar';

@ObjectType('Pipeline', { description: "A service's deploy pipeline (deploy.yaml)" })
export class PipelineModel {
  @Field({ description: 'the service (a job name)' }) service!: string;
  @Field(() => JSONScalar, { description: 'stages of steps, as the scheduler read them ({service} interpolated)' }) pipeline!: Record<string, unknown>;
  @Field({ nullable: true, description: 'the file as it was set' }) source?: string;
  @Field(() => Int) revision!: number;
  @Field() updatedAt!: string;
}

@ObjectType()
export class PipelineResult {
  @Field(() => PipelineModel) pipeline!: PipelineModel;
  @Field(() => Int) sequence!: number;
}

@ObjectType()
export class PipelineList {
  @Field(() => [PipelineModel]) items!: PipelineModel[];
  @Field(() => Int) sequence!: number;
}

@ObjectType('PipelineProblem', { description: 'A problem in a pipeline file, with its line' })
export class PipelineProblemModel {
  @Field({ description: 'where in the file: pipeline[2].timeout ("" for the whole file)' }) path!: string;
  @Field(() => Int, { nullable: true }) line?: number;
  @Field() message!: string;
}

@ObjectType()
export class PipelineValidation {
  @Field() service!: string;
  @Field() valid!: boolean;
  @Field(() => [PipelineProblemModel]) problems!: PipelineProblemModel[];
  @Field(() => Int) sequence!: number;
}

@ObjectType('PipelineChange')
export class PipelineChangeModel {
  @Field(() => PipelineModel) pipeline!: PipelineModel;
  @Field() changed!: boolean;
  @Field(() => Int) sequence!: number;
}

@ObjectType('ReleaseStep', { description: 'One step of a release: a group rollout or a gate' })
export class ReleaseStepModel {
  @Field() key!: string;
  @Field({ description: 'group or gate' }) kind!: string;
  @Field() name!: string;
  @Field(() => Int) stage!: number;
  @Field({ description: 'PENDING, RUNNING, SUCCEEDED, FAILED or SKIPPED' }) status!: string;
  @Field({ nullable: true }) rolloutId?: string;
  @Field({ nullable: true }) startedAt?: string;
  @Field(() => Float, { nullable: true, description: 'seconds the step may take' }) timeout?: number;
  @Field({ nullable: true }) error?: string;
  @Field({ nullable: true, description: 'failed, but ignore_failure let the pipeline go on' }) ignored?: boolean;
  @Field({ nullable: true }) message?: string;
  @Field({ description: 'the release waits for advance after this step' }) triggerNextStepManually!: boolean;
}

@ObjectType('ReleaseRollbackGroup')
export class ReleaseRollbackGroupModel {
  @Field() group!: string;
  @Field() toJobId!: string;
  @Field({ description: 'RUNNING, DONE or FAILED' }) status!: string;
  @Field({ nullable: true }) rolloutId?: string;
  @Field({ nullable: true }) error?: string;
}

@ObjectType('Release', { description: 'One run of a pipeline for one job (mark-for-deployment)' })
export class ReleaseModel {
  @Field() releaseId!: string;
  @Field() service!: string;
  @Field() jobId!: string;
  @Field({ nullable: true, description: 'set when one group only was moved' }) group?: string;
  @Field({ description: 'deploying, deployed, complete, rolling_back, rolled_back, abandoned or failed' }) status!: string;
  @Field({ description: 'complete, abandoned or failed: nothing more happens by itself' }) finished!: boolean;
  @Field(() => Int) stage!: number;
  @Field(() => Int) stages!: number;
  @Field({ description: 'waiting for advance' }) awaitingTrigger!: boolean;
  @Field() autoRollback!: boolean;
  @Field({ nullable: true, description: 'started through a deploy freeze: "<freeze>: <reason>"' }) freezeOverride?: string;
  @Field(() => [ReleaseStepModel]) steps!: ReleaseStepModel[];
  @Field(() => [ReleaseRollbackGroupModel]) rollback!: ReleaseRollbackGroupModel[];
  @Field({ nullable: true }) rollbackReason?: string;
  @Field(() => [String], { description: 'groups this job was rolled back from: not deployed there again without force' }) badGroups!: string[];
  @Field({ nullable: true }) error?: string;
  @Field() createdAt!: string;
  @Field() updatedAt!: string;
  @Field({ nullable: true }) deployedAt?: string;
  @Field({ nullable: true, description: 'when deployed turns complete by itself' }) certifyAt?: string;
  @Field({ nullable: true, description: 'when rolled_back turns abandoned by itself' }) abandonAt?: string;
}

@ObjectType()
export class ReleaseResult {
  @Field(() => ReleaseModel) release!: ReleaseModel;
  @Field(() => Int) sequence!: number;
}

@ObjectType()
export class ReleaseList {
  @Field(() => [ReleaseModel], { description: 'newest first' }) items!: ReleaseModel[];
  @Field(() => Int) sequence!: number;
}

@ObjectType('ReleaseChange')
export class ReleaseChangeModel {
  @Field(() => ReleaseModel) release!: ReleaseModel;
  @Field({ description: 'false when the command changed nothing' }) changed!: boolean;
  @Field(() => Int) sequence!: number;
}

@ObjectType()
export class ReleaseProgressUpdate {
  @Field(() => ReleaseModel) release!: ReleaseModel;
  @Field({ nullable: true, description: 'the event that caused this update; absent on the first' }) event?: string;
  @Field(() => Int) sequence!: number;
}

@ObjectType('ReleasePlanService', { description: 'A service of a multi-service release' })
export class ReleasePlanServiceModel {
  @Field() service!: string;
  @Field() jobId!: string;
  @Field() group!: string;
  @Field(() => Int, { nullable: true, description: 'hosts that must have the image staged before the switch' }) quorum?: number;
  @Field(() => JSONScalar, { nullable: true, description: 'a host count or a percentage' }) maxUnavailable?: number | string;
  @Field(() => [String]) dependsOn!: string[];
  @Field({ description: 'WAITING, RUNNING, COMPLETE or FAILED' }) status!: string;
  @Field({ nullable: true }) releaseId?: string;
  @Field({ nullable: true }) releaseStatus?: string;
  @Field({ nullable: true }) error?: string;
}

@ObjectType('PlanHost')
export class PlanHostModel {
  @Field() host!: string;
  @Field() online!: boolean;
  @Field({ nullable: true, description: "the service's job running there" }) version?: string;
}

@ObjectType('PlanCurrentView', { description: '/dc/current: a service and its hosts' })
export class PlanCurrentViewModel {
  @Field() service!: string;
  @Field(() => [PlanHostModel]) hosts!: PlanHostModel[];
}

@ObjectType('PlanStagingView', { description: '/dc/staging: the hosts with the new version staged' })
export class PlanStagingViewModel {
  @Field() service!: string;
  @Field() jobId!: string;
  @Field(() => [String]) hosts!: string[];
}

@ObjectType('ReleasePlan', { description: 'A multi-service release in dependency order' })
export class ReleasePlanModel {
  @Field() planId!: string;
  @Field({ description: 'running, complete, failed or abandoned' }) status!: string;
  @Field({ nullable: true }) error?: string;
  @Field() createdAt!: string;
  @Field() updatedAt!: string;
  @Field(() => [[String]], { description: "dependency levels: a level's services run together" }) levels!: string[][];
  @Field(() => [ReleasePlanServiceModel]) services!: ReleasePlanServiceModel[];
  @Field(() => [PlanCurrentViewModel]) current!: PlanCurrentViewModel[];
  @Field(() => [PlanStagingViewModel]) staging!: PlanStagingViewModel[];
  @Field(() => [String], { description: '/dc/deploy: services waiting, in order' }) deployQueue!: string[];
}

@ObjectType()
export class ReleasePlanResult {
  @Field(() => ReleasePlanModel) plan!: ReleasePlanModel;
  @Field(() => Int) sequence!: number;
}

@ObjectType()
export class ReleasePlanList {
  @Field(() => [ReleasePlanModel], { description: 'newest first' }) items!: ReleasePlanModel[];
  @Field(() => Int) sequence!: number;
}

@ObjectType('Freeze', { description: 'A deploy freeze: no release starts (and none goes on to its next step) in its window' })
export class FreezeModel {
  @Field() name!: string;
  @Field(() => [String], { nullable: true, description: 'services it applies to; null: all' }) services?: string[];
  @Field(() => [String], { nullable: true, description: 'deployment groups it applies to; null: all' }) groups?: string[];
  @Field(() => JSONScalar, { description: "{kind: 'range', from, to} or {kind: 'weekly', days, from, to, timeZone}" }) window!: Record<string, unknown>;
  @Field() reason!: string;
  @Field() setAt!: string;
  @Field({ description: 'in force now' }) active!: boolean;
  @Field({ nullable: true, description: 'when the window in force ends' }) until?: string;
}

@ObjectType()
export class FreezeList {
  @Field(() => [FreezeModel]) items!: FreezeModel[];
  @Field(() => Int) sequence!: number;
}
