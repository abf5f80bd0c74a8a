import { ApiRole } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CommandService, type ChangeResult, type RolloutCommand } from '../commands/command.service';
import { ReadService } from '../read-model/read.service';
import { FailRolloutArgs, RolloutArgs, RolloutCommandArgs, RolloutsArgs, SetHostHealthArgs } from './dto/group.args';
import { currentRollout, toRolloutModel } from './group-mappers';
import { RolloutChangeModel, RolloutList, RolloutModel, RolloutResult } from './models/rollout.model';
import { Caller } from '../auth/caller.decorator';
import type { Principal } from '../auth/api-tokens';

/** Rollouts: list, per-host progress, and the operator commands Helios lacks. */
@Access(ApiRole.READ)
@Resolver(() => RolloutModel)
export class RolloutsResolver {
  constructor(
    private readonly reads: ReadService,
    private readonly commands: CommandService,
  ) {}

  @Query(() => RolloutList, { description: "Rollouts oldest first, or one group's" })
  // group: null (what a client sends for an unset variable) means every group, like an absent one
  rollouts(@Args() args: RolloutsArgs): Promise<RolloutList> {
    return this.reads.read(args.atLeastSequence, () => ({ items: this.reads.groups.rollouts(args.group ?? undefined).map((r) => toRolloutModel(r)) }));
  }

  @Query(() => RolloutResult, { description: 'A rollout with per-host progress (ROLLOUT_NOT_FOUND otherwise)' })
  rollout(@Args() args: RolloutArgs): Promise<RolloutResult> {
    return this.reads.read(args.atLeastSequence, () => ({ rollout: this.detail(args.id) }));
  }

  @Access(ApiRole.DEPLOY)
  @Mutation(() => RolloutChangeModel, { description: 'Promotes a canary rollout whose canaries are healthy' })
  promote(@Args() args: RolloutCommandArgs, @Caller() caller: Principal | undefined): Promise<RolloutChangeModel> {
    return this.operate(caller, 'promote', args.rollout);
  }

  @Access(ApiRole.DEPLOY)
  @Mutation(() => RolloutChangeModel, { description: 'Starts no new batch until resumed' })
  pause(@Args() args: RolloutCommandArgs, @Caller() caller: Principal | undefined): Promise<RolloutChangeModel> {
    return this.operate(caller, 'pause', args.rollout);
  }

  @Access(ApiRole.DEPLOY)
  @Mutation(() => RolloutChangeModel)
  resume(@Args() args: RolloutCommandArgs, @Caller() caller: Principal | undefined): Promise<RolloutChangeModel> {
    return this.operate(caller, 'resume', args.rollout);
  }

  @Access(ApiRole.DEPLOY)
  @Mutation(() => RolloutChangeModel, { description: 'Retries a failed (or finished-with-failures) rollout on the hosts that failed' })
  retry(@Args() args: RolloutCommandArgs, @Caller() caller: Principal | undefined): Promise<RolloutChangeModel> {
    return this.operate(caller, 'retry', args.rollout);
  }

  @Access(ApiRole.DEPLOY)
  @Mutation(() => RolloutChangeModel, { description: 'Fails the rollout now (autoRevert applies)' })
  async fail(@Args() args: FailRolloutArgs, @Caller() caller: Principal | undefined): Promise<RolloutChangeModel> {
    return this.toChange(args.rollout, await this.commands.as(caller).failRollout(args.rollout, args.error));
  }

  @Access(ApiRole.DEPLOY)
  @Mutation(() => RolloutChangeModel, { description: 'A health verdict for a host of a rollout with healthCheck: manual' })
  async setHostHealth(@Args() args: SetHostHealthArgs, @Caller() caller: Principal | undefined): Promise<RolloutChangeModel> {
    return this.toChange(args.rollout, await this.commands.as(caller).setHostHealth(args.rollout, args.host, args.healthy, args.message));
  }

  private async operate(caller: Principal | undefined, command: RolloutCommand, rollout: string): Promise<RolloutChangeModel> {
    return this.toChange(rollout, await this.commands.as(caller).rolloutCommand(command, rollout));
  }

  private toChange(rolloutId: string, result: ChangeResult): RolloutChangeModel {
    return { sequence: result.sequence, rolloutId, changed: result['changed'] !== false, rollout: this.detail(rolloutId), result: { ...result } };
  }

  private detail(id: string): RolloutModel {
    return currentRollout(this.reads, id);
  }
}
