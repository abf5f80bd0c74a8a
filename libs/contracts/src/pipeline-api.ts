import 'reflect-metadata';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsObject, IsNotEmpty, IsNumber, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { CommandRequest } from './command-request';
import { NoControlCharacters } from './request-rules';
import { QueryRequest } from './scheduler-api';
import { encodeSubjectToken } from './subject-token';

/**
 * The scheduler's pipeline and release commands on `berth.cmd.<name>`
 * (docs/nats-api.md), beside SchedulerCommand.
 */
export const PipelineCommand = {
  SET_PIPELINE: 'set-pipeline',
  REMOVE_PIPELINE: 'remove-pipeline',
  INSPECT_PIPELINE: 'pipeline',
  LIST_PIPELINES: 'pipelines',
  VALIDATE_PIPELINE: 'validate-pipeline',
  MARK_FOR_DEPLOYMENT: 'mark-for-deployment',
  LIST_RELEASES: 'releases',
  INSPECT_RELEASE: 'release',
  ADVANCE_RELEASE: 'release-advance',
  ROLLBACK_RELEASE: 'release-rollback',
  ABANDON_RELEASE: 'release-abandon',
  COMPLETE_RELEASE: 'release-complete',
  SNOOZE_RELEASE: 'release-snooze',
  REPORT_GATE: 'release-gate',
  START_RELEASE_PLAN: 'release-plan',
  INSPECT_RELEASE_PLAN: 'release-plan-status',
  LIST_RELEASE_PLANS: 'release-plans',
  ABANDON_RELEASE_PLAN: 'release-plan-abandon',
  SET_FREEZE: 'set-freeze',
  REMOVE_FREEZE: 'remove-freeze',
  LIST_FREEZES: 'freezes',
} as const;
export type PipelineCommand = (typeof PipelineCommand)[keyof typeof PipelineCommand];

/** Outside systems pass or fail a gate by publishing `{"passed": bool, "message"?, "actor"?}` here. */
export const GATE_SUBJECT_PREFIX = 'berth.gate';
export const GATE_SUBJECT_WILDCARD = `${GATE_SUBJECT_PREFIX}.*.*`;

/** `berth.gate.<service>.<gate>`: the verdict applies to the service's release in flight. */
export function gateSubject(service: string, gate: string): string {
  return `${GATE_SUBJECT_PREFIX}.${encodeSubjectToken(service)}.${encodeSubjectToken(gate)}`;
}

/** Release statuses (PaaSTA's), for filters and GraphQL enums. */
export const RELEASE_STATUSES = ['deploying', 'deployed', 'complete', 'rolling_back', 'rolled_back', 'abandoned', 'failed'] as const;

/** A service is a job name. */
const SERVICE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SERVICE_MESSAGE = 'service must be a job name: letters, digits, ".", "_" and "-", at most 128 characters';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_SECONDS = 30 * 86_400;

export class ServiceRequest extends CommandRequest {
  @IsString()
  @Matches(SERVICE, { message: SERVICE_MESSAGE })
  service!: string;
}

export class SetPipelineRequest extends ServiceRequest {
  /** deploy.yaml as text (YAML or JSON); problems are reported with their line */
  @IsString()
  @IsNotEmpty()
  @MaxLength(262_144)
  source!: string;
}

export class RemovePipelineRequest extends ServiceRequest {}

export class PipelineQueryRequest extends QueryRequest {
  @IsString()
  @Matches(SERVICE, { message: SERVICE_MESSAGE })
  service!: string;
}

export class ListPipelinesRequest extends QueryRequest {}

export class ValidatePipelineRequest extends QueryRequest {
  @IsString()
  @Matches(SERVICE, { message: SERVICE_MESSAGE })
  service!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(262_144)
  source!: string;
}

export class MarkForDeploymentRequest extends ServiceRequest {
  /** a job reference of the service: full id, name:version or id prefix */
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  @NoControlCharacters()
  job!: string;

