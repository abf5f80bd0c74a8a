import { runService } from '@berth/service';
import { createGatewayApp } from './app/create-gateway-app';
import { authenticatorFor, gatewayConfigSchema } from './config';

void runService({
  name: 'gateway',
  summary: "GraphQL (+ graphql-ws subscriptions) and REST over Berth's event stream.",
  schema: gatewayConfigSchema,
  start: async (config, logger) => {
    const authenticator = authenticatorFor(config);
    if (config.auth === 'none') logger.warn('--auth none: no API tokens are checked, every caller is admin (development only)');
    const gateway = await createGatewayApp({ ...config, authenticator, queryLimits: { maxDepth: config.maxQueryDepth, maxComplexity: config.maxQueryComplexity }, logger });
    return { stop: () => gateway.close() };
  },
});
