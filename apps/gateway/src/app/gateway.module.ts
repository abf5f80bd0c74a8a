import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { RUNS_FROM_SOURCES, SCHEMA_FILE } from './paths';
import { ClusterService } from '../cluster/cluster.service';
import type { Authenticator } from '../auth/api-tokens';
import { AUTHENTICATOR, AuthGuard } from '../auth/auth.guard';
import { graphqlContext } from '../auth/graphql-auth';
import { CommandService } from '../commands/command.service';
import { AnomaliesResolver } from '../graphql/anomalies.resolver';
import { ApiTokensResolver } from '../graphql/api-tokens.resolver';
import { AuditResolver } from '../graphql/audit.resolver';
import { ClusterResolver } from '../graphql/cluster.resolver';
import { CommandsResolver } from '../graphql/commands.resolver';
import { DeploymentGroupsResolver } from '../graphql/deployment-groups.resolver';
import { HostsResolver } from '../graphql/hosts.resolver';
import { JobsResolver } from '../graphql/jobs.resolver';
import { formatGraphQLError, queryLimitsPlugin, type QueryLimits } from '../graphql/query-limits';
import { LiveResolver } from '../graphql/live.resolver';
import { FreezesResolver } from '../graphql/freezes.resolver';
import { ReleasePlansResolver } from '../graphql/release-plans.resolver';
import { ReleasesResolver } from '../graphql/releases.resolver';
import { WhoAmIResolver } from '../graphql/who-am-i.resolver';
import { RolloutLiveResolver } from '../graphql/rollout-live.resolver';
import { RolloutsResolver } from '../graphql/rollouts.resolver';
import { ReadService } from '../read-model/read.service';
import { AnomaliesController } from '../rest/anomalies.controller';
import { ApiTokensController } from '../rest/api-tokens.controller';
import { ClusterController } from '../rest/cluster.controller';
import { DeploymentGroupsController } from '../rest/deployment-groups.controller';
import { DeploymentsController } from '../rest/deployments.controller';
import { EventsController } from '../rest/events.controller';
import { AsOfController } from '../rest/as-of.controller';
import { HealthController } from '../rest/health.controller';
import { HostsController } from '../rest/hosts.controller';
import { JobsController } from '../rest/jobs.controller';
import { OpenApiController, OpenApiDocument } from '../rest/openapi.controller';
import { ReleasesController } from '../rest/releases.controller';
import { RolloutsController } from '../rest/rollouts.controller';
import { HEALTH, type GatewayHealth } from './tokens';


export interface GatewayModuleDeps {
  readonly reads: ReadService;
  readonly commands: CommandService;
  readonly cluster: ClusterService;
  readonly health: GatewayHealth;
  readonly openApi: OpenApiDocument;
  readonly authenticator: Authenticator;
  readonly queryLimits: QueryLimits;
}

/** Every GraphQL resolver class (the auth matrix test enumerates their operations). */
export const GRAPHQL_RESOLVERS = [
  ClusterResolver,
  JobsResolver,
  HostsResolver,
  AuditResolver,
  CommandsResolver,
  LiveResolver,
  DeploymentGroupsResolver,
  RolloutsResolver,
  RolloutLiveResolver,
  ReleasesResolver,
  ReleasePlansResolver,
  FreezesResolver,
  WhoAmIResolver,
  ApiTokensResolver,
  AnomaliesResolver,
];

/** Every REST controller. */
export const REST_CONTROLLERS = [ClusterController, JobsController, HostsController, DeploymentsController, DeploymentGroupsController, RolloutsController, ReleasesController, EventsController, AsOfController, HealthController, OpenApiController, ApiTokensController, AnomaliesController];

@Module({})
export class GatewayModule {
  /** The services are built (and connected) before Nest starts, then handed in as values. */
  static forRoot(deps: GatewayModuleDeps): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          // a bundled gateway builds its schema in memory: it never writes into the checkout it runs from
          autoSchemaFile: RUNS_FROM_SOURCES ? SCHEMA_FILE : true,
          sortSchema: true,
          playground: false,
          includeStacktraceInErrorResponses: false,
          // keep the 401/403 of auth errors raised while executing (Nest resets them to 200 by default)
          preserveHttpStatusForExecutionErrors: false,
          context: graphqlContext(deps.authenticator),
          plugins: [queryLimitsPlugin(deps.queryLimits)],
          // subscriptions: graphql-ws is served by serveGraphqlWs (createGatewayApp), not by Nest
          formatError: formatGraphQLError,
        }),
      ],
      controllers: REST_CONTROLLERS,
      providers: [
        { provide: ReadService, useValue: deps.reads },
        { provide: CommandService, useValue: deps.commands },
        { provide: ClusterService, useValue: deps.cluster },
        { provide: HEALTH, useValue: deps.health },
        { provide: OpenApiDocument, useValue: deps.openApi },
        { provide: AUTHENTICATOR, useValue: deps.authenticator },
        { provide: APP_GUARD, useClass: AuthGuard },
        ...GRAPHQL_RESOLVERS,
      ],
    };
  }
}
