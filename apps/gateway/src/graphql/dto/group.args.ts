import { ArgsType, Field, Float, InputType, Int } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Allow, ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';
import { JSONScalar } from '../json.scalar';
import { AsOfArgs, ReadArgs } from './query.args';

export const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const GROUP_NAME_MESSAGE = 'a deployment group name: letters, digits, ".", "_" and "-", at most 128 characters';
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;
const COUNT_OR_PERCENT = 'a host count (2) or a percentage of the rollout\'s hosts ("25%")';

/**
 * Helios's rolling-update options and Nomad's update stanza, every field
 * optional (durations in seconds); docs/nats-api.md UpdateStrategy. The
 * scheduler checks ranges and combinations (INVALID_ROLLOUT_OPTIONS).
 * Also the REST body's `options`.
 */
@InputType('RolloutOptions')
export class RolloutOptionsInput {
  @Field(() => Int, { nullable: true, description: 'hosts per batch (Helios --par), default 1' }) @ApiPropertyOptional() @IsOptional() @IsInt() parallelism?: number;
  @Field(() => Int, { nullable: true, description: "Nomad's name for parallelism" }) @ApiPropertyOptional() @IsOptional() @IsInt() maxParallel?: number;
  @Field(() => Float, { nullable: true, description: 'seconds per host, from its deploy until healthy (default 300)' }) @ApiPropertyOptional() @IsOptional() @IsNumber() timeout?: number;
  @Field({ nullable: true, description: 'deploy the new job before undeploying the old one' }) @ApiPropertyOptional() @IsOptional() @IsBoolean() overlap?: boolean;
  @Field({ nullable: true, description: 'adopt copies of the job deployed by hand' }) @ApiPropertyOptional() @IsOptional() @IsBoolean() migrate?: boolean;
  @Field({ nullable: true, description: "the new job's token" }) @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(512) token?: string;
  @Field({ nullable: true, description: "the token of the jobs being replaced (default: token)" }) @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(512) oldJobToken?: string;
  @Field({ nullable: true, description: 'carry on past failed hosts' }) @ApiPropertyOptional() @IsOptional() @IsBoolean() ignoreFailures?: boolean;
  @Field(() => Float, { nullable: true, description: 'minimum seconds between batches' }) @ApiPropertyOptional() @IsOptional() @IsNumber() stagger?: number;
  @Field({ nullable: true, description: 'task_states, checks or manual' }) @ApiPropertyOptional({ enum: ['task_states', 'checks', 'manual'] }) @IsOptional() @IsIn(['task_states', 'checks', 'manual']) healthCheck?: 'task_states' | 'checks' | 'manual';
  @Field(() => Float, { nullable: true, description: 'seconds a host must stay healthy before it counts' }) @ApiPropertyOptional() @IsOptional() @IsNumber() minHealthyTime?: number;
  @Field(() => Float, { nullable: true, description: 'seconds per host to become healthy' }) @ApiPropertyOptional() @IsOptional() @IsNumber() healthyDeadline?: number;
  @Field(() => Float, { nullable: true, description: 'seconds the whole rollout may go without progress' }) @ApiPropertyOptional() @IsOptional() @IsNumber() progressDeadline?: number;
  @Field({ nullable: true, description: 'on failure, roll back to the last stable job' }) @ApiPropertyOptional() @IsOptional() @IsBoolean() autoRevert?: boolean;
  @Field(() => Int, { nullable: true, description: 'canary hosts first, then wait for promote' }) @ApiPropertyOptional() @IsOptional() @IsInt() canary?: number;
  @Field({ nullable: true, description: 'promote once the canaries are healthy' }) @ApiPropertyOptional() @IsOptional() @IsBoolean() autoPromote?: boolean;
  @Field(() => JSONScalar, { nullable: true, description: COUNT_OR_PERCENT }) @ApiPropertyOptional({ oneOf: [{ type: 'integer' }, { type: 'string' }], description: COUNT_OR_PERCENT }) @IsOptional() @Allow() maxUnavailable?: number | string;
  @Field(() => JSONScalar, { nullable: true, description: COUNT_OR_PERCENT }) @ApiPropertyOptional({ oneOf: [{ type: 'integer' }, { type: 'string' }], description: COUNT_OR_PERCENT }) @IsOptional() @Allow() failureThreshold?: number | string;
  @Field({ nullable: true, description: 'every host pulls the image before the switch' }) @ApiPropertyOptional() @IsOptional() @IsBoolean() prestage?: boolean;
  @Field(() => JSONScalar, { nullable: true, description: COUNT_OR_PERCENT }) @ApiPropertyOptional({ oneOf: [{ type: 'integer' }, { type: 'string' }], description: COUNT_OR_PERCENT }) @IsOptional() @Allow() prestageQuorum?: number | string;
}

