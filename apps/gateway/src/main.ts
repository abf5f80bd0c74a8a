import { ConfigError, createLogger, onShutdown } from '@berth/service';
import { createGatewayApp } from './app/create-gateway-app';
import { gatewayConfigSchema, loadGatewayConfig } from './config';

const USAGE = `berth-gateway: GraphQL (+ graphql-ws subscriptions) and REST over Berth's event stream.

Options (flag > environment > --config file > default):
${Object.values(gatewayConfigSchema)
  .map((s) => `  --${s.flag.padEnd(20)} ${s.env.padEnd(32)} ${s.description}`)
  .join('\n')}
  --config <file.json>`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const logger = createLogger('gateway');
  try {
    const config = loadGatewayConfig(argv, process.env);
    const gateway = await createGatewayApp({ ...config, logger });
    onShutdown(logger, () => gateway.close());
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    logger.fatal({ err }, 'gateway failed to start');
    process.exit(1);
  }
}

void main();
