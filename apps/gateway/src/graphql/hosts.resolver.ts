import { ApiRole } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { memoryUsage } from '@berth/contracts';
import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { asOfSequence, hostAsOf, hostDeploymentsAsOf } from '../read-model/audit';
import { ReadService } from '../read-model/read.service';
import { HostArgs, HostAsOfArgs, HostsArgs } from './dto/query.args';
import { toDeploymentModel, toHostModel } from './mappers';
import { HostAsOfModel, HostList, HostModel, HostResult, HostStatsModel } from './models/host.model';

@Access(ApiRole.READ)
@Resolver(() => HostModel)
export class HostsResolver {
  constructor(private readonly reads: ReadService) {}

  @Query(() => HostList, { description: 'Registered hosts matching every selector, by name' })
  hosts(@Args() args: HostsArgs): Promise<HostList> {
    return this.reads.read(args.atLeastSequence, (views) => ({ items: views.hosts(args).map(toHostModel) }));
  }

  @ResolveField(() => HostStatsModel, { nullable: true, description: "load and memory from the agent's latest heartbeat (Helios's LOAD AVG and MEM USAGE)" })
  stats(@Parent() host: HostModel): HostStatsModel | null {
    const received = this.reads.hostStats.get(host.host);
    if (received === undefined) return null;
    const { stats } = received;
    return { loadAvg: [...stats.loadAvg], memoryTotalBytes: stats.memoryTotalBytes, memoryFreeBytes: stats.memoryFreeBytes, memoryUsage: memoryUsage(stats), receivedAt: new Date(received.receivedAt).toISOString() };
  }

  @Query(() => HostResult, { description: 'A host with its tasks' })
  host(@Args() args: HostArgs): Promise<HostResult> {
    return this.reads.read(args.atLeastSequence, (views) => ({ host: toHostModel(views.host(args.name)) }));
  }

  @Query(() => HostAsOfModel, { description: 'A host as it stood at a stream sequence or a time, with its deployments, goals and task states then' })
  async hostAsOf(@Args() args: HostAsOfArgs): Promise<HostAsOfModel> {
    const { log } = this.reads.model;
    const bound = { sequence: asOfSequence(log, args) };
    const [{ state, version, sequence }, deployments] = await Promise.all([hostAsOf(log, args.name, bound), hostDeploymentsAsOf(log, args.name, bound)]);
    return { host: args.name, registered: state.kind === 'registered', state: { ...state }, deployments: deployments.map(toDeploymentModel), version, sequence };
  }
}
