import { ConfigError, createLogger, onShutdown } from '@berth/service';
import { loadSchedulerConfig, schedulerConfigSchema } from './config';
import { startScheduler } from './scheduler';

const USAGE = `berth-scheduler: the only writer of Berth's events.

Options (flag > environment > --config file > default):
${Object.values(schedulerConfigSchema)
  .map((s) => `  --${s.flag.padEnd(40)} ${s.env.padEnd(44)} ${s.description}`)
  .join('\n')}
  --config <file.json>`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const logger = createLogger('scheduler');
  try {
    const config = loadSchedulerConfig(argv, process.env);
    const scheduler = await startScheduler(config, logger);
    onShutdown(logger, () => scheduler.stop());
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    logger.fatal({ err }, 'scheduler failed to start');
    process.exit(1);
  }
}

void main();