@ArgsType()
export class GroupNameArgs extends ReadArgs {
  @Field() @IsString() @Matches(GROUP_NAME, { message: `name must be ${GROUP_NAME_MESSAGE}` }) name!: string;
}

@ArgsType()
export class GroupCommandArgs {
  @Field() @IsString() @Matches(GROUP_NAME, { message: `name must be ${GROUP_NAME_MESSAGE}` }) name!: string;
}

@ArgsType()
export class UpdateDeploymentGroupArgs extends GroupCommandArgs {
  @Field(() => [String], { description: 'Helios selectors: k=v, k!=v, k in (a,b), k notin (a,b); a host must match all' })
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @MaxLength(1024, { each: true })
  selectors!: string[];
}

@ArgsType()
export class CreateDeploymentGroupArgs extends UpdateDeploymentGroupArgs {
  @Field(() => RolloutOptionsInput, { nullable: true, description: "the group's default update strategy" })
  @IsOptional()
  @ValidateNested()
  @Type(() => RolloutOptionsInput)
  defaults?: RolloutOptionsInput;
}

@ArgsType()
export class RollingUpdateArgs {
  @Field() @IsString() @Matches(GROUP_NAME, { message: `group must be ${GROUP_NAME_MESSAGE}` }) group!: string;
  @Field({ description: 'job reference: full id, name:version, name or id prefix' }) @IsString() @IsNotEmpty() @MaxLength(512) job!: string;
  @Field(() => RolloutOptionsInput, { nullable: true, description: "over the job's rolloutOptions and the group's defaults" })
  @IsOptional()
  @ValidateNested()
  @Type(() => RolloutOptionsInput)
  options?: RolloutOptionsInput;
  @Field({ nullable: true, description: 'start even inside a deploy freeze of the group, for this reason (admin; recorded on the freeze)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  overrideFreeze?: string;
}

@ArgsType()
export class RolloutsArgs extends ReadArgs {
  @Field({ nullable: true, description: "only this group's rollouts" }) @IsOptional() @IsString() @Matches(GROUP_NAME, { message: `group must be ${GROUP_NAME_MESSAGE}` }) group?: string;
}

@ArgsType()
export class RolloutArgs extends ReadArgs {
  @Field() @IsUUID() id!: string;
}

@ArgsType()
export class RolloutCommandArgs {
  @Field({ description: 'rollout id' }) @IsUUID() rollout!: string;
}

@ArgsType()
export class FailRolloutArgs extends RolloutCommandArgs {
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(1024) error?: string;
}

@ArgsType()
export class SetHostHealthArgs extends RolloutCommandArgs {
  @Field() @IsString() @Matches(HOST_NAME, { message: 'host must be a host name' }) host!: string;
  @Field() @IsBoolean() healthy!: boolean;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(1024) message?: string;
}

@ArgsType()
export class GroupAsOfArgs extends AsOfArgs {
  @Field() @IsString() @MaxLength(128) name!: string;
}

@ArgsType()
export class RolloutProgressArgs {
  @Field() @IsUUID() rolloutId!: string;
  @Field({
    nullable: true,
    defaultValue: false,
    description: 'after the first message (every host), `rollout.hosts` holds only the hosts whose row changed since the message before: merge them by `host`. For large groups',
  })
  @IsOptional()
  @IsBoolean()
  changedHostsOnly?: boolean;
}

@ArgsType()
export class GroupStatusArgs {
  @Field() @IsString() @Matches(GROUP_NAME, { message: `name must be ${GROUP_NAME_MESSAGE}` }) name!: string;
}
