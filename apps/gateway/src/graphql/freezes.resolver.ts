import { Access } from '../auth/access.decorator';
import { PipelineCommand, ApiRole } from '@berth/contracts';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CommandService } from '../commands/command.service';
import { RemoveFreezeArgs, SetFreezeArgs } from './dto/release.args';
import { FreezeList, FreezeModel } from './models/release.model';
import { Caller } from '../auth/caller.decorator';
import type { Principal } from '../auth/api-tokens';

/** Deploy freezes. The list comes from the scheduler, which knows the time (a freeze's `active` is "now"). */
@Access(ApiRole.READ)
@Resolver(() => FreezeModel)
export class FreezesResolver {
  constructor(private readonly commands: CommandService) {}

  @Query(() => FreezeList, { description: 'Every deploy freeze, with whether it is in force now' })
  async freezes(@Caller() caller: Principal | undefined): Promise<FreezeList> {
    const result = await this.commands.as(caller).pipelineCommand(PipelineCommand.LIST_FREEZES, {});
    return { items: result['freezes'] as FreezeModel[], sequence: result.sequence };
  }

  @Access(ApiRole.ADMIN)
  @Mutation(() => FreezeModel, { description: 'Sets (or replaces) a freeze by name (INVALID_FREEZE)' })
  async setFreeze(@Args() args: SetFreezeArgs, @Caller() caller: Principal | undefined): Promise<FreezeModel> {
    const result = await this.commands.as(caller).pipelineCommand(PipelineCommand.SET_FREEZE, { ...args });
    return result['freeze'] as FreezeModel;
  }

  @Access(ApiRole.ADMIN)
  @Mutation(() => Boolean, { description: 'Removes a freeze (FREEZE_NOT_FOUND)' })
  async removeFreeze(@Args() args: RemoveFreezeArgs, @Caller() caller: Principal | undefined): Promise<boolean> {
    await this.commands.as(caller).pipelineCommand(PipelineCommand.REMOVE_FREEZE, { name: args.name });
    return true;
  }
}
