import { API_ROLES, ApiRole } from '@berth/contracts';
import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Access } from '../auth/access.decorator';
import { CommandService } from '../commands/command.service';
import { ReadService } from '../read-model/read.service';
import { ChangeResponseBody, ErrorResponseBody, ReadQuery } from './rest.dto';
import { Caller } from '../auth/caller.decorator';
import type { Principal } from '../auth/api-tokens';

export class CreateApiTokenBody {
  @ApiProperty({ description: 'the actor recorded on every event the token causes' }) @IsString() @IsNotEmpty() @MaxLength(256) subject!: string;
  @ApiProperty({ enum: API_ROLES }) @IsIn(API_ROLES) role!: ApiRole;
}

export class CreatedApiTokenBody extends ChangeResponseBody {
  @ApiProperty({ description: 'the secret, shown this once: send it as "Authorization: Bearer <token>"' }) token!: string;
  @ApiProperty() subject!: string;
  @ApiProperty({ enum: API_ROLES }) role!: string;
}

@ApiTags('tokens')
@Access(ApiRole.ADMIN)
@Controller('api/v1/tokens')
export class ApiTokensController {
  constructor(
    private readonly reads: ReadService,
    private readonly commands: CommandService,
  ) {}

  @Get()
  @ApiOkResponse({ description: '{items, sequence}: API tokens created by an admin (subject, role, createdAt, revoked, revokedAt), never their hashes' })
  list(@Query() query: ReadQuery) {
    return this.reads.read(query.atLeastSequence, () => ({ items: this.reads.model.apiTokens() }));
  }

  @Post()
  @ApiCreatedResponse({ type: CreatedApiTokenBody })
  @ApiConflictResponse({ type: ErrorResponseBody, description: 'API_TOKEN_ALREADY_EXISTS' })
  async create(@Body() body: CreateApiTokenBody, @Caller() caller: Principal | undefined): Promise<CreatedApiTokenBody> {
    const { token, subject, role, sequence } = await this.commands.as(caller).createApiToken(body.subject, body.role);
    return { token, subject, role, sequence };
  }

  @Delete(':subject')
  @ApiOkResponse({ type: ChangeResponseBody })
  @ApiNotFoundResponse({ type: ErrorResponseBody, description: 'API_TOKEN_NOT_FOUND' })
  async revoke(@Param('subject') subject: string, @Caller() caller: Principal | undefined) {
    const { sequence } = await this.commands.as(caller).revokeApiToken(subject);
    return { subject, revoked: true, sequence };
  }
}
