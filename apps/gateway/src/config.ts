import { DEFAULT_CONSOLE_DIR } from './app/paths';
import { ConfigError, loadConfig, natsConnectionSettings, natsReplicasSetting, parsers, type ConfigOf } from '@berth/service';
import { readFileSync } from 'node:fs';
import { DEFAULT_QUERY_LIMITS } from './graphql/query-limits';
import { DEFAULT_MEMORY_EVENTS } from './read-model/event-log';
import { ApiTokens, OpenAccess, parseTokensFile, type Authenticator } from './auth/api-tokens';

export const gatewayConfigSchema = {
  ...natsConnectionSettings,
  replicas: natsReplicasSetting,
  host: { flag: 'host', env: 'BERTH_GATEWAY_HOST', description: 'address to listen on (GraphQL, REST, health)', parse: parsers.string, default: '127.0.0.1' },
  port: { flag: 'port', env: 'BERTH_GATEWAY_PORT', description: 'port to listen on (0: any free port)', parse: parsers.port, default: 8080 },
  actor: {
    flag: 'actor',
    env: 'BERTH_GATEWAY_ACTOR',
    description: 'actor recorded on the events of commands sent with --auth none (with tokens: the token subject)',
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
  auth: {
    flag: 'auth',
    env: 'BERTH_AUTH',
    description: 'tokens: every request needs an API token from --tokens-file; none: no checks, everyone is admin (development only)',
    parse: (raw: string): 'tokens' | 'none' => {
      if (raw !== 'tokens' && raw !== 'none') throw new Error(`"${raw}" is not tokens or none`);
      return raw;
    },
    default: 'tokens' as 'tokens' | 'none',
  },
  tokensFile: {
    flag: 'tokens-file',
    env: 'BERTH_TOKENS_FILE',
    description: 'JSON array of {subject, role: read|deploy|admin, token | tokenSha256}',
    parse: parsers.string,
    default: '',
  },
  maxQueryDepth: {
    flag: 'max-query-depth',
    env: 'BERTH_GATEWAY_MAX_QUERY_DEPTH',
    description: 'deepest nesting of a GraphQL operation (deeper: 400 QUERY_TOO_DEEP)',
    parse: parsers.positiveInt,
    default: DEFAULT_QUERY_LIMITS.maxDepth,
  },
  maxQueryComplexity: {
    flag: 'max-query-complexity',
    env: 'BERTH_GATEWAY_MAX_QUERY_COMPLEXITY',
    description: 'highest cost of a GraphQL operation, 1 per field times page sizes (higher: 400 QUERY_TOO_COMPLEX)',
    parse: parsers.positiveInt,
    default: DEFAULT_QUERY_LIMITS.maxComplexity,
  },
  auditMemoryEvents: {
    flag: 'audit-memory-events',
    env: 'BERTH_GATEWAY_AUDIT_MEMORY_EVENTS',
    description: 'newest events kept whole in memory for audit (~1 KB each); older ones are read back from JetStream when asked for',
    parse: parsers.positiveInt,
    default: DEFAULT_MEMORY_EVENTS,
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

/**
 * Who may call: with `--auth tokens` (the default) a tokens file with at
 * least one token is required — the gateway refuses to start open by
 * accident; `--auth none` is the explicit development opt-out.
 */
export function authenticatorFor(config: Pick<GatewayConfig, 'auth' | 'tokensFile' | 'actor'>, readFile = (path: string) => readFileSync(path, 'utf8')): Authenticator {
  if (config.auth === 'none') return new OpenAccess(config.actor);
  if (config.tokensFile === '') {
    throw new ConfigError(['no API tokens configured: pass --tokens-file <file.json> (BERTH_TOKENS_FILE), or --auth none (BERTH_AUTH=none) for an open development gateway']);
  }
  let text: string;
  try {
    text = readFile(config.tokensFile);
  } catch (err) {
    throw new ConfigError([`--tokens-file ${config.tokensFile}: ${(err as Error).message}`]);
  }
  try {
    const tokens = new ApiTokens(parseTokensFile(text));
    if (tokens.size === 0) throw new Error('holds no token');
    return tokens;
  } catch (err) {
    throw new ConfigError([`--tokens-file ${config.tokensFile}: ${(err as Error).message}`]);
  }
}
