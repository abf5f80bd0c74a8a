import { ApiRole } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { CommandService } from '../commands/command.service';
import { CreateJobArgs, DeployArgs, HostNameArgs, JobOnHostArgs, RegisterHostArgs, RemoveJobArgs } from './dto/command.args';
import { toChangeModel } from './mappers';
import { ChangeResultModel } from './models/change.model';

/** Every mutation is a scheduler command; the answer carries the sequence of its events. */
@Access(ApiRole.DEPLOY)
@Resolver()
export class CommandsResolver {
  constructor(private readonly commands: CommandService) {}

  @Mutation(() => ChangeResultModel)
  async createJob(@Args() args: CreateJobArgs): Promise<ChangeResultModel> {
    return toChangeModel(await this.commands.createJob(args.job));
  }

  @Mutation(() => ChangeResultModel)
  async removeJob(@Args() args: RemoveJobArgs): Promise<ChangeResultModel> {
    return toChangeModel(await this.commands.removeJob(args.job, args.token));
  }

  @Mutation(() => ChangeResultModel)
  async deploy(@Args() args: DeployArgs): Promise<ChangeResultModel> {
    const { goal, ...target } = args;
    return toChangeModel(await this.commands.deploy(target, goal));
  }

  @Mutation(() => ChangeResultModel)
  async undeploy(@Args() args: JobOnHostArgs): Promise<ChangeResultModel> {
    return toChangeModel(await this.commands.undeploy(args));
  }

  @Mutation(() => ChangeResultModel)
  async start(@Args() args: JobOnHostArgs): Promise<ChangeResultModel> {
    return toChangeModel(await this.commands.start(args));
  }

  @Mutation(() => ChangeResultModel)
  async stop(@Args() args: JobOnHostArgs): Promise<ChangeResultModel> {
    return toChangeModel(await this.commands.stop(args));
  }

  @Access(ApiRole.ADMIN)
  @Mutation(() => ChangeResultModel)
  async registerHost(@Args() args: RegisterHostArgs): Promise<ChangeResultModel> {
    return toChangeModel(await this.commands.registerHost(args.host, args.agentId, args.labels, args.info));
  }

  @Access(ApiRole.ADMIN)
  @Mutation(() => ChangeResultModel)
  async deregisterHost(@Args() args: HostNameArgs): Promise<ChangeResultModel> {
    return toChangeModel(await this.commands.deregisterHost(args.host));
  }
}
