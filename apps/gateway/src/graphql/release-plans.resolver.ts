import { Access } from '../auth/access.decorator';
import { PipelineCommand, ApiRole } from '@berth/contracts';
import { ReleasePlanQueries, type ReleasePlanDetail } from '@berth/read-model';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CommandService } from '../commands/command.service';
import { ReadService } from '../read-model/read.service';
import { ReadArgs } from './dto/query.args';
import { ReleasePlanArgs, ReleasePlanCommandArgs, StartReleasePlanArgs } from './dto/release.args';
import { ReleasePlanList, ReleasePlanModel, ReleasePlanResult } from './models/release.model';
import { Caller } from '../auth/caller.decorator';
import type { Principal } from '../auth/api-tokens';

/** The read model's detail is already the GraphQL shape (readonly arrays aside). */
function toPlanModel(detail: ReleasePlanDetail): ReleasePlanModel {
  return detail as unknown as ReleasePlanModel;
}

/** Multi-service releases: start one from release.yaml, and its current / staging / deploy-queue views. */
@Access(ApiRole.READ)
@Resolver(() => ReleasePlanModel)
export class ReleasePlansResolver {
  private readonly queries: ReleasePlanQueries;

  constructor(
    private readonly reads: ReadService,
    private readonly commands: CommandService,
  ) {
    this.queries = new ReleasePlanQueries(reads.model.projection);
  }

  @Query(() => ReleasePlanResult, { description: 'A release plan with its views (RELEASE_PLAN_NOT_FOUND otherwise)' })
  releasePlan(@Args() args: ReleasePlanArgs): Promise<ReleasePlanResult> {
    return this.reads.read(args.atLeastSequence, () => ({ plan: toPlanModel(this.queries.plan(args.id)) }));
  }

  @Query(() => ReleasePlanList, { description: 'Release plans, newest first' })
  releasePlans(@Args() args: ReadArgs): Promise<ReleasePlanList> {
    return this.reads.read(args.atLeastSequence, () => ({ items: this.queries.plans().map(toPlanModel) }));
  }

  @Access(ApiRole.DEPLOY)
  @Mutation(() => ReleasePlanResult, { description: 'Starts a multi-service release from release.yaml (INVALID_RELEASE_PLAN with lines; a cycle is named)' })
  async startReleasePlan(@Args() args: StartReleasePlanArgs, @Caller() caller: Principal | undefined): Promise<ReleasePlanResult> {
    const result = await this.commands.as(caller).pipelineCommand(PipelineCommand.START_RELEASE_PLAN, { source: args.source });
    return { plan: toPlanModel(this.queries.plan(String(result['planId']))), sequence: result.sequence };
  }

  @Access(ApiRole.DEPLOY)
  @Mutation(() => ReleasePlanResult, { description: 'Starts no more services of the plan (those running carry on)' })
  async abandonReleasePlan(@Args() args: ReleasePlanCommandArgs, @Caller() caller: Principal | undefined): Promise<ReleasePlanResult> {
    const result = await this.commands.as(caller).pipelineCommand(PipelineCommand.ABANDON_RELEASE_PLAN, { plan: args.plan });
    return { plan: toPlanModel(this.queries.plan(args.plan)), sequence: result.sequence };
  }
}
