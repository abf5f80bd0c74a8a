import { ApiRole } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CommandService, type ChangeResult, type RolloutCommand } from '../commands/command.service';
import { ReadService } from '../read-model/read.service';
import { ChangeResponseBody, ErrorResponseBody, FailRolloutBody, HostHealthBody, ReadQuery, RolloutsQuery } from './rest.dto';
import { Caller } from '../auth/caller.decorator';
import type { Principal } from '../auth/api-tokens';

const CONFLICT = 'ROLLOUT_STATE_CONFLICT: the command does not apply to the rollout now';

@ApiTags('rollouts')
@Access(ApiRole.READ)
@Controller('api/v1/rollouts')
export class RolloutsController {
  constructor(
    private readonly reads: ReadService,
    private readonly commands: CommandService,
  ) {}

  @Get()
  @ApiOkResponse({ description: "{rollouts, sequence}: oldest first, or one group's" })
  list(@Query() query: RolloutsQuery) {
    return this.reads.read(query.atLeastSequence, (): { rollouts: unknown[] } => ({ rollouts: this.reads.groups.rollouts(query.group) }));
  }

  @Get(':id')
  @ApiOkResponse({ description: '{rollout, sequence}: the rollout with its options, limits and every host with its step' })
  @ApiNotFoundResponse({ type: ErrorResponseBody, description: 'ROLLOUT_NOT_FOUND' })
  get(@Param('id', ParseUUIDPipe) id: string, @Query() query: ReadQuery) {
    return this.reads.read(query.atLeastSequence, (): { rollout: unknown } => ({ rollout: this.reads.groups.rollout(id) }));
  }

  @Access(ApiRole.DEPLOY)
  @Post(':id/promote')
  @HttpCode(200)
  @ApiOkResponse({ type: ChangeResponseBody, description: '{rollout, changed, sequence}' })
  @ApiNotFoundResponse({ type: ErrorResponseBody })
  @ApiConflictResponse({ type: ErrorResponseBody, description: CONFLICT })
  promote(@Param('id', ParseUUIDPipe) id: string, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.operate(caller, 'promote', id);
  }

  @Access(ApiRole.DEPLOY)
  @Post(':id/pause')
  @HttpCode(200)
  @ApiOkResponse({ type: ChangeResponseBody, description: '{rollout, changed, sequence}' })
  @ApiNotFoundResponse({ type: ErrorResponseBody })
  @ApiConflictResponse({ type: ErrorResponseBody, description: CONFLICT })
  pause(@Param('id', ParseUUIDPipe) id: string, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.operate(caller, 'pause', id);
  }

  @Access(ApiRole.DEPLOY)
  @Post(':id/resume')
  @HttpCode(200)
  @ApiOkResponse({ type: ChangeResponseBody, description: '{rollout, changed, sequence}' })
  @ApiNotFoundResponse({ type: ErrorResponseBody })
  @ApiConflictResponse({ type: ErrorResponseBody, description: CONFLICT })
  resume(@Param('id', ParseUUIDPipe) id: string, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.operate(caller, 'resume', id);
  }

  @Access(ApiRole.DEPLOY)
  @Post(':id/retry')
  @HttpCode(200)
  @ApiOkResponse({ type: ChangeResponseBody, description: '{rollout, changed, sequence}' })
  @ApiNotFoundResponse({ type: ErrorResponseBody })
  @ApiConflictResponse({ type: ErrorResponseBody, description: CONFLICT })
  retry(@Param('id', ParseUUIDPipe) id: string, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.operate(caller, 'retry', id);
  }

  @Access(ApiRole.DEPLOY)
  @Post(':id/fail')
  @HttpCode(200)
  @ApiOkResponse({ type: ChangeResponseBody, description: '{rollout, changed, sequence}' })
  @ApiNotFoundResponse({ type: ErrorResponseBody })
  @ApiConflictResponse({ type: ErrorResponseBody, description: CONFLICT })
  fail(@Param('id', ParseUUIDPipe) id: string, @Body() body: FailRolloutBody, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).failRollout(id, body.error);
  }

  @Access(ApiRole.DEPLOY)
  @Post(':id/hosts/:host/health')
  @HttpCode(200)
  @ApiOkResponse({ type: ChangeResponseBody, description: '{rollout, changed, sequence}: a verdict for a host of a rollout with healthCheck: manual' })
  @ApiNotFoundResponse({ type: ErrorResponseBody })
  @ApiConflictResponse({ type: ErrorResponseBody, description: CONFLICT })
  setHostHealth(@Param('id', ParseUUIDPipe) id: string, @Param('host') host: string, @Body() body: HostHealthBody, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).setHostHealth(id, host, body.healthy, body.message);
  }

  private operate(caller: Principal | undefined, command: RolloutCommand, id: string): Promise<ChangeResult> {
    return this.commands.as(caller).rolloutCommand(command, id);
  }
}
