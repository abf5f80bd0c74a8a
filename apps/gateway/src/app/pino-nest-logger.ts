import type { LoggerService } from '@nestjs/common';
import type { Logger } from '@berth/service';

/**
 * Nest's boot narration: a line per module, controller and route (~70 lines) that
 * told an operator nothing `gateway serving` does not, and pushed `npm start`'s
 * admin token off screen. Logged at debug (`LOG_LEVEL=debug` shows it).
 */
const BOOT_CONTEXTS: ReadonlySet<string> = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'GraphQLModule', 'NestApplication']);

/** Nest's own log lines through the service's pino logger (JSON, LOG_LEVEL). */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    if (context !== undefined && BOOT_CONTEXTS.has(context)) this.logger.debug({ context }, String(message));
    else this.logger.info({ context }, String(message));
  }

  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }

  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }

  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }

  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
