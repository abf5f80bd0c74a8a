import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CommandRequest, CreateJobRequest, RemoveJobRequest } from './command-request';

/**
 * The scheduler's NATS API: `berth.cmd.<name>`, JSON in, CommandResponse out.
 * docs/nats-api.md documents every one of them.
 */
export const SchedulerCommand = {
  CREATE_JOB: 'create-job',
  REMOVE_JOB: 'remove-job',
  REGISTER_HOST: 'register-host',
  DEREGISTER_HOST: 'deregister-host',
  DEPLOY: 'deploy',
  UNDEPLOY: 'undeploy',
  START: 'start',
  STOP: 'stop',
  LIST_JOBS: 'jobs',
  INSPECT_JOB: 'job',
  LIST_HOSTS: 'hosts',
  HOST_STATUS: 'host-status',
  JOB_STATUS: 'job-status',
  JOB_HISTORY: 'job-history',
} as const;
export type SchedulerCommand = (typeof SchedulerCommand)[keyof typeof SchedulerCommand];

const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;
const HOST_NAME_MESSAGE = 'host must be a host name: letters, digits, ".", "_" and "-", at most 253 characters';

/** Queries change nothing, so `actor` is optional. */
export abstract class QueryRequest {
  @IsOptional()
  @IsString()
  @MaxLength(256)
  actor?: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  correlationId?: string;
}

export { CreateJobRequest, RemoveJobRequest };

class PortRangeDto {
  @IsInt()
  @Min(1)
  @Max(65535)
  from!: number;

  @IsInt()
  @Min(1)
  @Max(65535)
  to!: number;
}

export class RegisterHostRequest extends CommandRequest {
  @IsString()
  @Matches(HOST_NAME, { message: HOST_NAME_MESSAGE })
  host!: string;

  /** unique id of the agent installation (Helios's host id) */
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  agentId!: string;

  @IsOptional()
  @IsObject()
  labels?: Record<string, string>;

  @IsOptional()
  @IsObject()
  info?: Record<string, unknown>;

  @IsOptional()
  @ValidateNested()
  @Type(() => PortRangeDto)
  portRange?: PortRangeDto;
}

export class DeregisterHostRequest extends CommandRequest {
  @IsString()
  @Matches(HOST_NAME, { message: HOST_NAME_MESSAGE })
  host!: string;
}

/** A job on a host: `job` is a reference (full id, name:version, name, prefix) resolved like Helios. */
export class JobOnHostRequest extends CommandRequest {
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  job!: string;

  @IsString()
  @Matches(HOST_NAME, { message: HOST_NAME_MESSAGE })
  host!: string;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  token?: string;
}

export class DeployRequest extends JobOnHostRequest {
  @IsOptional()
  @IsIn(['START', 'STOP'])
  goal?: 'START' | 'STOP';
}

export class UndeployRequest extends JobOnHostRequest {}
export class StartRequest extends JobOnHostRequest {}
export class StopRequest extends JobOnHostRequest {}

export class ListJobsRequest extends QueryRequest {
  /** Helios matching: exact id, name:version, name, id prefix, substring */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  pattern?: string;

  /** only jobs deployed on at least one host (`jobs -y`) */
  @IsOptional()
  @IsBoolean()
  deployed?: boolean;
}

export class JobQueryRequest extends QueryRequest {
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  job!: string;
}

export class ListHostsRequest extends QueryRequest {
  /** substring of the host name */
  @IsOptional()
  @IsString()
  @MaxLength(253)
  pattern?: string;

  /** Helios selectors: `k=v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`; all must match */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @MaxLength(1024, { each: true })
  selectors?: string[];

  @IsOptional()
  @IsIn(['UP', 'DOWN'])
  status?: 'UP' | 'DOWN';
}

export class HostQueryRequest extends QueryRequest {
  @IsString()
  @Matches(HOST_NAME, { message: HOST_NAME_MESSAGE })
  host!: string;
}
