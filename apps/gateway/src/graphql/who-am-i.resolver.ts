import { ApiRole, ErrorCode } from '@berth/contracts';
import { Field, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Access } from '../auth/access.decorator';
import type { Principal } from '../auth/api-tokens';
import { Caller } from '../auth/caller.decorator';
import { gatewayError } from '../errors/error-mapping';

@ObjectType('Identity', { description: 'Who the API token belongs to and what it may do' })
export class IdentityModel {
  @Field({ description: 'recorded as the actor on every event its commands cause' }) subject!: string;
  @Field({ description: 'read, deploy or admin' }) role!: string;
}

/** The caller's own identity (the console shows it and hides what the role may not do). */
@Access(ApiRole.READ)
@Resolver()
export class WhoAmIResolver {
  @Query(() => IdentityModel, { description: "The calling token's subject and role" })
  whoAmI(@Caller() principal: Principal | undefined): IdentityModel {
    if (!principal) throw gatewayError(ErrorCode.UNAUTHENTICATED, 'no API token');
    return { subject: principal.subject, role: principal.role };
  }
}
