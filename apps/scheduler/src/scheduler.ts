import { BERTH_VERSION, EVENTS_STREAM, SCHEDULER_INBOX_PREFIX, assertNatsServerVersion } from '@berth/contracts';
import { hostname } from 'node:os';
import { JetStreamEventStore, type EventStore, type Subscription } from '@berth/event-store';
import { JetStreamHealth, createMetricsRegistry, drainNats, natsConnectOptions, redactNatsUrl, reportAnomalies, startHealthServer, type HealthServer, type Logger, type Readiness } from '@berth/service';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Counter, Gauge, Histogram } from 'prom-client';
import { CommandExecutor } from './command-executor';
import { CommandServer } from './command-server';
import type { SchedulerConfig } from './config';
import { deploymentGroupRoutes } from './deployment-group-handlers';
import { deploymentRoutes } from './deployment-handlers';
import { hostRoutes } from './host-handlers';
import { jobRoutes } from './job-handlers';
import { LeaderLease, type Role } from './leader-lease';
import { beginFencedTerm } from './leader-fence';
import { startLeaderTerm, type StopLeaderTerm } from './leader-term';
import { servePresence } from './presence-responder';
import { queryRoutes } from './query-handlers';
import { freezeRoutes } from './freeze-handlers';
import { apiTokenRoutes } from './api-token-handlers';
import { releaseRoutes } from './release-handlers';
import { releasePlanRoutes } from './release-plan-handlers';
import { rolloutRoutes } from './rollout-handlers';
import { BerthView, JobHistoryIndex, KNOWN_EVENT_TYPES, createBerthProjection } from '@berth/read-model';
import { Snapshotter } from './snapshotter';

const RECONNECT_WAIT_MS = 500;

export interface RunningScheduler {
  readonly healthUrl: string;
  readonly view: BerthView;
  readonly history: JobHistoryIndex;
  /** milliseconds from connecting to a projection caught up with the stream (snapshot load + replay) */
  readonly rebuildMs: number;
  /** stream sequence of the snapshot the state was restored from (0: replayed from the start) */
  readonly restoredFrom: number;
  role(): Role;
  stop(): Promise<void>;
}

/**
 * Wires the scheduler: snapshot + projection of BERTH_EVENTS, then the
 * leader lease. Every scheduler keeps its projection current; the one
 * holding the lease also serves berth.cmd.>, talks to agents and writes
 * (leader-term.ts). Returns once it leads or stands by, caught up.
 */
