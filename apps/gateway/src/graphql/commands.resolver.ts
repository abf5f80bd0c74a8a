import { ApiRole } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { CommandService } from '../commands/command.service';
import { assertMayOverrideGroup } from '../commands/group-override';
import { CreateJobArgs, DeployArgs, HostNameArgs, JobOnHostArgs, RegisterHostArgs, RemoveJobArgs, UndeployArgs } from './dto/command.args';
import { toChangeModel } from './mappers';
import { ChangeResultModel } from './models/change.model';
import { Caller } from '../auth/caller.decorator';
import type { Principal } from '../auth/api-tokens';

/** Every mutation is a scheduler command; the answer carries the sequence of its events. */
@Access(ApiRole.DEPLOY)
@Resolver()
export class CommandsResolver {
  constructor(private readonly commands: CommandService) {}

  @Mutation(() => ChangeResultModel)
  async createJob(@Args() args: CreateJobArgs, @Caller() caller: Principal | undefined): Promise<ChangeResultModel> {
    return toChangeModel(await this.commands.as(caller).createJob(args.job));
  }

  @Mutation(() => ChangeResultModel)
  async removeJob(@Args() args: RemoveJobArgs, @Caller() caller: Principal | undefined): Promise<ChangeResultModel> {
    return toChangeModel(await this.commands.as(caller).removeJob(args.job, args.token));
  }

  @Mutation(() => ChangeResultModel)
  async deploy(@Args() args: DeployArgs, @Caller() caller: Principal | undefined): Promise<ChangeResultModel> {
    const { goal, ...target } = args;
    return toChangeModel(await this.commands.as(caller).deploy(target, goal));
  }

  @Mutation(() => ChangeResultModel)
  async undeploy(@Args() args: UndeployArgs, @Caller() caller: Principal | undefined): Promise<ChangeResultModel> {
    assertMayOverrideGroup(args.overrideGroup, caller);
    return toChangeModel(await this.commands.as(caller).undeploy(args));
  }

  @Mutation(() => ChangeResultModel)
  async start(@Args() args: JobOnHostArgs, @Caller() caller: Principal | undefined): Promise<ChangeResultModel> {
    return toChangeModel(await this.commands.as(caller).start(args));
  }

  @Mutation(() => ChangeResultModel)
  async stop(@Args() args: JobOnHostArgs, @Caller() caller: Principal | undefined): Promise<ChangeResultModel> {
    return toChangeModel(await this.commands.as(caller).stop(args));
  }

  @Access(ApiRole.ADMIN)
  @Mutation(() => ChangeResultModel)
  async registerHost(@Args() args: RegisterHostArgs, @Caller() caller: Principal | undefined): Promise<ChangeResultModel> {
    return toChangeModel(await this.commands.as(caller).registerHost(args.host, args.agentId, args.labels, args.info));
  }

  @Access(ApiRole.ADMIN)
  @Mutation(() => ChangeResultModel)
  async deregisterHost(@Args() args: HostNameArgs, @Caller() caller: Principal | undefined): Promise<ChangeResultModel> {
    return toChangeModel(await this.commands.as(caller).deregisterHost(args.host));
  }
}
