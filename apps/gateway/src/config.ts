import { DEFAULT_CONSOLE_DIR } from './app/console-static';
import { loadConfig, parsers, type ConfigOf } from '@berth/service';

export const gatewayConfigSchema = {
  nats: { flag: 'nats', env: 'BERTH_NATS', description: 'NATS server URL', parse: parsers.natsUrl, default: 'nats://127.0.0.1:4222' },
  host: { flag: 'host', env: 'BERTH_GATEWAY_HOST', description: 'address to listen on (GraphQL, REST, health)', parse: parsers.string, default: '127.0.0.1' },
  port: { flag: 'port', env: 'BERTH_GATEWAY_PORT', description: 'port to listen on (0: any free port)', parse: parsers.port, default: 8080 },
  actor: {
    flag: 'actor',
    env: 'BERTH_GATEWAY_ACTOR',
    description: 'actor recorded on the events the gateway causes (until API tokens name the caller)',
    parse: parsers.string,
    default: 'gateway',
  },
  consoleDir: {
    flag: 'console-dir',
    env: 'BERTH_CONSOLE_DIR',
    description: 'built web console served at / (none there: no console)',
    parse: parsers.string,
    default: DEFAULT_CONSOLE_DIR,
  },
  waitTimeoutMs: {
    flag: 'wait-timeout-ms',
    env: 'BERTH_GATEWAY_WAIT_TIMEOUT_MS',
    description: 'longest a query waits for atLeastSequence before UNAVAILABLE',
    parse: parsers.positiveInt,
    default: 5000,
  },
};

export type GatewayConfig = ConfigOf<typeof gatewayConfigSchema>;

export function loadGatewayConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): GatewayConfig {
  return loadConfig(gatewayConfigSchema, { argv, env });
}
