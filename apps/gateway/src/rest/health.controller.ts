import { Access } from '../auth/access.decorator';
import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { HttpResponse as Response } from './http-response';
import { HEALTH, type GatewayHealth } from '../app/tokens';

/** `/healthz` (alive), `/readyz` (connected to NATS and caught up), `/metrics` (Prometheus). */
@ApiExcludeController()
@Access('public')
@Controller()
export class HealthController {
  constructor(@Inject(HEALTH) private readonly health: GatewayHealth) {}

  @Get('healthz')
  @Header('content-type', 'text/plain')
  healthz(): string {
    return 'ok\n';
  }

  @Get('readyz')
  readyz(@Res() res: Response): void {
    const ready = this.health.isReady();
    res.status(ready ? 200 : 503).type('text/plain').send(ready ? 'ready\n' : 'not ready\n');
  }

  @Get('metrics')
  async metrics(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.health.metrics();
    res.status(200).type(contentType).send(body);
  }
}
