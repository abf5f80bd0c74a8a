import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { API_ROLES } from './api-role';
import { CommandRequest, CreateJobRequest, RemoveJobRequest } from './command-request';
import { IsActorName, IsHostLabels, NoControlCharacters } from './request-rules';

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
  ANOMALIES: 'anomalies',
  CREATE_DEPLOYMENT_GROUP: 'create-deployment-group',
  REMOVE_DEPLOYMENT_GROUP: 'remove-deployment-group',
  UPDATE_DEPLOYMENT_GROUP: 'update-deployment-group',
  LIST_DEPLOYMENT_GROUPS: 'deployment-groups',
  INSPECT_DEPLOYMENT_GROUP: 'deployment-group',
  DEPLOYMENT_GROUP_STATUS: 'deployment-group-status',
  STOP_DEPLOYMENT_GROUP: 'stop-deployment-group',
  ROLLING_UPDATE: 'rolling-update',
  LIST_ROLLOUTS: 'rollouts',
  INSPECT_ROLLOUT: 'rollout',
  PROMOTE_ROLLOUT: 'promote',
  PAUSE_ROLLOUT: 'pause',
  RESUME_ROLLOUT: 'resume',
  FAIL_ROLLOUT: 'fail',
  RETRY_ROLLOUT: 'retry',
  SET_HOST_HEALTH: 'set-host-health',
  CREATE_API_TOKEN: 'create-api-token',
  REVOKE_API_TOKEN: 'revoke-api-token',
} as const;
export type SchedulerCommand = (typeof SchedulerCommand)[keyof typeof SchedulerCommand];

const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;
const HOST_NAME_MESSAGE = 'host must be a host name: letters, digits, ".", "_" and "-", at most 253 characters';

/** Absent is fine; present (even null) must pass the other checks: IsOptional would let null through. */
const IfPresent = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** Queries change nothing, so `actor` is optional (but never null or another type). */
export abstract class QueryRequest {
  @IfPresent()
  @IsString()
  @IsActorName()
  actor?: string;

  @IfPresent()
  @IsString()
  @MaxLength(128)
  @NoControlCharacters()
  correlationId?: string;
}

export { CreateJobRequest, RemoveJobRequest };

/** The domain's half-open PortRange: `to` is exclusive, so 65536 ends a range at port 65535. */
class PortRangeDto {
  @IsInt()
  @Min(1)
  @Max(65535)
  from!: number;

  @IsInt()
  @Min(2)
  @Max(65536)
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
  @NoControlCharacters()
  agentId!: string;

  /** string → string, keys as in selectors; null is not "no labels" but a mistake */
  @IfPresent()
  @IsHostLabels()
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
  @NoControlCharacters()
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

export class UndeployRequest extends JobOnHostRequest {
  /**
   * The deployment group the deployment belongs to, also one that was
   * removed (its deployments stay behind): required for a group's deployment.
   */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, { message: 'deploymentGroupName must be a deployment group name' })
  deploymentGroupName?: string;

  /** undeploy a group's deployment without naming the group: the gateway allows it to admins only */
  @IsOptional()
  @IsBoolean()
  overrideGroup?: boolean;
}
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
  @NoControlCharacters()
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

/** `anomalies`: what the scheduler's projection could not apply as written; no parameters. */
export class AnomaliesRequest extends QueryRequest {}

export class HostQueryRequest extends QueryRequest {
  @IsString()
  @Matches(HOST_NAME, { message: HOST_NAME_MESSAGE })
  host!: string;
}

const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const GROUP_NAME_MESSAGE = 'name must be a deployment group name: letters, digits, ".", "_" and "-", at most 128 characters';
const COUNT_OR_PERCENT = /^\d+(\.\d+)?%$/;

/** A host count (integer ≥ 0) or a percentage of the rollout's hosts ("25%"); the domain checks the range. */
function IsCountOrPercent(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCountOrPercent',
      validator: {
        validate: (value: unknown) => (typeof value === 'number' && Number.isInteger(value) && value >= 0) || (typeof value === 'string' && COUNT_OR_PERCENT.test(value)),
        defaultMessage: () => '$property must be an integer ≥ 0 or a percentage like "25%"',
      },
    },
    options,
  );
}

/**
 * Helios's rolling-update options and Nomad's update stanza (libs/domain
 * rollout-options.ts documents each); durations in seconds. The domain
 * checks ranges and combinations (INVALID_ROLLOUT_OPTIONS).
 */
export class UpdateStrategyDto {
  @IsOptional() @IsInt() parallelism?: number;
  @IsOptional() @IsInt() maxParallel?: number;
  @IsOptional() @IsNumber() timeout?: number;
  @IsOptional() @IsBoolean() overlap?: boolean;
  @IsOptional() @IsBoolean() migrate?: boolean;
  @IsOptional() @IsString() @MaxLength(512) token?: string;
  /** the token of the jobs the rollout replaces; default `token` */
  @IsOptional() @IsString() @MaxLength(512) oldJobToken?: string;
  @IsOptional() @IsBoolean() ignoreFailures?: boolean;
  @IsOptional() @IsNumber() stagger?: number;
  @IsOptional() @IsIn(['task_states', 'checks', 'manual']) healthCheck?: 'task_states' | 'checks' | 'manual';
  @IsOptional() @IsNumber() minHealthyTime?: number;
  @IsOptional() @IsNumber() healthyDeadline?: number;
  @IsOptional() @IsNumber() progressDeadline?: number;
  @IsOptional() @IsBoolean() autoRevert?: boolean;
  @IsOptional() @IsInt() canary?: number;
  @IsOptional() @IsBoolean() autoPromote?: boolean;
  @IsOptional() @IsCountOrPercent() maxUnavailable?: number | `${number}%`;
  @IsOptional() @IsCountOrPercent() failureThreshold?: number | `${number}%`;
  @IsOptional() @IsBoolean() prestage?: boolean;
  @IsOptional() @IsCountOrPercent() prestageQuorum?: number | `${number}%`;
}

