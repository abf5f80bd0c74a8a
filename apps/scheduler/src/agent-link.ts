import {
  AgentTopic,
  HostTopic,
  RegisterHostRequest,
  SCHEDULER_STATUS_CONSUMER,
  STATUS_STREAM,
  STATUS_SUBJECT_WILDCARD,
  decodeSubjectToken,
  errorResponse,
  hostSubject,
  okResponse,
  parseRequest,
  toErrorResponse,
  ErrorCode,
  ImageState,
  type DesiredState,
  type HeartbeatMessage,
  type ImageStatus,
  type TaskStatusReport,
} from '@berth/contracts';
import { deploymentDecider, desiredTasksOf, isTaskState, type TaskStatus } from '@berth/domain';
import type { Logger } from '@berth/service';
import { AckPolicy, JetStreamApiCodes, JetStreamApiError, StorageType, jetstream, jetstreamManager, type ConsumerMessages } from '@nats-io/jetstream';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { DEFAULT_REPLICAS, ensureReplicas, explainReplicasError } from '@berth/event-store';
import type { CommandExecutor } from './command-executor';
import { KeyedLanes } from './keyed-lanes';
import { registerHost, type HostPolicy } from './host-handlers';
import type { LivenessMonitor } from './liveness-monitor';
import { Aggregate, type BerthView } from '@berth/read-model';

const STATUS_ACK_WAIT_MS = 5_000;
const STATUS_PULL_EXPIRES_MS = 2_000;
const STATUS_REOPEN_PAUSE_MS = 500;
/** Status reports being recorded at once (of different hosts). */
const STATUS_IN_FLIGHT = 64;

/** Deployment events after which a host's agent gets its new desired state. */
const DESIRED_STATE_CHANGES = new Set(['JobDeployed', 'JobUndeployed', 'GoalChanged', 'HostDeploymentsCleared']);

/**
 * The scheduler's side of the agent protocol (libs/contracts agent-protocol):
 * registration and desired-state requests, heartbeats, status reports from
 * the BERTH_STATUS stream, and desired state pushed on every change.
 */
