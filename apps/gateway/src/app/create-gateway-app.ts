import 'reflect-metadata';
import { EVENTS_STREAM, GATEWAY_INBOX_PREFIX, assertNatsServerVersion } from '@berth/contracts';
import { JetStreamEventStore } from '@berth/event-store';
import { SchedulerClient } from '@berth/scheduler-client';
import { ClusterService } from '../cluster/cluster.service';
import { LeaderWatch } from '../cluster/leader-watch';
import { JetStreamHealth, createLogger, createMetricsRegistry, drainNats, natsConnectOptions, reportAnomalies, type Logger, type NatsConnectionConfig } from '@berth/service';
import { KNOWN_EVENT_TYPES } from '@berth/read-model';
import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { GraphQLSchema } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge } from 'prom-client';
import { ApiTokens, type Authenticator } from '../auth/api-tokens';
import { authenticateConnection, closeRevokedConnections, graphqlContext } from '../auth/graphql-auth';
import { CommandService } from '../commands/command.service';
import { DEFAULT_QUERY_LIMITS, wsQueryLimits, type QueryLimits } from '../graphql/query-limits';
import { BerthExceptionFilter } from '../errors/berth-exception.filter';
import { Aggregate, GatewayReadModel } from '../read-model/gateway-read-model';
import { ReadService } from '../read-model/read.service';
import { OpenApiDocument } from '../rest/openapi.controller';
import { serveGraphqlWs, type GraphqlWsExtra } from '../live/graphql-ws-server';
import { DIRECT_DELIVERY, sharedSubscribe, type DirectDelivery } from '../live/shared-subscribe';
import { consoleMiddleware } from './console-static';
import { DEFAULT_CONSOLE_DIR } from './paths';
import { GatewayModule } from './gateway.module';
import { PinoNestLogger } from './pino-nest-logger';
import { applyRequestLimits } from './request-limits';
import type { GatewayHealth } from './tokens';

export interface GatewayOptions extends Partial<NatsConnectionConfig> {
  readonly nats: string;
  /** 0 picks a free port */
  readonly port: number;
  readonly host: string;
  /** recorded on the events of commands sent outside an authenticated request */
  readonly actor: string;
  /** who may call (API tokens, or open access for development) */
  readonly authenticator: Authenticator;
  /** depth and complexity limits of GraphQL operations (DEFAULT_QUERY_LIMITS when absent) */
  readonly queryLimits?: QueryLimits;
  readonly waitTimeoutMs: number;
  /** newest events the audit log keeps whole in memory; older ones are read back from JetStream (DEFAULT_MEMORY_EVENTS when absent) */
  readonly auditMemoryEvents?: number;
  /** the built web console, served at / when present */
  readonly consoleDir?: string;
  /** replicas of the event stream and snapshot bucket when the gateway is the first to create them (`--replicas`; default 1) */
  readonly replicas?: number;
  readonly logger?: Logger;
}

export interface RunningGateway {
  readonly app: INestApplication;
  /** http://host:port */
  readonly url: string;
  readonly readModel: GatewayReadModel;
  /** stops HTTP and websockets, the event subscription and NATS, in that order */
  close(): Promise<void>;
}

