import { JetStreamEventStore, type EventStore, type Subscription } from '@berth/event-store';
import { hostDecider } from '@berth/domain';
import { createMetricsRegistry, startHealthServer, type HealthServer, type Logger } from '@berth/service';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Counter, Histogram } from 'prom-client';
import { AgentLink } from './agent-link';
import { CommandExecutor, SCHEDULER_ACTOR } from './command-executor';
import { CommandServer } from './command-server';
import type { SchedulerConfig } from './config';
import { deploymentRoutes } from './deployment-handlers';
import { hostRoutes } from './host-handlers';
import { JobHistoryIndex } from './job-history-index';
import { jobRoutes } from './job-handlers';
import { LivenessMonitor } from './liveness-monitor';
import { queryRoutes } from './query-handlers';
import { Aggregate, SchedulerView, createSchedulerProjection } from './scheduler-projection';

export interface RunningScheduler {
  readonly healthUrl: string;
  readonly view: SchedulerView;
  stop(): Promise<void>;
}

/**
 * Wires the scheduler: projection of BERTH_EVENTS, command server on
 * berth.cmd.>, the agent link and host liveness. Returns once it serves.
 */
export async function startScheduler(config: SchedulerConfig, logger: Logger): Promise<RunningScheduler> {
  const registry = createMetricsRegistry('scheduler');
  const commands = new Counter({ name: 'berth_commands_total', help: 'commands served', labelNames: ['command', 'outcome'], registers: [registry] });
  const latency = new Histogram({ name: 'berth_command_seconds', help: 'command latency', labelNames: ['command'], registers: [registry], buckets: [0.001, 0.005, 0.01, 0.025, 0.1, 0.5, 2] });
  const reconnects = new Counter({ name: 'berth_nats_reconnects_total', help: 'NATS reconnects', registers: [registry] });
  let ready = false;
  const health: HealthServer = await startHealthServer({ host: config.httpHost, port: config.httpPort, registry, isReady: () => ready });

  const nc: NatsConnection = await connect({ servers: config.nats, name: 'berth-scheduler', maxReconnectAttempts: -1 });
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'reconnect') reconnects.inc();
  })();
  const store: EventStore = await JetStreamEventStore.connect({ nc });
  const projection = createSchedulerProjection();
  const history = new JobHistoryIndex();
  projection.onEvent((e) => history.apply(e));
  const view = new SchedulerView(projection);
  const following: Subscription = projection.follow(store);
  await following.caughtUp;
  logger.info({ sequence: projection.sequence }, 'projection caught up');

  const executor = new CommandExecutor(store, projection);
  const liveness = new LivenessMonitor(
    {
      hosts: () => view.hosts().map((h) => ({ host: h.host, status: h.status, agentId: h.agentId })),
      markUp: async (host, agentId) => {
        await executor.execute(Aggregate.HOST, host, hostDecider, (_, time) => ({ type: 'MarkHostUp' as const, host, agentId, time }), { actor: SCHEDULER_ACTOR });
      },
      markDown: async (host) => {
        await executor.execute(Aggregate.HOST, host, hostDecider, (_, time) => ({ type: 'MarkHostDown' as const, host, time }), { actor: SCHEDULER_ACTOR });
      },
    },
    config.hostDownAfterSeconds * 1000,
    logger,
  );
  const server = new CommandServer(nc, logger, {
    onCommand: (command, outcome, seconds) => {
      commands.inc({ command, outcome });
      latency.observe({ command }, seconds);
    },
  });
  server.register(
    ...jobRoutes(executor, view, config),
    ...hostRoutes(executor, config),
    ...deploymentRoutes(executor, view, config),
    ...queryRoutes(view, history),
  );
  const agents = new AgentLink(nc, executor, view, liveness, config, logger);
  await agents.start();
  server.start();
  liveness.start();
  await nc.flush();
  ready = true;
  logger.info({ nats: config.nats, health: health.url }, 'scheduler serving');

  return {
    healthUrl: health.url,
    view,
    async stop() {
      ready = false;
      await server.stop();
      await liveness.stop();
      await agents.stop();
      await following.stop();
      await store.close();
      await nc.drain();
      await health.close();
    },
  };
}
