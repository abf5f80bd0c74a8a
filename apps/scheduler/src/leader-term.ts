import { hostDecider } from '@berth/domain';
import type { Logger } from '@berth/service';
import type { NatsConnection, Status } from '@nats-io/transport-node';
import { AgentLink } from './agent-link';
import { ImageStaging } from './image-staging';
import { SCHEDULER_ACTOR, type CommandExecutor } from './command-executor';
import type { CommandServer } from './command-server';
import type { SchedulerConfig } from './config';
import { JobExpiry } from './job-expiry';
import { LivenessMonitor } from './liveness-monitor';
import { GateListener } from './gate-listener';
import { ReleaseManager } from './release-manager';
import { RolloutManager } from './rollout-manager';
import { Aggregate, type BerthView } from '@berth/read-model';
import type { Snapshotter } from './snapshotter';

export interface LeaderTermDeps {
  readonly nc: NatsConnection;
  readonly executor: CommandExecutor;
  readonly view: BerthView;
  readonly server: CommandServer;
  readonly snapshotter: Snapshotter;
  readonly config: SchedulerConfig;
  readonly logger: Logger;
}

/** Stops every duty of a term; resolves when none is running any more. */
export type StopLeaderTerm = () => Promise<void>;

/**
 * What only the leader does, for as long as it holds the lease: serve
 * commands, talk to agents (registration, heartbeats, status reports,
 * desired state), mark hosts UP/DOWN, expire jobs, drive rollouts
 * (rollout-manager.ts) and releases (release-manager.ts, gate-listener.ts) and save snapshots.
 * Each term gets fresh monitors, so a new leader gives every host a full
 * heartbeat timeout before marking it DOWN.
 */
export async function startLeaderTerm(deps: LeaderTermDeps): Promise<StopLeaderTerm> {
  const { nc, executor, view, server, snapshotter, config, logger } = deps;
  const liveness = new LivenessMonitor(
    {
      hosts: () => view.hosts().map((h) => ({ host: h.host, status: h.status, agentId: h.agentId })),
      host: (name) => {
        const h = view.host(name);
        return h === undefined ? undefined : { host: h.host, status: h.status, agentId: h.agentId };
      },
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
  const images = new ImageStaging(nc, executor, view, logger);
  const agents = new AgentLink(nc, executor, view, liveness, config, logger, (host, statuses) => images.record(host, statuses), config.replicas);
  const expiry = new JobExpiry(executor, view, logger);
  const rollouts = new RolloutManager(executor, view, logger, { defaultPortRange: config.defaultPortRange, images });
  const releases = new ReleaseManager(executor, view, logger);
  const gates = new GateListener(nc, executor, view, logger);
  await agents.start();
  server.start();
  gates.start();
  liveness.start();
  const connection = graceAfterReconnects(nc, liveness, logger);
  expiry.start();
  rollouts.start();
  releases.start();
  snapshotter.enable();
  await nc.flush();
  return async () => {
    await server.stop();
    await gates.stop();
    await releases.stop();
    await rollouts.stop();
    await expiry.stop();
    connection.stop?.();
    await liveness.stop();
    await agents.stop();
    await snapshotter.disable();
  };
}

/** Heartbeats sent while we were disconnected never reached us: no host is DOWN for that. */
function graceAfterReconnects(nc: NatsConnection, liveness: LivenessMonitor, logger: Logger): { stop?: () => void } {
  const status = nc.status() as AsyncIterable<Status> & { stop?: () => void };
  void (async () => {
    for await (const s of status) if (s.type === 'reconnect') liveness.graceFromNow();
  })().catch((err: unknown) => logger.warn({ err }, 'leader term: connection status ended'));
  return status;
}
