import { ApiRole } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CommandService, type ChangeResult } from '../commands/command.service';
import { paginateKeys } from '../read-model/cursor';
import { ReadService } from '../read-model/read.service';
import { ChangeResponseBody, CreateJobBody, ErrorResponseBody, JobsQuery, ReadQuery, TokenQuery } from './rest.dto';
import { Caller } from '../auth/caller.decorator';
import type { Principal } from '../auth/api-tokens';

@ApiTags('jobs')
@Access(ApiRole.READ)
@Controller('api/v1/jobs')
export class JobsController {
  constructor(
    private readonly reads: ReadService,
    private readonly commands: CommandService,
  ) {}

  @Get()
  @ApiOkResponse({ description: '{items, nextCursor, totalCount, sequence}: one page of jobs sorted by id' })
  list(@Query() query: JobsQuery) {
    const { first, after, atLeastSequence, ...filter } = query;
    return this.reads.read(atLeastSequence, (views) => paginateKeys(views.jobIds(filter), (ids) => views.jobRows(ids), first, after));
  }

  @Get(':id')
  @ApiOkResponse({ description: '{job, sequence}: the job with its deployments and task status per host' })
  @ApiNotFoundResponse({ type: ErrorResponseBody })
  @ApiConflictResponse({ type: ErrorResponseBody, description: 'AMBIGUOUS_JOB_REFERENCE' })
  get(@Param('id') id: string, @Query() query: ReadQuery) {
    return this.reads.read(query.atLeastSequence, (views) => ({ job: views.job(id) }));
  }

  @Get(':id/history')
  @ApiOkResponse({ description: '{jobId, entries, sequence}: task state changes on every host' })
  @ApiNotFoundResponse({ type: ErrorResponseBody })
  history(@Param('id') id: string, @Query() query: ReadQuery) {
    return this.reads.read(query.atLeastSequence, (views) => {
      const jobId = views.job(id).id;
      return { jobId, entries: this.reads.model.history(jobId) };
    });
  }

  @Access(ApiRole.DEPLOY)
  @Post()
  @ApiCreatedResponse({ type: ChangeResponseBody })
  @ApiBadRequestResponse({ type: ErrorResponseBody, description: 'INVALID_JOB_DEFINITION, INVALID_REQUEST' })
  @ApiConflictResponse({ type: ErrorResponseBody, description: 'JOB_ALREADY_EXISTS' })
  create(@Body() body: CreateJobBody, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).createJob(body.job);
  }

  @Access(ApiRole.DEPLOY)
  @Delete(':id')
  @ApiOkResponse({ type: ChangeResponseBody })
  @ApiNotFoundResponse({ type: ErrorResponseBody })
  @ApiConflictResponse({ type: ErrorResponseBody, description: 'STILL_IN_USE' })
  remove(@Param('id') id: string, @Query() query: TokenQuery, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).removeJob(id, query.token);
  }
}
