import { ApiRole } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { queryEvents } from '../read-model/audit';
import { ReadService } from '../read-model/read.service';
import { EventsQuery } from './rest.dto';

@ApiTags('audit')
@Access(ApiRole.READ)
@Controller('api/v1/events')
export class EventsController {
  constructor(private readonly reads: ReadService) {}

  @Get()
  @ApiOkResponse({ description: '{items, nextCursor, totalCount, sequence}: events oldest first, with actor and correlation id' })
  list(@Query() query: EventsQuery) {
    const { first, after, atLeastSequence, id, ...filter } = query;
    return this.reads.read(atLeastSequence, () => queryEvents(this.reads.model.log, { ...filter, aggregateId: id }, first, after));
  }
}
