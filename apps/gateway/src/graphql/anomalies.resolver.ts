import { ApiRole } from '@berth/contracts';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { Access } from '../auth/access.decorator';
import { ReadService } from '../read-model/read.service';
import { ReadArgs } from './dto/query.args';
import { AnomaliesModel } from './models/anomaly.model';

@Access(ApiRole.READ)
@Resolver()
export class AnomaliesResolver {
  constructor(private readonly reads: ReadService) {}

  @Query(() => AnomaliesModel, { description: 'Events of the history the read model could not apply as written (projections are total: it went on)' })
  anomalies(@Args() args: ReadArgs): Promise<AnomaliesModel> {
    return this.reads.read(args.atLeastSequence, () => {
      const { total, anomalies } = this.reads.model.projection.anomalies();
      return { total, items: anomalies };
    });
  }
}
