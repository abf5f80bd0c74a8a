import { RELEASE_STATUSES } from '@berth/contracts';
import { ArgsType, Field, Float } from '@nestjs/graphql';
import { IsBoolean, IsIn, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { JSONScalar } from '../json.scalar';
import { ReadArgs } from './query.args';
import { GROUP_NAME, GROUP_NAME_MESSAGE } from './group.args';

const SERVICE_MESSAGE = 'service must be a job name: letters, digits, ".", "_" and "-", at most 128 characters';
const MAX_SOURCE = 262_144;
const MAX_SECONDS = 30 * 86_400;

@ArgsType()
export class ServiceArgs extends ReadArgs {
  @Field({ description: 'a job name' }) @IsString() @Matches(GROUP_NAME, { message: SERVICE_MESSAGE }) service!: string;
}

@ArgsType()
export class ValidatePipelineArgs extends ServiceArgs {
  @Field({ description: 'deploy.yaml as text (YAML or JSON)' }) @IsString() @IsNotEmpty() @MaxLength(MAX_SOURCE) source!: string;
}

@ArgsType()
export class SetPipelineArgs {
  @Field({ description: 'a job name' }) @IsString() @Matches(GROUP_NAME, { message: SERVICE_MESSAGE }) service!: string;
  @Field({ description: 'deploy.yaml as text (YAML or JSON)' }) @IsString() @IsNotEmpty() @MaxLength(MAX_SOURCE) source!: string;
}

@ArgsType()
export class RemovePipelineArgs {
  @Field() @IsString() @Matches(GROUP_NAME, { message: SERVICE_MESSAGE }) service!: string;
}

@ArgsType()
export class MarkForDeploymentArgs {
  @Field({ description: 'a job name' }) @IsString() @Matches(GROUP_NAME, { message: SERVICE_MESSAGE }) service!: string;
  @Field({ description: "a job of the service: '2', 'svc:2', a full id or a prefix" }) @IsString() @IsNotEmpty() @MaxLength(512) job!: string;
  @Field({ nullable: true, description: 'move this one deployment group only' }) @IsOptional() @IsString() @Matches(GROUP_NAME, { message: `group must be ${GROUP_NAME_MESSAGE}` }) group?: string;
  @Field({ nullable: true, description: 'roll every group back if a step fails' }) @IsOptional() @IsBoolean() autoRollback?: boolean;
  @Field(() => Float, { nullable: true, description: 'seconds each group step may take' }) @IsOptional() @IsNumber() @Min(1) @Max(MAX_SECONDS) timeout?: number;
  @Field(() => Float, { nullable: true, description: 'seconds from deployed to complete (default 600 with auto-rollback, else 0)' }) @IsOptional() @IsNumber() @Min(0) @Max(MAX_SECONDS) autoCertifyDelay?: number;
  @Field(() => Float, { nullable: true, description: 'seconds from rolled_back to abandoned (default 600)' }) @IsOptional() @IsNumber() @Min(0) @Max(MAX_SECONDS) autoAbandonDelay?: number;
  @Field({ nullable: true, description: 'deploy even where this job was rolled back before' }) @IsOptional() @IsBoolean() force?: boolean;
  @Field({ nullable: true, description: 'start even inside a deploy freeze, for this reason (recorded)' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(1024) overrideFreeze?: string;
}

@ArgsType()
export class ReleasesArgs extends ReadArgs {
  @Field({ nullable: true }) @IsOptional() @IsString() @Matches(GROUP_NAME, { message: SERVICE_MESSAGE }) service?: string;
  @Field({ nullable: true, description: RELEASE_STATUSES.join(', ') }) @IsOptional() @IsIn(RELEASE_STATUSES) status?: string;
}

@ArgsType()
export class ReleaseArgs extends ReadArgs {
  @Field() @IsUUID() id!: string;
}

@ArgsType()
export class ReleaseCommandArgs {
  @Field({ description: 'release id' }) @IsUUID() release!: string;
}

@ArgsType()
export class RollbackReleaseArgs extends ReleaseCommandArgs {
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(1024) reason?: string;
}

@ArgsType()
export class SnoozeReleaseArgs extends ReleaseCommandArgs {
  @Field(() => Float, { nullable: true, description: 'seconds (default: the auto-certify or auto-abandon delay)' }) @IsOptional() @IsNumber() @Min(1) @Max(MAX_SECONDS) seconds?: number;
}

@ArgsType()
export class ReportGateArgs {
  @Field({ nullable: true, description: 'the release; or give service for its release in flight' })
  @ValidateIf((args: ReportGateArgs) => args.service === undefined || args.release !== undefined)
  @IsUUID()
  release?: string;

  @Field({ nullable: true })
  @ValidateIf((args: ReportGateArgs) => args.release === undefined || args.service !== undefined)
  @IsString()
  @Matches(GROUP_NAME, { message: SERVICE_MESSAGE })
  service?: string;

  @Field() @IsString() @Matches(GROUP_NAME, { message: 'gate must be a name' }) gate!: string;
  @Field() @IsBoolean() passed!: boolean;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(4096) message?: string;
}

@ArgsType()
export class ReleaseProgressArgs {
  @Field() @IsUUID() releaseId!: string;
}

@ArgsType()
export class StartReleasePlanArgs {
  @Field({ description: 'release.yaml as text (YAML or JSON)' }) @IsString() @IsNotEmpty() @MaxLength(MAX_SOURCE) source!: string;
}

@ArgsType()
export class ReleasePlanArgs extends ReadArgs {
  @Field() @IsUUID() id!: string;
}

@ArgsType()
export class ReleasePlanCommandArgs {
  @Field({ description: 'release plan id' }) @IsUUID() plan!: string;
}

@ArgsType()
export class SetFreezeArgs {
  @Field() @IsString() @Matches(GROUP_NAME, { message: 'name must be a name' }) name!: string;
  @Field(() => [String], { nullable: true, description: 'services (absent: all)' }) @IsOptional() @IsString({ each: true }) @MaxLength(128, { each: true }) services?: string[];
  @Field(() => [String], { nullable: true, description: 'deployment groups (absent: all)' }) @IsOptional() @IsString({ each: true }) @MaxLength(128, { each: true }) groups?: string[];
  @Field(() => JSONScalar, { description: "{kind: 'range', from, to} or {kind: 'weekly', days, from, to, timeZone}" }) @IsObject() window!: Record<string, unknown>;
  @Field() @IsString() @IsNotEmpty() @MaxLength(1024) reason!: string;
}

@ArgsType()
export class RemoveFreezeArgs {
  @Field() @IsString() @Matches(GROUP_NAME, { message: 'name must be a name' }) name!: string;
}
