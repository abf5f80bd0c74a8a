import { Access } from '../auth/access.decorator';
import { PipelineCommand, RELEASE_STATUSES, ApiRole } from '@berth/contracts';
import { ReleaseQueries, type ReleaseDetail } from '@berth/read-model';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiPropertyOptional, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsNotEmpty, IsNumber, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { CommandService, type ChangeResult } from '../commands/command.service';
import { assertMayOverrideFreeze } from '../commands/freeze-override';
import { MarkForDeploymentArgs } from '../graphql/dto/release.args';
import { ReadService } from '../read-model/read.service';
import { ErrorResponseBody, ReadQuery } from './rest.dto';
import { Caller } from '../auth/caller.decorator';
import type { Principal } from '../auth/api-tokens';

export class PipelineSourceBody {
  @ApiProperty({ description: 'deploy.yaml as text (YAML or JSON)' }) @IsString() @IsNotEmpty() @MaxLength(262_144) source!: string;
}

export class ReleasesQuery extends ReadQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) service?: string;
  @ApiPropertyOptional({ enum: RELEASE_STATUSES }) @IsOptional() @IsIn(RELEASE_STATUSES) status?: ReleaseDetail['status'];
}

export class RollbackBody {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1024) reason?: string;
}

export class SnoozeBody {
  @ApiPropertyOptional({ description: 'seconds' }) @IsOptional() @IsNumber() @Min(1) seconds?: number;
}

export class GateBody {
  @ApiProperty() @IsBoolean() passed!: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4096) message?: string;
}

const CONFLICT = 'RELEASE_STATE_CONFLICT, RELEASE_IN_PROGRESS, VERSION_MARKED_BAD or GATE_NOT_PENDING';

/** Pipelines and releases over REST: the same commands as GraphQL (docs/nats-api.md "Pipelines and releases"). */
@ApiTags('releases')
@Access(ApiRole.READ)
@Controller('api/v1')
export class ReleasesController {
  private readonly queries: ReleaseQueries;

  constructor(
    private readonly reads: ReadService,
    private readonly commands: CommandService,
  ) {
    this.queries = new ReleaseQueries(reads.model.projection);
  }

  @Get('pipelines')
  @ApiOkResponse({ description: '{pipelines, sequence}' })
  pipelines(@Query() query: ReadQuery) {
    return this.reads.read(query.atLeastSequence, (): { pipelines: unknown[] } => ({ pipelines: this.queries.pipelines() }));
  }

  @Get('pipelines/:service')
  @ApiNotFoundResponse({ type: ErrorResponseBody, description: 'PIPELINE_NOT_FOUND' })
  pipeline(@Param('service') service: string, @Query() query: ReadQuery) {
    return this.reads.read(query.atLeastSequence, (): { pipeline: unknown } => ({ pipeline: this.queries.pipeline(service) }));
  }

  @Access(ApiRole.ADMIN)
  @Put('pipelines/:service')
  @ApiOkResponse({ description: 'the pipeline, changed, sequence; INVALID_PIPELINE (400) lists each problem with its line' })
  setPipeline(@Param('service') service: string, @Body() body: PipelineSourceBody, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).pipelineCommand(PipelineCommand.SET_PIPELINE, { service, source: body.source });
  }

  @Access(ApiRole.ADMIN)
  @Delete('pipelines/:service')
  removePipeline(@Param('service') service: string, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).pipelineCommand(PipelineCommand.REMOVE_PIPELINE, { service });
  }

  @Post('pipelines/:service/validate')
  @HttpCode(200)
  @ApiOkResponse({ description: '{valid, problems: {path, line, message}[]}: schema and cluster checks; stores nothing' })
  validate(@Param('service') service: string, @Body() body: PipelineSourceBody, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).pipelineCommand(PipelineCommand.VALIDATE_PIPELINE, { service, source: body.source });
  }

  @Access(ApiRole.DEPLOY)
  @Post('releases')
  @ApiOkResponse({ description: 'mark-for-deployment: {releaseId, release, sequence}' })
  @ApiConflictResponse({ type: ErrorResponseBody, description: CONFLICT })
  markForDeployment(@Body() body: MarkForDeploymentArgs, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    assertMayOverrideFreeze(body.overrideFreeze, caller);
    return this.commands.as(caller).pipelineCommand(PipelineCommand.MARK_FOR_DEPLOYMENT, { ...body });
  }

  @Get('releases')
  @ApiOkResponse({ description: '{releases, sequence}: newest first' })
  releases(@Query() query: ReleasesQuery) {
    const filter = { ...(query.service === undefined ? {} : { service: query.service }), ...(query.status === undefined ? {} : { status: query.status }) };
    return this.reads.read(query.atLeastSequence, (): { releases: unknown[] } => ({ releases: this.queries.releases(filter) }));
  }

  @Get('releases/:id')
  @ApiNotFoundResponse({ type: ErrorResponseBody, description: 'RELEASE_NOT_FOUND' })
  release(@Param('id', ParseUUIDPipe) id: string, @Query() query: ReadQuery) {
    return this.reads.read(query.atLeastSequence, (): { release: unknown } => ({ release: this.queries.release(id) }));
  }

  @Access(ApiRole.DEPLOY)
  @Post('releases/:id/advance')
  @HttpCode(200)
  @ApiConflictResponse({ type: ErrorResponseBody, description: CONFLICT })
  advance(@Param('id', ParseUUIDPipe) id: string, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).pipelineCommand(PipelineCommand.ADVANCE_RELEASE, { release: id });
  }

  @Access(ApiRole.DEPLOY)
  @Post('releases/:id/complete')
  @HttpCode(200)
  @ApiConflictResponse({ type: ErrorResponseBody, description: CONFLICT })
  complete(@Param('id', ParseUUIDPipe) id: string, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).pipelineCommand(PipelineCommand.COMPLETE_RELEASE, { release: id });
  }

  @Access(ApiRole.DEPLOY)
  @Post('releases/:id/abandon')
  @HttpCode(200)
  @ApiConflictResponse({ type: ErrorResponseBody, description: CONFLICT })
  abandon(@Param('id', ParseUUIDPipe) id: string, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).pipelineCommand(PipelineCommand.ABANDON_RELEASE, { release: id });
  }

  @Access(ApiRole.DEPLOY)
  @Post('releases/:id/rollback')
  @HttpCode(200)
  @ApiConflictResponse({ type: ErrorResponseBody, description: CONFLICT })
  rollback(@Param('id', ParseUUIDPipe) id: string, @Body() body: RollbackBody, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).pipelineCommand(PipelineCommand.ROLLBACK_RELEASE, { release: id, reason: body.reason });
  }

  @Access(ApiRole.DEPLOY)
  @Post('releases/:id/snooze')
  @HttpCode(200)
  @ApiConflictResponse({ type: ErrorResponseBody, description: CONFLICT })
  snooze(@Param('id', ParseUUIDPipe) id: string, @Body() body: SnoozeBody, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).pipelineCommand(PipelineCommand.SNOOZE_RELEASE, { release: id, seconds: body.seconds });
  }

  @Access(ApiRole.DEPLOY)
  @Post('gates/:service/:gate')
  @HttpCode(200)
  @ApiOkResponse({ description: "a gate verdict for the service's release in flight: {release, sequence}" })
  @ApiConflictResponse({ type: ErrorResponseBody, description: 'GATE_NOT_PENDING' })
  gate(@Param('service') service: string, @Param('gate') gate: string, @Body() body: GateBody, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).pipelineCommand(PipelineCommand.REPORT_GATE, { service, gate, passed: body.passed, message: body.message });
  }
}
