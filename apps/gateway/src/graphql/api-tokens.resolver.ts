import { API_ROLES, ApiRole } from '@berth/contracts';
import { Args, ArgsType, Field, Int, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Access } from '../auth/access.decorator';
import { CommandService } from '../commands/command.service';
import { ReadService } from '../read-model/read.service';
import { ReadArgs } from './dto/query.args';
import { Caller } from '../auth/caller.decorator';
import type { Principal } from '../auth/api-tokens';

@ArgsType()
export class ApiTokenSubjectArgs {
  @Field({ description: 'the actor recorded on every event the token causes' }) @IsString() @IsNotEmpty() @MaxLength(256) subject!: string;
}

@ArgsType()
export class CreateApiTokenArgs extends ApiTokenSubjectArgs {
  @Field(() => String, { description: 'read, deploy or admin' }) @IsIn(API_ROLES) role!: ApiRole;
}

@ObjectType('ApiToken', { description: 'An API token created by an admin (never its secret nor its hash)' })
export class ApiTokenModel {
  @Field() subject!: string;
  @Field({ description: 'read, deploy or admin' }) role!: string;
  @Field() createdAt!: string;
  @Field() revoked!: boolean;
  @Field({ nullable: true }) revokedAt?: string;
}

@ObjectType()
export class ApiTokenList {
  @Field(() => [ApiTokenModel]) items!: ApiTokenModel[];
  @Field(() => Int) sequence!: number;
}

@ObjectType('CreatedApiToken', { description: 'A new API token: `token` is shown this once and stored nowhere' })
export class CreatedApiTokenModel {
  @Field({ description: 'the secret to send as "Authorization: Bearer <token>"' }) token!: string;
  @Field() subject!: string;
  @Field() role!: string;
  @Field(() => Int, { description: 'stream sequence of the event' }) sequence!: number;
}

@ObjectType('RevokedApiToken')
export class RevokedApiTokenModel {
  @Field() subject!: string;
  @Field(() => Int, { description: 'stream sequence of the event' }) sequence!: number;
}

/** API tokens created by an admin: stored as events (only their SHA-256), accepted by every gateway replica. */
@Access(ApiRole.ADMIN)
@Resolver(() => ApiTokenModel)
export class ApiTokensResolver {
  constructor(
    private readonly reads: ReadService,
    private readonly commands: CommandService,
  ) {}

  @Query(() => ApiTokenList, { description: 'API tokens created by an admin, live and revoked, by subject (the tokens file is not listed)' })
  apiTokens(@Args() args: ReadArgs): Promise<ApiTokenList> {
    return this.reads.read(args.atLeastSequence, () => ({ items: this.reads.model.apiTokens() }));
  }

  @Mutation(() => CreatedApiTokenModel, { description: 'Creates a random API token for a subject and returns it once (API_TOKEN_ALREADY_EXISTS, INVALID_API_TOKEN)' })
  async createApiToken(@Args() args: CreateApiTokenArgs, @Caller() caller: Principal | undefined): Promise<CreatedApiTokenModel> {
    const { token, subject, role, sequence } = await this.commands.as(caller).createApiToken(args.subject, args.role);
    return { token, subject, role, sequence };
  }

  @Mutation(() => RevokedApiTokenModel, { description: "Revokes a subject's API token: refused from the next request on (API_TOKEN_NOT_FOUND)" })
  async revokeApiToken(@Args() args: ApiTokenSubjectArgs, @Caller() caller: Principal | undefined): Promise<RevokedApiTokenModel> {
    const { sequence } = await this.commands.as(caller).revokeApiToken(args.subject);
    return { subject: args.subject, sequence };
  }
}
