import { ApiRole } from '@berth/contracts';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access } from '../auth/access.decorator';
import { asOfSequence, deploymentsAsOf, hostAsOf, hostDeploymentsAsOf, jobAsOf, jobDeploymentsAsOf } from '../read-model/audit';
import { ReadService } from '../read-model/read.service';
import { AsOfQuery, DeploymentsAsOfQuery, ErrorResponseBody } from './rest.dto';

/** State at a stream sequence or a time, replayed from the events (GraphQL deploymentsAsOf, jobAsOf, hostAsOf). */
@ApiTags('audit')
@Access(ApiRole.READ)
@Controller('api/v1/as-of')
export class AsOfController {
  constructor(private readonly reads: ReadService) {}

  @Get('deployments')
  @ApiOkResponse({ description: '{sequence, deployments, jobs}: what ran where then (berth status --as-of): every job, its deployments, goals and task states' })
  @ApiBadRequestResponse({ type: ErrorResponseBody, description: 'INVALID_REQUEST (no sequence or time), INVALID_HOST_SELECTOR' })
  deployments(@Query() query: DeploymentsAsOfQuery) {
    const { selector, job, host, ...asOf } = query;
    return deploymentsAsOf(this.reads.model.log, asOf, { ...(selector ? { selectors: selector } : {}), ...(job ? { job } : {}), ...(host ? { host } : {}) });
  }

  @Get('jobs/:id')
  @ApiOkResponse({ description: '{jobId, status, job, deployments, version, sequence}: the job then (absent, created or removed) and its deployments' })
  async job(@Param('id') id: string, @Query() query: AsOfQuery) {
    const { log } = this.reads.model;
    const bound = { sequence: asOfSequence(log, query) };
    const [{ state, version, sequence }, deployments] = await Promise.all([jobAsOf(log, id, bound), jobDeploymentsAsOf(log, id, bound)]);
    return { jobId: id, status: state.status, job: state.status === 'created' ? state.job : null, deployments, version, sequence };
  }

  @Get('hosts/:name')
  @ApiOkResponse({ description: '{host, registered, state, deployments, version, sequence}: the host then and its tasks' })
  async host(@Param('name') name: string, @Query() query: AsOfQuery) {
    const { log } = this.reads.model;
    const bound = { sequence: asOfSequence(log, query) };
    const [{ state, version, sequence }, deployments] = await Promise.all([hostAsOf(log, name, bound), hostDeploymentsAsOf(log, name, bound)]);
    return { host: name, registered: state.kind === 'registered', state, deployments, version, sequence };
  }
}
