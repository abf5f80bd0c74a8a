import { ConfigError, loadConfig, type ConfigOf, type ConfigSchema } from './config';
import { createLogger, type Logger } from './logger';
import { onShutdown } from './shutdown';

export interface ServiceDefinition<S extends ConfigSchema> {
  /** e.g. `scheduler`; names the logger and the usage line */
  readonly name: string;
  /** one line: what the service is */
  readonly summary: string;
  readonly schema: S;
  /** starts the service; the returned stop runs on SIGTERM/SIGINT */
  readonly start: (config: ConfigOf<S>, logger: Logger) => Promise<{ stop(): Promise<void> }>;
  /** rewrites the arguments before they are read (e.g. folding repeated flags) */
  readonly prepareArgv?: (argv: readonly string[]) => string[];
}

/** A start failure that says how the process should exit (e.g. 3: another agent holds the state dir). */
export interface ExitCodeCarrier {
  readonly exitCode: number;
}

function exitCodeOf(err: unknown): number {
  const code = (err as Partial<ExitCodeCarrier> | undefined)?.exitCode;
  return typeof code === 'number' && Number.isInteger(code) && code > 0 ? code : 1;
}

/** `--help` text listing every setting with its flag, environment variable, meaning and default (or that it is required). */
export function formatUsage(name: string, summary: string, schema: ConfigSchema): string {
  const settings = Object.values(schema);
  const flagWidth = Math.max(...settings.map((s) => s.flag.length)) + 2;
  const envWidth = Math.max(...settings.map((s) => s.env.length));
  const lines = settings.map((s) => `  --${s.flag.padEnd(flagWidth)} ${s.env.padEnd(envWidth)}  ${s.description} ${defaultOf(s)}`);
  return `berth-${name}: ${summary}\n\nOptions (flag > environment > --config file > default):\n${lines.join('\n')}\n  --config <file.json>`;
}

function defaultOf(setting: ConfigSchema[string]): string {
  const value = setting.default;
  if (setting.defaultText !== undefined) return `(default: ${setting.defaultText})`;
  if (value === undefined) return '(required)';
  const none = value === '' || (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && value !== null && Object.keys(value).length === 0);
  if (none) return '(default: none)';
  return `(default: ${Array.isArray(value) ? value.join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value)})`;
}

/**
 * The entry point of every Berth service: `--help`, configuration read and
 * validated once (exit 2 with every problem listed), structured logs, a
 * clean stop on SIGTERM/SIGINT, exit 1 when it cannot start (or the
 * failure's own `exitCode`).
 */
export async function runService<S extends ConfigSchema>(service: ServiceDefinition<S>, argv = process.argv.slice(2)): Promise<void> {
  const usage = formatUsage(service.name, service.summary, service.schema);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const logger = createLogger(service.name);
  try {
    const config = loadConfig(service.schema, { argv: service.prepareArgv ? service.prepareArgv(argv) : [...argv], env: process.env });
    const running = await service.start(config, logger);
    onShutdown(logger, () => running.stop());
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n\n${usage}\n`);
      process.exit(2);
    }
    logger.fatal({ err }, `${service.name} failed to start`);
    process.exit(exitCodeOf(err));
  }
}
