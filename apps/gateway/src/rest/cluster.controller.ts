import { ApiRole } from '@berth/contracts';
import { Access } from '../auth/access.decorator';
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ClusterService } from '../cluster/cluster.service';

@ApiTags('cluster')
@Access(ApiRole.READ)
@Controller('api/v1')
export class ClusterController {
  constructor(private readonly cluster: ClusterService) {}

  @Get('schedulers')
  @ApiOkResponse({ description: '{items}: the scheduler processes answering now, leader first (Helios masters)' })
  async schedulers() {
    return { items: await this.cluster.schedulers() };
  }

  @Get('version')
  @ApiOkResponse({ description: "{version}: the gateway's Berth version" })
  version() {
    return { version: this.cluster.version };
  }
}
