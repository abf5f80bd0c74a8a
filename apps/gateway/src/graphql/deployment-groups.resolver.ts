import { ApiRole } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CommandService, type ChangeResult } from '../commands/command.service';
import { deploymentGroupAsOf } from '../read-model/audit';
import { ReadService } from '../read-model/read.service';
import { CreateDeploymentGroupArgs, GroupAsOfArgs, GroupCommandArgs, GroupNameArgs, RollingUpdateArgs, UpdateDeploymentGroupArgs } from './dto/group.args';
import { ReadArgs } from './dto/query.args';
import { currentRollout, toGroupModel, toGroupStatusModel } from './group-mappers';
import {
  DeploymentGroupAsOfModel,
  DeploymentGroupChangeModel,
  DeploymentGroupList,
  DeploymentGroupModel,
  DeploymentGroupResult,
  DeploymentGroupStatusModel,
  GroupHostCountsModel,
} from './models/deployment-group.model';
import { RolloutChangeModel } from './models/rollout.model';
import { assertMayOverrideFreeze } from '../commands/freeze-override';
import { Caller } from '../auth/caller.decorator';
import type { Principal } from '../auth/api-tokens';

function toGroupChange(name: string, result: ChangeResult): DeploymentGroupChangeModel {
  return { sequence: result.sequence, name, status: String(result['status'] ?? 'OK'), result: { ...result } };
}

/** Helios's deployment groups: list, inspect, status, as-of, and the commands on them. */
@Access(ApiRole.READ)
@Resolver(() => DeploymentGroupModel)
export class DeploymentGroupsResolver {
  constructor(
    private readonly reads: ReadService,
    private readonly commands: CommandService,
  ) {}

  @Query(() => DeploymentGroupList, { description: 'Every deployment group, sorted by name' })
  deploymentGroups(@Args() args: ReadArgs): Promise<DeploymentGroupList> {
    return this.reads.read(args.atLeastSequence, () => ({ items: this.reads.groups.groups().map(toGroupModel) }));
  }

  @Query(() => DeploymentGroupResult, { description: 'One deployment group (DEPLOYMENT_GROUP_NOT_FOUND otherwise)' })
  deploymentGroup(@Args() args: GroupNameArgs): Promise<DeploymentGroupResult> {
    return this.reads.read(args.atLeastSequence, () => ({ group: toGroupModel(this.reads.groups.group(args.name)) }));
  }

  @ResolveField(() => GroupHostCountsModel, { nullable: true, description: "hosts matching the group's selectors now (null for a group that no longer exists)" })
  hostCounts(@Parent() group: DeploymentGroupModel): GroupHostCountsModel | null {
    return this.reads.groups.hostCounts(group.name) ?? null;
  }

  @Query(() => DeploymentGroupStatusModel, { description: "Helios's deployment-group-status: the group and a row per matching UP host" })
  async deploymentGroupStatus(@Args() args: GroupNameArgs): Promise<DeploymentGroupStatusModel> {
    const { status, sequence } = await this.reads.read(args.atLeastSequence, () => ({ status: this.reads.groups.status(args.name) }));
    return toGroupStatusModel(status, sequence);
  }

  @Query(() => DeploymentGroupAsOfModel, { description: 'A deployment group as it stood at a stream sequence or a time' })
  async groupAsOf(@Args() args: GroupAsOfArgs): Promise<DeploymentGroupAsOfModel> {
    const { state, version, sequence } = await deploymentGroupAsOf(this.reads.model.log, args.name, args);
    return { name: args.name, exists: state.kind === 'group', ...(state.kind === 'group' ? { group: toGroupModel(state) } : {}), version, sequence };
  }

  @Access(ApiRole.ADMIN)
  @Mutation(() => DeploymentGroupChangeModel, { description: 'CREATED, or NOT_MODIFIED for the same definition again' })
  async createDeploymentGroup(@Args() args: CreateDeploymentGroupArgs, @Caller() caller: Principal | undefined): Promise<DeploymentGroupChangeModel> {
    return toGroupChange(args.name, await this.commands.as(caller).createDeploymentGroup(args.name, args.selectors, args.defaults));
  }

  @Access(ApiRole.ADMIN)
  @Mutation(() => DeploymentGroupChangeModel, { description: "Changes a group's selectors in place (Helios needs remove + create)" })
  async updateDeploymentGroup(@Args() args: UpdateDeploymentGroupArgs, @Caller() caller: Principal | undefined): Promise<DeploymentGroupChangeModel> {
    return toGroupChange(args.name, await this.commands.as(caller).updateDeploymentGroup(args.name, args.selectors));
  }

  @Access(ApiRole.ADMIN)
  @Mutation(() => DeploymentGroupChangeModel, { description: 'Removes a group and stops its rollout; its deployments stay' })
  async removeDeploymentGroup(@Args() args: GroupCommandArgs, @Caller() caller: Principal | undefined): Promise<DeploymentGroupChangeModel> {
    return toGroupChange(args.name, await this.commands.as(caller).removeDeploymentGroup(args.name));
  }

  @Access(ApiRole.DEPLOY)
  @Mutation(() => DeploymentGroupChangeModel, { description: 'Stops the rollout where it stands: group FAILED "Stopped by user"' })
  async stopDeploymentGroup(@Args() args: GroupCommandArgs, @Caller() caller: Principal | undefined): Promise<DeploymentGroupChangeModel> {
    return toGroupChange(args.name, await this.commands.as(caller).stopDeploymentGroup(args.name));
  }

  @Access(ApiRole.DEPLOY)
  @Mutation(() => RolloutChangeModel, { description: 'Rolls the group to a job; follow it with the rolloutProgress subscription' })
  async rollingUpdate(@Args() args: RollingUpdateArgs, @Caller() caller: Principal | undefined): Promise<RolloutChangeModel> {
    assertMayOverrideFreeze(args.overrideFreeze, caller);
    const result = await this.commands.as(caller).rollingUpdate(args.group, args.job, args.options, args.overrideFreeze);
    const rolloutId = String(result['rolloutId']);
    const rollout = currentRollout(this.reads, rolloutId);
    return { sequence: result.sequence, rolloutId, changed: true, rollout, result: { ...result } };
  }
}