export class AgentLink {
  private readonly subscriptions: Subscription[] = [];
  private imagesRecorded: Promise<void> = Promise.resolve();
  private statusMessages: ConsumerMessages | undefined;
  private statusLoop: Promise<void> | undefined;
  private stopping = false;
  private wakeReopen: (() => void) | undefined;
  private unlisten: (() => void) | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly executor: CommandExecutor,
    private readonly view: BerthView,
    private readonly liveness: LivenessMonitor,
    private readonly hostPolicy: HostPolicy,
    private readonly logger: Logger,
    /** Answers to PrepareImage (ImageStaging.record); the report is acknowledged once this resolves. */
    private readonly onImages: (host: string, statuses: readonly ImageStatus[]) => Promise<void> = async () => undefined,
    /** replicas of BERTH_STATUS (`--replicas`) */
    private readonly replicas: number = DEFAULT_REPLICAS,
  ) {}

  async start(): Promise<void> {
    this.subscriptions.push(
      this.nc.subscribe(`berth.agent.*.${AgentTopic.REGISTER}`, { callback: (_e, msg) => void this.onRegister(msg) }),
      this.nc.subscribe(`berth.agent.*.${AgentTopic.HEARTBEAT}`, { callback: (_e, msg) => void this.onHeartbeat(msg) }),
      this.nc.subscribe(`berth.agent.*.${AgentTopic.DESIRED_REQUEST}`, { callback: (_e, msg) => this.onDesiredRequest(msg) }),
    );
    this.unlisten = this.view.projection.onEvent((event) => {
      if (event.aggregate === Aggregate.DEPLOYMENT && DESIRED_STATE_CHANGES.has(event.type)) this.publishDesiredState(event.aggregateId);
    });
    await this.startStatusConsumer();
    // a leader that died between appending a change and publishing it left agents with an old
    // desired state: a new term publishes every host's current one
    for (const host of this.view.projection.all(Aggregate.DEPLOYMENT).keys()) this.publishDesiredState(host);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.unlisten?.();
    for (const s of this.subscriptions) s.unsubscribe();
    this.wakeReopen?.();
    // ends the loop's iteration; not awaited: a consume that nobody iterates never says it closed
    void this.statusMessages?.close();
    await this.statusLoop;
  }

  desiredState(host: string): DesiredState {
    return { host, revision: this.view.projection.sequence, tasks: desiredTasksOf(this.view.deployments(host), this.view.jobs()) };
  }

  publishDesiredState(host: string): void {
    this.nc.publish(hostSubject(host, HostTopic.DESIRED), JSON.stringify(this.desiredState(host)));
  }

  /** The host named by the subject; an agent may only speak for its own host. */
  private subjectHost(msg: Msg): string {
    return decodeSubjectToken(msg.subject.split('.')[2] ?? '');
  }

  private async onRegister(msg: Msg): Promise<void> {
    try {
      // the actor is the connection's identity (the subject its permissions pin), never what the payload claims
      const req = parseRequest(RegisterHostRequest, { ...(msg.json() as object), actor: `agent:${this.subjectHost(msg)}` });
      if (req.host !== this.subjectHost(msg)) {
        msg.respond(JSON.stringify(errorResponse(ErrorCode.FORBIDDEN, `an agent may only register its own host (${this.subjectHost(msg)})`)));
        return;
      }
      const result = await registerHost(this.executor, this.hostPolicy, req, req);
      await this.liveness.heartbeat(req.host, req.agentId);
      msg.respond(JSON.stringify(okResponse(result)));
    } catch (err) {
      msg.respond(JSON.stringify(toErrorResponse(err)));
    }
  }

  private async onHeartbeat(msg: Msg): Promise<void> {
    try {
      const beat = msg.json() as Partial<HeartbeatMessage>;
      if (typeof beat.agentId !== 'string') return;
      await this.liveness.heartbeat(this.subjectHost(msg), beat.agentId);
    } catch (err) {
      this.logger.warn({ err, subject: msg.subject }, 'bad heartbeat');
    }
  }

  private onDesiredRequest(msg: Msg): void {
    try {
      msg.respond(JSON.stringify(okResponse(this.desiredState(this.subjectHost(msg)))));
    } catch (err) {
      msg.respond(JSON.stringify(toErrorResponse(err)));
    }
  }

  /**
   * Status reports wait in a stream, so none is lost while the scheduler restarts or fails over.
   * The stream (memory storage) and its consumer vanish with a nats-server restart: the consume
   * then ends (abort_on_missing_resource) and both are created again, for as long as the term lasts.
   */
  private async startStatusConsumer(): Promise<void> {
    // the first one is set up before the term counts as started: failing here fails the term
    let messages = await this.openStatusConsumer();
    // hosts' reports are recorded concurrently (appends to different aggregates), each host's in order
    const lanes = new KeyedLanes(STATUS_IN_FLIGHT);
    this.statusLoop = (async () => {
      while (!this.stopping) {
        try {
          for await (const m of messages) {
            const host = decodeSubjectToken(m.subject.split('.')[2] ?? '');
            await lanes.add(host, async () => {
              try {
                await this.recordStatus(host, m.json() as TaskStatusReport);
                m.ack();
              } catch (err) {
                this.logger.warn({ err, subject: m.subject }, 'status report not recorded; will be redelivered');
                m.nak(1000);
              }
            });
          }
        } catch (err) {
          if (!this.stopping) this.logger.warn({ err }, 'status consumer ended; setting it up again');
        }
        const next = await this.reopenStatusConsumer();
        if (next === undefined) break;
        messages = next;
      }
      await lanes.drain();
    })();
  }

  /** Until it works or the term ends (undefined), with a pause between attempts. */
  private async reopenStatusConsumer(): Promise<ConsumerMessages | undefined> {
    for (let attempt = 0; !this.stopping; attempt++) {
      if (attempt > 0) await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, STATUS_REOPEN_PAUSE_MS);
        this.wakeReopen = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (this.stopping) break;
      try {
        const messages = await this.openStatusConsumer();
        this.logger.info({ stream: STATUS_STREAM, consumer: SCHEDULER_STATUS_CONSUMER }, 'status consumer running again');
        return messages;
      } catch (err) {
        this.logger.warn({ err }, 'status consumer could not be set up; trying again');
      }
    }
    return undefined;
  }

  /** The stream and the durable consumer, each created when missing, and a consume of it. */
  private async openStatusConsumer(): Promise<ConsumerMessages> {
    const jsm = await jetstreamManager(this.nc);
    try {
      await jsm.streams.info(STATUS_STREAM);
      await ensureReplicas(jsm, STATUS_STREAM, this.replicas);
    } catch (err) {
      if (!isJetStreamError(err, JetStreamApiCodes.StreamNotFound)) throw err;
      await jsm.streams
        .add({
          name: STATUS_STREAM,
          subjects: [STATUS_SUBJECT_WILDCARD],
          // observed state is re-derivable (agents re-report in full), so no fsync per report
          storage: StorageType.Memory,
          max_age: 3_600 * 1e9,
          num_replicas: this.replicas,
        })
        .catch((e: unknown) => {
          throw explainReplicasError(e, STATUS_STREAM, this.replicas);
        });
    }
    // A leader killed mid-pull leaves its pull request open on the server, and the reports it
    // swallows come back only after ack_wait: keep both short. Recording a report again is harmless
    // (repeats decide no events), so a short ack_wait costs nothing but a rare duplicate delivery.
    const config = { durable_name: SCHEDULER_STATUS_CONSUMER, ack_policy: AckPolicy.Explicit, ack_wait: STATUS_ACK_WAIT_MS * 1e6 };
    await jsm.consumers.add(STATUS_STREAM, config).catch(() => jsm.consumers.update(STATUS_STREAM, SCHEDULER_STATUS_CONSUMER, { ack_wait: config.ack_wait }));
    const consumer = await jetstream(this.nc).consumers.get(STATUS_STREAM, SCHEDULER_STATUS_CONSUMER);
    const messages = await consumer.consume({ max_messages: 2 * STATUS_IN_FLIGHT, expires: STATUS_PULL_EXPIRES_MS, abort_on_missing_resource: true });
    this.statusMessages = messages;
    // stop() may have come while this was being set up
    if (this.stopping) void messages.close();
    return messages;
  }

  /** One append per report: every transition that changed something, in order; then its image answers. */
  private async recordStatus(host: string, report: TaskStatusReport): Promise<void> {
    await this.recordTasks(host, report);
    const images = Array.isArray(report.images) ? report.images.filter(isValidImageStatus) : [];
    // image answers all land on the prestaging rollout's aggregate: one at a time, not racing appends
    if (images.length > 0) await this.oneAtATime(() => this.onImages(host, images));
  }

  private oneAtATime(task: () => Promise<void>): Promise<void> {
    const run = this.imagesRecorded.then(task);
    this.imagesRecorded = run.catch(() => undefined);
    return run;
  }

  private async recordTasks(host: string, report: TaskStatusReport): Promise<void> {
    if (!Array.isArray(report.tasks)) return;
    const statuses = report.tasks.filter(isValidStatus);
    if (statuses.length === 0) return;
    await this.executor.execute(
      Aggregate.DEPLOYMENT,
      host,
      deploymentDecider,
      (_, time) => ({ type: 'RecordTaskStatuses' as const, host, statuses, time }),
      { actor: `agent:${host}` },
    );
  }
}

function isJetStreamError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

const IMAGE_STATES: ReadonlySet<string> = new Set(Object.values(ImageState));

function isValidImageStatus(status: unknown): status is ImageStatus {
  const s = status as Partial<ImageStatus> | null;
  return typeof s === 'object' && s !== null && typeof s.image === 'string' && typeof s.rolloutId === 'string' && IMAGE_STATES.has(s.state ?? '');
}

function isValidStatus(status: unknown): status is TaskStatus {
  const s = status as Partial<TaskStatus> | null;
  return typeof s === 'object' && s !== null && typeof s.jobId === 'string' && isTaskState(s.state) && typeof s.time === 'string';
}
