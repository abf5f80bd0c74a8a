import { ApiRole } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CommandService, type ChangeResult } from '../commands/command.service';
import { ReadService } from '../read-model/read.service';
import { ChangeResponseBody, CreateDeploymentGroupBody, ErrorResponseBody, GroupSelectorsBody, ReadQuery, RollingUpdateBody } from './rest.dto';
import { Caller } from '../auth/caller.decorator';
import type { Principal } from '../auth/api-tokens';

@ApiTags('deployment-groups')
@Access(ApiRole.READ)
@Controller('api/v1/deployment-groups')
export class DeploymentGroupsController {
  constructor(
    private readonly reads: ReadService,
    private readonly commands: CommandService,
  ) {}

  @Get()
  @ApiOkResponse({ description: '{groups, sequence}: every group sorted by name' })
  list(@Query() query: ReadQuery) {
    return this.reads.read(query.atLeastSequence, (): { groups: unknown[] } => ({ groups: this.reads.groups.groups() }));
  }

  @Access(ApiRole.ADMIN)
  @Post()
  @ApiCreatedResponse({ type: ChangeResponseBody, description: '{name, status: CREATED | NOT_MODIFIED, sequence}' })
  @ApiBadRequestResponse({ type: ErrorResponseBody, description: 'INVALID_REQUEST (bad selectors), INVALID_ROLLOUT_OPTIONS' })
  @ApiConflictResponse({ type: ErrorResponseBody, description: 'DEPLOYMENT_GROUP_ALREADY_EXISTS (other selectors or defaults)' })
  create(@Body() body: CreateDeploymentGroupBody, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).createDeploymentGroup(body.name, body.selectors, body.defaults);
  }

  @Get(':name')
  @ApiOkResponse({ description: '{group, sequence}' })
  @ApiNotFoundResponse({ type: ErrorResponseBody, description: 'DEPLOYMENT_GROUP_NOT_FOUND' })
  get(@Param('name') name: string, @Query() query: ReadQuery) {
    return this.reads.read(query.atLeastSequence, (): { group: unknown } => ({ group: this.reads.groups.group(name) }));
  }

  @Access(ApiRole.ADMIN)
  @Put(':name')
  @ApiOkResponse({ type: ChangeResponseBody, description: '{name, status: UPDATED | NOT_MODIFIED, sequence}: new selectors in place' })
  @ApiNotFoundResponse({ type: ErrorResponseBody })
  update(@Param('name') name: string, @Body() body: GroupSelectorsBody, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).updateDeploymentGroup(name, body.selectors);
  }

  @Access(ApiRole.ADMIN)
  @Delete(':name')
  @ApiOkResponse({ type: ChangeResponseBody, description: '{name, status: REMOVED, sequence}; its deployments stay' })
  @ApiNotFoundResponse({ type: ErrorResponseBody })
  remove(@Param('name') name: string, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).removeDeploymentGroup(name);
  }

  @Get(':name/status')
  @ApiOkResponse({ description: "{name, status, jobId, rolloutId, hosts: [{host, upToDate, job, state}], sequence}: Helios's deployment-group-status" })
  @ApiNotFoundResponse({ type: ErrorResponseBody })
  status(@Param('name') name: string, @Query() query: ReadQuery) {
    return this.reads.read(query.atLeastSequence, () => this.reads.groups.status(name));
  }

  @Access(ApiRole.DEPLOY)
  @Post(':name/rolling-update')
  @ApiCreatedResponse({ type: ChangeResponseBody, description: '{rolloutId, group, jobId, status, rollout, sequence}; follow it at /api/v1/rollouts/{rolloutId}' })
  @ApiBadRequestResponse({ type: ErrorResponseBody, description: 'INVALID_ROLLOUT_OPTIONS' })
  @ApiNotFoundResponse({ type: ErrorResponseBody, description: 'DEPLOYMENT_GROUP_NOT_FOUND, JOB_NOT_FOUND' })
  rollingUpdate(@Param('name') name: string, @Body() body: RollingUpdateBody, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).rollingUpdate(name, body.job, body.options);
  }

  @Access(ApiRole.DEPLOY)
  @Post(':name/stop')
  @HttpCode(200)
  @ApiOkResponse({ type: ChangeResponseBody, description: '{name, status: STOPPED | NOT_MODIFIED, sequence}' })
  @ApiNotFoundResponse({ type: ErrorResponseBody })
  stop(@Param('name') name: string, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).stopDeploymentGroup(name);
  }
}