export async function startScheduler(config: SchedulerConfig, logger: Logger): Promise<RunningScheduler> {
  const registry = createMetricsRegistry('scheduler');
  const commands = new Counter({ name: 'berth_commands_total', help: 'commands served', labelNames: ['command', 'outcome'], registers: [registry] });
  const latency = new Histogram({ name: 'berth_command_seconds', help: 'command latency', labelNames: ['command'], registers: [registry], buckets: [0.001, 0.005, 0.01, 0.025, 0.1, 0.5, 2] });
  const reconnects = new Counter({ name: 'berth_nats_reconnects_total', help: 'NATS reconnects', registers: [registry] });
  const isLeader = new Gauge({ name: 'berth_scheduler_leader', help: '1 while this scheduler holds the leader lease, 0 while it stands by', registers: [registry] });
  let caughtUp = false;
  let term: StopLeaderTerm | undefined;
  // the lease is opened after the health server, which already asks about it
  const leadership: { lease?: LeaderLease; jetstream?: JetStreamHealth } = {};
  /** Ready: the event stream has a JetStream leader, and this is a leader whose duties run, or a standby while another scheduler holds a live lease. */
  const readiness = (): Readiness => {
    if (!caughtUp || leadership.lease === undefined) return { ready: false, detail: 'catching up with the event stream' };
    const stream = leadership.jetstream?.status();
    if (stream && !stream.ready) return stream;
    const known = leadership.lease.leadership();
    if (known.kind === 'self') return term === undefined ? { ready: false, detail: 'taking up leader duties' } : { ready: true, detail: 'leader' };
    if (known.kind === 'other') return { ready: true, detail: 'standby; another scheduler holds the lease' };
    const forS = (known.forMs / 1000).toFixed(1);
    return { ready: false, detail: `no leader for ${forS} s${known.disconnected ? ' (not connected to NATS)' : ''}` };
  };
  const health: HealthServer = await startHealthServer({ host: config.httpHost, port: config.httpPort, registry, isReady: readiness });

  const started = performance.now();
  // back soon after a restarted nats-server is (the client's default is 2 s): well within a lease
  const nc: NatsConnection = await connect(
    natsConnectOptions(config, { name: 'berth-scheduler', inboxPrefix: SCHEDULER_INBOX_PREFIX, maxReconnectAttempts: -1, reconnectTimeWait: RECONNECT_WAIT_MS }),
  );
  try {
    assertNatsServerVersion(nc.info?.version, nc.getServer());
  } catch (err) {
    await nc.close();
    await health.close();
    throw err;
  }
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'reconnect') reconnects.inc();
  })();
  const store: EventStore = await JetStreamEventStore.connect({ nc, replicas: config.replicas });
  leadership.jetstream = new JetStreamHealth(nc, { stream: EVENTS_STREAM, registry });
  await leadership.jetstream.start();
  const projection = createBerthProjection();
  // before the replay: an anomaly in the history is logged and counted at every start
  reportAnomalies(projection, { logger, registry, knownTypes: KNOWN_EVENT_TYPES });
  const history = new JobHistoryIndex();
  projection.onEvent((e) => history.apply(e));
  const view = new BerthView(projection);
  const snapshotter = new Snapshotter(store, projection, history, config.snapshotEvery, logger);
  const fromSnapshot = await snapshotter.restore();
  const following: Subscription = projection.follow(store);
  await following.caughtUp;
  const rebuildMs = performance.now() - started;
  caughtUp = true;
  logger.info({ snapshotSequence: fromSnapshot, sequence: projection.sequence, rebuildMs: Math.round(rebuildMs) }, 'projection caught up');

  const executor = new CommandExecutor(store, projection);
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
    ...deploymentGroupRoutes(executor, view),
    ...rolloutRoutes(executor, view),
    ...releaseRoutes(executor, view),
    ...releasePlanRoutes(executor, view),
    ...freezeRoutes(executor, view),
    ...apiTokenRoutes(executor),
  );
  const lease = await LeaderLease.open(nc, { ttlMs: config.leaseTtlSeconds * 1000, logger, replicas: config.replicas });
  leadership.lease = lease;
  await lease.start({
    onAcquired: async () => {
      // from the term's marker on, a paused predecessor can write nothing; decisions must see everything it wrote before
      const termSequence = await beginFencedTerm(store, lease.holderId, (err) => {
        logger.warn({ err: err.message }, 'writes fenced: a newer leader term began; stepping down');
        lease.stepDown('a newer leader term began (writes fenced)');
      });
      await projection.waitFor(termSequence);
      term = await startLeaderTerm({ nc, executor, view, server, snapshotter, config, logger });
      isLeader.set(1);
      logger.info({ role: 'leader', sequence: projection.sequence, nats: redactNatsUrl(config.nats), health: health.url }, 'scheduler serving as leader');
    },
    onLost: async () => {
      isLeader.set(0);
      const stopTerm = term;
      term = undefined;
      await stopTerm?.();
      logger.info({ role: 'standby' }, 'scheduler standing by');
    },
  });
  if (!lease.isLeader) logger.info({ role: 'standby', sequence: projection.sequence, health: health.url }, 'scheduler standing by');
  const startedAt = new Date().toISOString();
  const presence = servePresence(nc, () => ({
    id: lease.holderId,
    // leader only while it serves under a lease confirmed since its last reconnect: what a client's commands need
    role: lease.leadership().kind === 'self' && term !== undefined ? 'leader' : 'standby',
    hostname: hostname(),
    pid: process.pid,
    startedAt,
    sequence: projection.sequence,
    health: health.url,
    version: BERTH_VERSION,
  }));
  // the server must know of the subscription before we say we are running, or a `masters` right after misses us
  await nc.flush();

  return {
    healthUrl: health.url,
    view,
    history,
    rebuildMs,
    restoredFrom: fromSnapshot,
    role: () => lease.currentRole,
    async stop() {
      caughtUp = false;
      leadership.jetstream?.stop();
      presence.unsubscribe();
      await lease.stop();
      await snapshotter.close();
      await following.stop();
      await store.close();
      await drainNats(nc);
      await health.close();
    },
  };
}