  /** move this one deployment group only */
  @IsOptional()
  @IsString()
  @Matches(NAME, { message: 'group must be a deployment group name' })
  group?: string;

  @IsOptional() @IsBoolean() autoRollback?: boolean;
  /** seconds each group step may take */
  @IsOptional() @IsNumber() @Min(1) @Max(MAX_SECONDS) timeout?: number;
  @IsOptional() @IsNumber() @Min(0) @Max(MAX_SECONDS) autoCertifyDelay?: number;
  @IsOptional() @IsNumber() @Min(0) @Max(MAX_SECONDS) autoAbandonDelay?: number;
  /** deploy even where this job was rolled back before */
  @IsOptional() @IsBoolean() force?: boolean;

  /** start even inside a deploy freeze, for this reason (recorded in the release) */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(1024) overrideFreeze?: string;
}

export class ListReleasesRequest extends QueryRequest {
  @IsOptional()
  @IsString()
  @Matches(SERVICE, { message: SERVICE_MESSAGE })
  service?: string;

  @IsOptional()
  @IsIn(RELEASE_STATUSES)
  status?: (typeof RELEASE_STATUSES)[number];
}

export class ReleaseQueryRequest extends QueryRequest {
  @IsUUID()
  id!: string;
}

/** advance, complete, abandon */
export class ReleaseCommandRequest extends CommandRequest {
  @IsUUID()
  release!: string;
}

export class RollbackReleaseRequest extends ReleaseCommandRequest {
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  reason?: string;
}

export class SnoozeReleaseRequest extends ReleaseCommandRequest {
  @IsOptional() @IsNumber() @Min(1) @Max(MAX_SECONDS) seconds?: number;
}

/** A gate verdict: for `release`, or for the release in flight of `service`. */
export class ReportGateRequest extends CommandRequest {
  @ValidateIf((request: ReportGateRequest) => request.service === undefined || request.release !== undefined)
  @IsUUID()
  release?: string;

  @ValidateIf((request: ReportGateRequest) => request.release === undefined || request.service !== undefined)
  @IsString()
  @Matches(SERVICE, { message: SERVICE_MESSAGE })
  service?: string;

  @IsString()
  @Matches(NAME, { message: 'gate must be a name: letters, digits, ".", "_" and "-"' })
  gate!: string;

  @IsBoolean()
  passed!: boolean;

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  message?: string;
}

export class StartReleasePlanRequest extends CommandRequest {
  /** release.yaml as text (YAML or JSON): services with job, group, quorum, maxUnavailable, dependsOn */
  @IsString()
  @IsNotEmpty()
  @MaxLength(262_144)
  source!: string;
}

export class ReleasePlanQueryRequest extends QueryRequest {
  @IsUUID()
  id!: string;
}

export class ListReleasePlansRequest extends QueryRequest {}

export class ReleasePlanCommandRequest extends CommandRequest {
  @IsUUID()
  plan!: string;
}

export class SetFreezeRequest extends CommandRequest {
  @IsString()
  @Matches(NAME, { message: 'name must be a name: letters, digits, ".", "_" and "-"' })
  name!: string;

  /** services it applies to (absent: all) */
  @IsOptional() @IsArray() @ArrayMaxSize(256) @IsString({ each: true }) @MaxLength(128, { each: true }) @NoControlCharacters({ each: true }) services?: string[];

  /** deployment groups it applies to (absent: all) */
  @IsOptional() @IsArray() @ArrayMaxSize(256) @IsString({ each: true }) @MaxLength(128, { each: true }) @NoControlCharacters({ each: true }) groups?: string[];

  /** `{kind: 'range', from, to}` (ISO instants) or `{kind: 'weekly', days, from, to, timeZone}` (HH:MM, IANA zone); the domain checks it */
  @IsObject()
  window!: Record<string, unknown>;

  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  reason!: string;
}

export class RemoveFreezeRequest extends CommandRequest {
  @IsString()
  @Matches(NAME, { message: 'name must be a name' })
  name!: string;
}

export class ListFreezesRequest extends QueryRequest {}
