import { ArgsType, Field, InputType, Int } from '@nestjs/graphql';
import { ArrayMaxSize, IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';

@ArgsType()
export class ReadArgs {
  @Field(() => Int, { nullable: true, description: 'wait (bounded) until the read model has reached this stream sequence' })
  @IsOptional()
  @IsInt()
  @Min(0)
  atLeastSequence?: number;
}

@InputType('JobFilter')
export class JobFilterInput {
  @Field({ nullable: true, description: 'Helios matching: id, name:version, name, id prefix or substring' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  pattern?: string;

  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(256) name?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(256) version?: string;
  @Field({ nullable: true, description: 'only jobs deployed on at least one host' }) @IsOptional() @IsBoolean() deployed?: boolean;
}

@ArgsType()
export class PageArgs extends ReadArgs {
  @Field(() => Int, { nullable: true, description: 'page size, 1-1000 (default 100)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  first?: number;

  @Field({ nullable: true, description: 'cursor from the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  after?: string;
}

@ArgsType()
export class JobsArgs extends PageArgs {
  @Field(() => JobFilterInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => JobFilterInput)
  filter?: JobFilterInput;
}

@ArgsType()
export class JobArgs extends ReadArgs {
  @Field({ description: 'job reference: full id, name:version, name or id prefix' })
  @IsString()
  @MaxLength(512)
  id!: string;
}

@ArgsType()
export class HostsArgs extends ReadArgs {
  @Field(() => [String], { nullable: true, description: 'Helios selectors: k=v, k!=v, k in (a,b), k notin (a,b)' })
  @IsOptional()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @MaxLength(1024, { each: true })
  selectors?: string[];

  @Field({ nullable: true }) @IsOptional() @IsIn(['UP', 'DOWN']) status?: 'UP' | 'DOWN';
  @Field({ nullable: true, description: 'substring of the host name' }) @IsOptional() @IsString() @MaxLength(253) pattern?: string;
}

@ArgsType()
export class HostArgs extends ReadArgs {
  @Field() @IsString() @MaxLength(253) name!: string;
}

@ArgsType()
export class AsOfArgs {
  @Field(() => Int, { nullable: true, description: 'fold events up to this stream sequence' })
  @IsOptional()
  @IsInt()
  @Min(0)
  sequence?: number;

  @Field({ nullable: true, description: 'fold the stream up to the first event decided after this ISO-8601 time (with sequence too: the earlier of both)' })
  @IsOptional()
  @IsISO8601()
  time?: string;
}

@ArgsType()
export class JobAsOfArgs extends AsOfArgs {
  @Field({ description: 'full job id name:version:hash' }) @IsString() @MaxLength(512) id!: string;
}

@ArgsType()
export class HostAsOfArgs extends AsOfArgs {
  @Field() @IsString() @MaxLength(253) name!: string;
}

@ArgsType()
export class DeploymentsAsOfArgs extends AsOfArgs {
  @Field(() => [String], { nullable: true, description: "Helios selectors on the host's labels as they were: k=v, k!=v, k in (a,b), k notin (a,b)" })
  @IsOptional()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @MaxLength(1024, { each: true })
  selectors?: string[];

  @Field({ nullable: true, description: 'only jobs matching this, as berth status -j: id, name:version, name, prefix, substring' }) @IsOptional() @IsString() @MaxLength(512) job?: string;
  @Field({ nullable: true, description: 'only hosts whose name contains this' }) @IsOptional() @IsString() @MaxLength(253) host?: string;
}

@ArgsType()
export class EventsArgs extends PageArgs {
  @Field({ nullable: true, description: 'job, host, deployment, …' }) @IsOptional() @IsString() @MaxLength(64) aggregate?: string;
  @Field({ nullable: true, description: 'aggregate id' }) @IsOptional() @IsString() @MaxLength(512) id?: string;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(0) fromSequence?: number;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(0) toSequence?: number;
  @Field({ nullable: true }) @IsOptional() @IsISO8601() fromTime?: string;
  @Field({ nullable: true }) @IsOptional() @IsISO8601() toTime?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(256) actor?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(128) type?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(128) correlationId?: string;
}