function healthOf(nc: NatsConnection, model: GatewayReadModel, leaders: LeaderWatch, logger: Logger): GatewayHealth & { readonly jetstream: JetStreamHealth } {
  const registry = createMetricsRegistry('gateway');
  const jetstream = new JetStreamHealth(nc, { stream: EVENTS_STREAM, registry });
  reportAnomalies(model.projection, { logger, registry, knownTypes: KNOWN_EVENT_TYPES });
  new Gauge({ name: 'berth_gateway_read_model_sequence', help: 'stream sequence the read model reflects', registers: [registry], collect() { this.set(model.sequence); } });
  new Gauge({ name: 'berth_gateway_scheduler_leader', help: '1 while a scheduler leader answers (commands can be served), else 0', registers: [registry], collect() { this.set(leaders.leaderAnswers() ? 1 : 0); } });
  const applied = new Counter({ name: 'berth_gateway_events_total', help: 'events folded into the read model', registers: [registry] });
  model.listen(() => applied.inc());
  return {
    jetstream,
    // reads need the read model and the stream's JetStream leader; commands need a scheduler leader: not ready without any
    isReady: () => !nc.isClosed() && model.caughtUp && leaders.leaderAnswers() && jetstream.status().ready,
    metrics: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}

export function buildOpenApiDocument(app: INestApplication) {
  const config = new DocumentBuilder()
    .setTitle('Berth gateway')
    .setDescription('Jobs, hosts, deployments, deployment groups, rollouts and the audit log. Errors are {code, message, details} with the Berth error code.')
    .setVersion('1')
    .build();
  return SwaggerModule.createDocument(app, config);
}

/**
 * graphql-ws: the same context and token check as HTTP (the token in the
 * connection params), the same query limits, and one execution and
 * serialization per event for all subscribers of the same operation
 * (sharedSubscribe).
 */
function graphqlWsOptions(deps: { readonly authenticator: Authenticator; readonly queryLimits: QueryLimits }, schema: GraphQLSchema): ServerOptions<Record<string, unknown> | undefined, GraphqlWsExtra> {
  const context = graphqlContext(deps.authenticator);
  return {
    schema,
    context: (ctx, id) => ({ ...context(ctx), [DIRECT_DELIVERY]: { id, send: ctx.extra.send } satisfies DirectDelivery }),
    onConnect: authenticateConnection(deps.authenticator),
    onSubscribe: wsQueryLimits(deps.queryLimits, schema),
    subscribe: sharedSubscribe,
  };
}

/**
 * Connects to NATS, folds BERTH_EVENTS into the read model (resolves once
 * caught up), then serves GraphQL (+ graphql-ws), REST and health on one port.
 */
export async function createGatewayApp(options: GatewayOptions): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger('gateway');
  const nc = await connect(natsConnectOptions(options, { name: 'berth-gateway', inboxPrefix: GATEWAY_INBOX_PREFIX, maxReconnectAttempts: -1 }));
  try {
    assertNatsServerVersion(nc.info?.version, nc.getServer());
  } catch (err) {
    await nc.close();
    throw err;
  }
  const store = await JetStreamEventStore.connect({ nc, replicas: options.replicas });
  const readModel = new GatewayReadModel({ memoryEvents: options.auditMemoryEvents });
  const scheduler = new SchedulerClient(nc);
  const leaders = new LeaderWatch(nc, scheduler, logger);
  const health = healthOf(nc, readModel, leaders, logger);
  await health.jetstream.start();
  await readModel.follow(store);
  logger.info({ sequence: readModel.sequence, events: readModel.position }, 'read model caught up');
  await leaders.start();

  const openApi = new OpenApiDocument();
  const deps = {
    reads: new ReadService(readModel, options.waitTimeoutMs),
    cluster: new ClusterService(scheduler),
    commands: new CommandService(
      scheduler,
      options.actor,
      (sequence) => readModel.waitFor(sequence, options.waitTimeoutMs),
      options.authenticator instanceof ApiTokens ? options.authenticator.configuredSubjects() : new Set(),
    ),
    health,
    openApi,
    // tokens created by an admin are accepted (and revoked ones refused) as soon as the read model has their event
    authenticator: options.authenticator instanceof ApiTokens ? options.authenticator.withLiveTokens(() => readModel.liveApiTokens()) : options.authenticator,
    queryLimits: options.queryLimits ?? DEFAULT_QUERY_LIMITS,
  };
  const stopHostStats = deps.reads.hostStats.follow(nc);
  const app = await NestFactory.create(GatewayModule.forRoot(deps), { logger: new PinoNestLogger(logger), abortOnError: false });
  applyRequestLimits(app);
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new BerthExceptionFilter((err) => logger.error({ err }, 'internal error')));
  const consoleFiles = consoleMiddleware(options.consoleDir ?? DEFAULT_CONSOLE_DIR);
  if (consoleFiles) app.use(consoleFiles);
  else logger.info({ consoleDir: options.consoleDir ?? DEFAULT_CONSOLE_DIR }, 'web console not built: not served');
  await app.init();
  const subscriptions = serveGraphqlWs(app.getHttpServer(), '/graphql', graphqlWsOptions(deps, app.get(GraphQLSchemaHost).schema));
  const stopClosingRevoked = readModel.listen((event) => {
    if (event.aggregate === Aggregate.API_TOKEN) closeRevokedConnections(deps.authenticator, subscriptions.connections());
  });
  openApi.document = buildOpenApiDocument(app);
  await app.listen(options.port, options.host);
  const { address, port } = app.getHttpServer().address() as AddressInfo;
  logger.info({ url: `http://${address}:${port}` }, 'gateway serving');

  return {
    app,
    url: `http://${address}:${port}`,
    readModel,
    async close() {
      health.jetstream.stop();
      stopClosingRevoked();
      stopHostStats();
      await subscriptions.close();
      await app.close();
      await leaders.stop();
      await readModel.stop();
      await store.close();
      await drainNats(nc);
    },
  };
}
