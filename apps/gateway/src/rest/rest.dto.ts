import { IsHostLabels, NoControlCharacters } from '@berth/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsNotEmpty, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { RolloutOptionsInput } from '../graphql/dto/group.args';

const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;
const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);
const toList = ({ value }: { value: unknown }) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);

export class ReadQuery {
  @ApiPropertyOptional({ description: 'wait (bounded) until the read model has reached this stream sequence' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0)
  atLeastSequence?: number;
}

export class PageQuery extends ReadQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) first?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' }) @IsOptional() @IsString() @MaxLength(512) after?: string;
}

export class JobsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Helios matching: id, name:version, name, prefix, substring' }) @IsOptional() @IsString() @MaxLength(512) pattern?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(256) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(256) version?: string;
  @ApiPropertyOptional({ description: 'only jobs deployed somewhere' }) @IsOptional() @Transform(toBoolean) @IsBoolean() deployed?: boolean;
}

export class HostsQuery extends ReadQuery {
  @ApiPropertyOptional({ type: [String], description: 'Helios selectors (repeat the parameter)' })
  @IsOptional() @Transform(toList) @ArrayMaxSize(64) @IsString({ each: true }) @MaxLength(1024, { each: true })
  selector?: string[];

  @ApiPropertyOptional({ enum: ['UP', 'DOWN'] }) @IsOptional() @IsIn(['UP', 'DOWN']) status?: 'UP' | 'DOWN';
  @ApiPropertyOptional({ description: 'substring of the host name' }) @IsOptional() @IsString() @MaxLength(253) pattern?: string;
}

export class EventsQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) aggregate?: string;
  @ApiPropertyOptional({ description: 'aggregate id' }) @IsOptional() @IsString() @MaxLength(512) id?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(0) fromSequence?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(0) toSequence?: number;
  @ApiPropertyOptional() @IsOptional() @IsISO8601() fromTime?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601() toTime?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(256) actor?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) type?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) correlationId?: string;
}

export class TokenQuery {
  @ApiPropertyOptional({ description: "the job's token, when it has one" }) @IsOptional() @IsString() @MaxLength(512) token?: string;
}

export class UndeployQuery extends TokenQuery {
  @ApiPropertyOptional({ description: 'the deployment group the deployment belongs to, also a removed one' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, { message: 'deploymentGroupName must be a deployment group name' })
  deploymentGroupName?: string;

  @ApiPropertyOptional({ description: "undeploy a group's deployment without naming the group (admin role)" })
  @IsOptional()
  @IsIn(['true', 'false'])
  overrideGroup?: 'true' | 'false';
}

export class CreateJobBody {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the job file (Helios field names)' }) @IsObject() job!: Record<string, unknown>;
}

export class DeployBody {
  @ApiProperty({ description: 'job reference' }) @IsString() @IsNotEmpty() @MaxLength(512) job!: string;
  @ApiProperty() @IsString() @Matches(HOST_NAME, { message: 'host must be a host name' }) host!: string;
  @ApiPropertyOptional({ enum: ['START', 'STOP'] }) @IsOptional() @IsIn(['START', 'STOP']) goal?: 'START' | 'STOP';
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(512) token?: string;
}

export class RegisterHostBody {
  @ApiProperty() @IsString() @Matches(HOST_NAME, { message: 'host must be a host name' }) host!: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(256) @NoControlCharacters() agentId!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } }) @ValidateIf((_body: object, labels: unknown) => labels !== undefined) @IsHostLabels() labels?: Record<string, string>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) @IsOptional() @IsObject() info?: Record<string, unknown>;
}

export class ErrorResponseBody {
  @ApiProperty({ example: 'JOB_NOT_FOUND' }) code!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) details!: Record<string, unknown>;
}

export class ChangeResponseBody {
  @ApiProperty({ description: 'stream sequence of the events; pass as atLeastSequence to read your write' }) sequence!: number;
}

const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export class GroupSelectorsBody {
  @ApiProperty({ type: [String], description: 'Helios selectors: k=v, k!=v, k in (a,b), k notin (a,b); a host must match all' })
  @IsArray() @ArrayMaxSize(64) @IsString({ each: true }) @MaxLength(1024, { each: true })
  selectors!: string[];
}

export class CreateDeploymentGroupBody extends GroupSelectorsBody {
  @ApiProperty({ description: 'letters, digits, ".", "_" and "-", at most 128 characters' }) @IsString() @Matches(GROUP_NAME, { message: 'name must be a deployment group name' }) name!: string;
  @ApiPropertyOptional({ type: () => RolloutOptionsInput, description: "the group's default update strategy" }) @IsOptional() @ValidateNested() @Type(() => RolloutOptionsInput) defaults?: RolloutOptionsInput;
}

export class RollingUpdateBody {
  @ApiProperty({ description: 'job reference: full id, name:version, name or id prefix' }) @IsString() @IsNotEmpty() @MaxLength(512) job!: string;
  @ApiPropertyOptional({ type: () => RolloutOptionsInput, description: "over the job's rolloutOptions and the group's defaults" }) @IsOptional() @ValidateNested() @Type(() => RolloutOptionsInput) options?: RolloutOptionsInput;
}

export class RolloutsQuery extends ReadQuery {
  @ApiPropertyOptional({ description: "only this group's rollouts" }) @IsOptional() @IsString() @Matches(GROUP_NAME, { message: 'group must be a deployment group name' }) group?: string;
}

export class FailRolloutBody {
  @ApiPropertyOptional({ description: 'why (recorded as the rollout error)' }) @IsOptional() @IsString() @MaxLength(1024) error?: string;
}

export class HostHealthBody {
  @ApiProperty() @IsBoolean() healthy!: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1024) message?: string;
}

export class AsOfQuery {
  @ApiPropertyOptional({ description: 'fold events up to this stream sequence' }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) sequence?: number;
  @ApiPropertyOptional({ description: 'fold the stream up to the first event decided after this ISO-8601 time (with sequence too: the earlier of both)' })
  @IsOptional()
  @IsISO8601()
  time?: string;
}

export class DeploymentsAsOfQuery extends AsOfQuery {
  @ApiPropertyOptional({ type: [String], description: "Helios selectors on the host's labels as they were (repeat the parameter)" })
  @IsOptional() @Transform(toList) @ArrayMaxSize(64) @IsString({ each: true }) @MaxLength(1024, { each: true })
  selector?: string[];

  @ApiPropertyOptional({ description: 'only jobs matching this, as berth status -j' }) @IsOptional() @IsString() @MaxLength(512) job?: string;
  @ApiPropertyOptional({ description: 'only hosts whose name contains this' }) @IsOptional() @IsString() @MaxLength(253) host?: string;
}
