import { runService } from '@berth/service';
import { createGatewayApp } from './app/create-gateway-app';
import { gatewayConfigSchema } from './config';

void runService({
  name: 'gateway',
  summary: "GraphQL (+ graphql-ws subscriptions) and REST over Berth's event stream.",
  schema: gatewayConfigSchema,
  start: async (config, logger) => {
    const gateway = await createGatewayApp({ ...config, logger });
    return { stop: () => gateway.close() };
  },
});