export class DeploymentGroupRequest extends CommandRequest {
  @IsString()
  @Matches(GROUP_NAME, { message: GROUP_NAME_MESSAGE })
  name!: string;
}

export class CreateDeploymentGroupRequest extends DeploymentGroupRequest {
  /** Helios selectors, all of which a host must match: `k=v`, `k!=v`, `k in (a,b)`, `k notin (a,b)` */
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @MaxLength(1024, { each: true })
  selectors!: string[];

  /** the group's default update strategy (a rolling-update's options win over it) */
  @IsOptional()
  @ValidateNested()
  @Type(() => UpdateStrategyDto)
  defaults?: UpdateStrategyDto;
}

export class UpdateDeploymentGroupRequest extends DeploymentGroupRequest {
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @MaxLength(1024, { each: true })
  selectors!: string[];
}

export class RemoveDeploymentGroupRequest extends DeploymentGroupRequest {}
export class StopDeploymentGroupRequest extends DeploymentGroupRequest {}

export class DeploymentGroupQueryRequest extends QueryRequest {
  @IsString()
  @Matches(GROUP_NAME, { message: GROUP_NAME_MESSAGE })
  name!: string;
}

export class ListDeploymentGroupsRequest extends QueryRequest {}

export class RollingUpdateRequest extends CommandRequest {
  @IsString()
  @Matches(GROUP_NAME, { message: GROUP_NAME_MESSAGE })
  group!: string;

  /** start even inside a deploy freeze of the group, for this reason (recorded as FreezeOverridden) */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  overrideFreeze?: string;

  /** a job reference: full id, name:version, name or id prefix */
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  @NoControlCharacters()
  job!: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => UpdateStrategyDto)
  options?: UpdateStrategyDto;
}

export class ListRolloutsRequest extends QueryRequest {
  @IsOptional()
  @IsString()
  @Matches(GROUP_NAME, { message: GROUP_NAME_MESSAGE })
  group?: string;
}

/** An integer in [min, max], as one problem (IsInt, Min and Max would each report one). */
function IsIntegerFrom(min: number, max: number): PropertyDecorator {
  return ValidateBy({
    name: 'isIntegerFrom',
    validator: {
      validate: (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max,
      defaultMessage: () => `$property must be an integer from ${min} to ${max}`,
    },
  });
}

/** `berth.cmd.rollout` answers one page of host rows: this many by default, at most ROLLOUT_HOSTS_MAX_LIMIT. */
export const ROLLOUT_HOSTS_DEFAULT_LIMIT = 1000;
export const ROLLOUT_HOSTS_MAX_LIMIT = 5000;
/**
 * A page also ends before its rows' JSON passes this many characters, so
 * an answer stays well under NATS's default 1 MB max payload whatever the
 * host names and failure messages.
 */
export const ROLLOUT_HOSTS_PAGE_MAX_CHARS = 600_000;

/** A rollout with one page of its hosts' rows, in natural order of host name, after `hostsAfter`. */
export class RolloutQueryRequest extends QueryRequest {
  @IsUUID()
  id!: string;

  /** the `nextHostsAfter` of the previous page: rows of hosts after this name */
  @IfPresent()
  @IsString()
  @Matches(HOST_NAME, { message: 'hostsAfter must be a host name (the nextHostsAfter of the previous page)' })
  hostsAfter?: string;

  @IfPresent()
  @IsIntegerFrom(1, ROLLOUT_HOSTS_MAX_LIMIT)
  hostsLimit?: number;
}

/** promote, pause, resume, retry */
export class RolloutCommandRequest extends CommandRequest {
  @IsUUID()
  rollout!: string;
}

export class FailRolloutRequest extends RolloutCommandRequest {
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  error?: string;
}

/** A health verdict for one host of a rollout with `healthCheck: manual`. */
export class SetHostHealthRequest extends RolloutCommandRequest {
  @IsString()
  @Matches(HOST_NAME, { message: HOST_NAME_MESSAGE })
  host!: string;

  @IsBoolean()
  healthy!: boolean;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  message?: string;
}

/** An API token created by an admin: only the SHA-256 of the secret travels (the gateway makes up the token). */
export class CreateApiTokenRequest extends CommandRequest {
  /** becomes the `actor` of every event the token causes; the domain checks it like an actor name */
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  subject!: string;

  @IsIn(API_ROLES)
  role!: string;

  @IsString()
  @Matches(/^[0-9a-f]{64}$/, { message: 'tokenSha256 must be 64 lowercase hex digits' })
  tokenSha256!: string;
}

export class RevokeApiTokenRequest extends CommandRequest {
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  subject!: string;
}
