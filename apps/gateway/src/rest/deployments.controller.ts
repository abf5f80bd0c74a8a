import { ApiRole } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { Body, Controller, Delete, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CommandService, type ChangeResult } from '../commands/command.service';
import { assertMayOverrideGroup } from '../commands/group-override';
import { ChangeResponseBody, DeployBody, ErrorResponseBody, TokenQuery, UndeployQuery } from './rest.dto';
import { Caller } from '../auth/caller.decorator';
import type { Principal } from '../auth/api-tokens';

/** A deployment is a job on a host: `/deployments/{host}/{job}`. */
@ApiTags('deployments')
@Access(ApiRole.DEPLOY)
@Controller('api/v1/deployments')
export class DeploymentsController {
  constructor(private readonly commands: CommandService) {}

  @Post()
  @ApiCreatedResponse({ type: ChangeResponseBody, description: '{host, jobId, status: DEPLOYED, ports, sequence}' })
  @ApiNotFoundResponse({ type: ErrorResponseBody, description: 'JOB_NOT_FOUND, HOST_NOT_FOUND' })
  @ApiConflictResponse({ type: ErrorResponseBody, description: 'JOB_ALREADY_DEPLOYED, PORT_CONFLICT' })
  @ApiForbiddenResponse({ type: ErrorResponseBody, description: 'token mismatch' })
  deploy(@Body() body: DeployBody, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    const { goal, ...target } = body;
    return this.commands.as(caller).deploy(target, goal);
  }

  @Delete(':host/:job')
  @ApiOkResponse({ type: ChangeResponseBody })
  @ApiNotFoundResponse({ type: ErrorResponseBody })
  @ApiConflictResponse({ type: ErrorResponseBody, description: 'JOB_NOT_DEPLOYED' })
  undeploy(@Param('host') host: string, @Param('job') job: string, @Query() query: UndeployQuery, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    const overrideGroup = query.overrideGroup === 'true' ? true : undefined;
    assertMayOverrideGroup(overrideGroup, caller);
    return this.commands.as(caller).undeploy({ host, job, token: query.token, deploymentGroupName: query.deploymentGroupName, overrideGroup });
  }

  @Post(':host/:job/start')
  @HttpCode(200)
  @ApiOkResponse({ type: ChangeResponseBody })
  @ApiNotFoundResponse({ type: ErrorResponseBody })
  start(@Param('host') host: string, @Param('job') job: string, @Query() query: TokenQuery, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).start({ host, job, token: query.token });
  }

  @Post(':host/:job/stop')
  @HttpCode(200)
  @ApiOkResponse({ type: ChangeResponseBody })
  @ApiNotFoundResponse({ type: ErrorResponseBody })
  stop(@Param('host') host: string, @Param('job') job: string, @Query() query: TokenQuery, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).stop({ host, job, token: query.token });
  }
}
