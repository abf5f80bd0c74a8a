import { ApiRole } from '@berth/contracts';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access } from '../auth/access.decorator';
import { ReadService } from '../read-model/read.service';
import { ReadQuery } from './rest.dto';

@ApiTags('anomalies')
@Access(ApiRole.READ)
@Controller('api/v1/anomalies')
export class AnomaliesController {
  constructor(private readonly reads: ReadService) {}

  @Get()
  @ApiOkResponse({
    description:
      '{total, items: [{sequence, aggregate, aggregateId, eventType, reason}], sequence}: events of the history the read model could not apply as written (skipped, or applied and flagged), newest 1,000 oldest first; total counts all since the gateway started',
  })
  list(@Query() query: ReadQuery) {
    return this.reads.read(query.atLeastSequence, () => {
      const { total, anomalies } = this.reads.model.projection.anomalies();
      return { total, items: anomalies };
    });
  }
}
