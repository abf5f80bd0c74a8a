import { IsHostLabels, NoControlCharacters } from '@berth/contracts';
import { ArgsType, Field, InputType } from '@nestjs/graphql';
import { IsBoolean, IsIn, IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { JSONScalar } from '../json.scalar';

const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

@ArgsType()
export class CreateJobArgs {
  @Field(() => JSONScalar, { description: 'the job file as JSON (Helios field names)' })
  @IsObject()
  job!: Record<string, unknown>;
}

@ArgsType()
export class RemoveJobArgs {
  @Field() @IsString() @IsNotEmpty() @MaxLength(512) job!: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(512) token?: string;
}

@ArgsType()
export class JobOnHostArgs {
  @Field({ description: 'job reference: full id, name:version, name or id prefix' }) @IsString() @IsNotEmpty() @MaxLength(512) job!: string;
  @Field() @IsString() @Matches(HOST_NAME, { message: 'host must be a host name' }) host!: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(512) token?: string;
}

@ArgsType()
export class UndeployArgs extends JobOnHostArgs {
  @Field({ nullable: true, description: 'the deployment group the deployment belongs to, also a removed one (its deployments stay behind)' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, { message: 'deploymentGroupName must be a deployment group name' })
  deploymentGroupName?: string;

  @Field({ nullable: true, description: "undeploy a group's deployment without naming the group (admin role)" })
  @IsOptional()
  @IsBoolean()
  overrideGroup?: boolean;
}

@ArgsType()
export class DeployArgs extends JobOnHostArgs {
  @Field({ nullable: true, description: 'START (default) or STOP' }) @IsOptional() @IsIn(['START', 'STOP']) goal?: 'START' | 'STOP';
}

@ArgsType()
export class RegisterHostArgs {
  @Field() @IsString() @Matches(HOST_NAME, { message: 'host must be a host name' }) host!: string;
  @Field() @IsString() @IsNotEmpty() @MaxLength(256) @NoControlCharacters() agentId!: string;
  @Field(() => JSONScalar, { nullable: true }) @ValidateIf((_body: object, labels: unknown) => labels !== undefined) @IsHostLabels() labels?: Record<string, string>;
  @Field(() => JSONScalar, { nullable: true }) @IsOptional() @IsObject() info?: Record<string, unknown>;
}

@ArgsType()
export class HostNameArgs {
  @Field() @IsString() @Matches(HOST_NAME, { message: 'host must be a host name' }) host!: string;
}

@InputType()
export class EventFeedFilter {
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(64) aggregate?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(128) type?: string;
}
