import { ApiRole } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { Query, Resolver } from '@nestjs/graphql';
import { ClusterService } from '../cluster/cluster.service';
import { SchedulerModel } from './models/scheduler.model';

@Access(ApiRole.READ)
@Resolver()
export class ClusterResolver {
  constructor(private readonly cluster: ClusterService) {}

  @Query(() => [SchedulerModel], { description: 'The scheduler processes answering now, leader first (Helios masters)' })
  schedulers(): Promise<SchedulerModel[]> {
    return this.cluster.schedulers();
  }

  @Query(() => String, { description: "The gateway's Berth version" })
  version(): string {
    return this.cluster.version;
  }
}
