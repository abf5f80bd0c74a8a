import { ApiRole, type HostStats } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CommandService, type ChangeResult } from '../commands/command.service';
import { ReadService } from '../read-model/read.service';
import { ChangeResponseBody, ErrorResponseBody, HostsQuery, ReadQuery, RegisterHostBody } from './rest.dto';
import { Caller } from '../auth/caller.decorator';
import type { Principal } from '../auth/api-tokens';

@ApiTags('hosts')
@Access(ApiRole.READ)
@Controller('api/v1/hosts')
export class HostsController {
  constructor(
    private readonly reads: ReadService,
    private readonly commands: CommandService,
  ) {}

  @Get()
  @ApiOkResponse({ description: "{items, sequence}: registered hosts matching every selector, each with `stats` (load and memory from its agent's latest heartbeat, or null)" })
  list(@Query() query: HostsQuery) {
    const { selector, status, pattern } = query;
    return this.reads.read(query.atLeastSequence, (views) => ({ items: views.hosts({ selectors: selector, status, pattern }).map((h) => this.withStats(h)) }));
  }

  @Get(':name')
  @ApiOkResponse({ description: "{host, sequence}: the host with its tasks and `stats` (load and memory from its agent's latest heartbeat, or null)" })
  @ApiNotFoundResponse({ type: ErrorResponseBody })
  get(@Param('name') name: string, @Query() query: ReadQuery) {
    return this.reads.read(query.atLeastSequence, (views) => ({ host: this.withStats(views.host(name)) }));
  }

  private withStats<H extends { readonly host: string }>(host: H): H & { stats: HostStats | null } {
    return { ...host, stats: this.reads.hostStats.get(host.host)?.stats ?? null };
  }

  @Access(ApiRole.ADMIN)
  @Post()
  @ApiCreatedResponse({ type: ChangeResponseBody })
  @ApiConflictResponse({ type: ErrorResponseBody, description: 'HOST_ALREADY_REGISTERED' })
  register(@Body() body: RegisterHostBody, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).registerHost(body.host, body.agentId, body.labels, body.info);
  }

  @Access(ApiRole.ADMIN)
  @Delete(':name')
  @ApiOkResponse({ type: ChangeResponseBody })
  @ApiNotFoundResponse({ type: ErrorResponseBody })
  deregister(@Param('name') name: string, @Caller() caller: Principal | undefined): Promise<ChangeResult> {
    return this.commands.as(caller).deregisterHost(name);
  }
}
