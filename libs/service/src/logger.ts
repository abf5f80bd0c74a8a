import { pino, type Logger } from 'pino';

export type { Logger };

const SECRET_FIELDS = ['token', 'password', 'authorization', 'creds', 'seed', 'jwt', 'pass'];

/** Fields that hold secrets, at the top and two levels down (e.g. `req.headers.authorization`): logged as "[redacted]". */
export const REDACTED_LOG_PATHS: readonly string[] = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

/** Structured JSON logs on stdout; level from LOG_LEVEL (default info); secret fields redacted. */
export function createLogger(service: string, level = process.env['LOG_LEVEL'] ?? 'info', destination?: pino.DestinationStream): Logger {
  const options = { name: service, level, base: { service }, redact: { paths: [...REDACTED_LOG_PATHS], censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
