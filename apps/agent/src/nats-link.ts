import {
  type CommandResponse,
  type DesiredState,
  type DesiredStateRequest,
  type HeartbeatMessage,
  type HostStats,
  type RegisterHostMessage,
  type RegisterHostResult,
  type TaskStatusReport,
  agentInboxPrefix,
  agentSubjects,
  assertNatsServerVersion,
} from '@berth/contracts';
import { type JetStreamClient, jetstream } from '@nats-io/jetstream';
import { drainNats, natsConnectOptions, type NatsConnectionConfig } from '@berth/service';
import { type ConnectionOptions, type NatsConnection, connect } from '@nats-io/transport-node';
import { type AgentLogger, silentLogger } from './logging';

export interface NatsLinkOptions {
  readonly servers: string;
  /** credentials and TLS of the connection (none: plain, anonymous) */
  readonly connection?: Partial<NatsConnectionConfig>;
  readonly host: string;
  readonly agentId: string;
  readonly registration: () => Promise<RegisterHostMessage>;
  /** A desired state as received, unchecked (the agent reads it with readDesiredState). */
  readonly onDesired: (state: unknown) => void;
  /** A PrepareImage message as received, unchecked (the agent reads it with readPrepareImage). */
  readonly onPrepareImage?: (message: unknown) => void;
  /** Registered (again): time for a full status report. */
  readonly onSession: () => void;
  readonly onReconnect?: () => void;
  /** The server is one Berth cannot run on (too old): the link has closed and will not retry. */
  readonly onRefused?: (err: Error) => void;
  readonly heartbeatMs: number;
  /** the host's load and memory, sent with each heartbeat */
  readonly hostStats?: () => HostStats;
  readonly logger?: AgentLogger;
}

const REQUEST_TIMEOUT_MS = 5_000;

/**
 * The agent's side of the agent protocol: connects (retrying forever, also
 * for the first connection) with the host's own inbox prefix, registers until
 * the scheduler accepts, fetches and follows the desired state, heartbeats,
 * and publishes status reports into the status stream. It never blocks the
 * agent: while NATS is away everything local carries on.
 */
export class NatsLink {
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private session = 0;
  private up = false;
  private registeredFlag = false;
  private closed = false;
  private readonly subjects;
  private readonly logger: AgentLogger;
  private readonly sleeps = new Set<() => void>();

  /** read once, here: a missing credentials file fails the agent's start, not a connection attempt later */
  private readonly connectOptions: ConnectionOptions;

  constructor(private readonly options: NatsLinkOptions) {
    this.connectOptions = natsConnectOptions({ ...options.connection, nats: options.servers });
    this.subjects = agentSubjects(options.host);
    this.logger = options.logger ?? silentLogger;
  }

  /** Connected and registered. */
  get ready(): boolean {
    return this.up && this.registeredFlag;
  }

  start(): void {
    void this.run().catch((err: unknown) => this.logger.error({ err: message(err) }, 'NATS link failed'));
  }

  async publishStatus(report: TaskStatusReport): Promise<void> {
    const { nc, js } = this;
    if (nc === undefined || js === undefined || !this.up) throw new Error('NATS not connected');
    const data = JSON.stringify(report);
    try {
      await js.publish(this.subjects.status, data, { timeout: REQUEST_TIMEOUT_MS });
    } catch (err) {
      // No status stream yet (the scheduler creates it): a plain publish still reaches live listeners.
      if (!isNoStream(err)) throw err;
      nc.publish(this.subjects.status, data);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    for (const wake of this.sleeps) wake();
    const nc = this.nc;
    // bounded: a drain never ends while the client is reconnecting (e.g. to a server refusing revoked credentials)
    if (nc !== undefined) await drainNats(nc);
  }

  private async run(): Promise<void> {
    const nc = await connect({
      ...this.connectOptions,
      name: `berth-agent ${this.options.host}`,
      inboxPrefix: agentInboxPrefix(this.options.host),
      maxReconnectAttempts: -1,
      waitOnFirstConnect: true,
      reconnectTimeWait: 500,
    });
    if (this.closed) {
      await nc.close();
      return;
    }
    try {
      assertNatsServerVersion(nc.info?.version, nc.getServer());
    } catch (err) {
      await nc.close();
      this.closed = true;
      this.options.onRefused?.(err as Error);
      return;
    }
    this.nc = nc;
    this.js = jetstream(nc);
    this.up = true;
    this.logger.info({ server: nc.getServer() }, 'connected to NATS');
    nc.subscribe(this.subjects.desired, {
      callback: (err, msg) => {
        if (err) return;
        const state = parse<unknown>(msg.data);
        if (state !== undefined) this.options.onDesired(state);
      },
    });
    nc.subscribe(this.subjects.prepareImage, {
      callback: (err, msg) => {
        if (err) return;
        const message = parse<unknown>(msg.data);
        if (message !== undefined) this.options.onPrepareImage?.(message);
      },
    });
    void this.watchStatus(nc);
    this.heartbeat = setInterval(() => this.sendHeartbeat(), this.options.heartbeatMs);
    await this.establishSession();
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        this.up = false;
        this.registeredFlag = false;
        this.logger.warn({}, 'NATS disconnected; containers keep running');
      } else if (s.type === 'reconnect') {
        this.up = true;
        this.options.onReconnect?.();
        this.logger.info({ server: nc.getServer() }, 'NATS reconnected');
        void this.establishSession();
      }
    }
  }

  /** Registers until accepted, then fetches the desired state; a newer session (reconnect) supersedes it. */
  private async establishSession(): Promise<void> {
    const session = ++this.session;
    const current = (): boolean => !this.closed && session === this.session && this.up;
    let delay = 500;
    while (current()) {
      try {
        const res = await this.request<RegisterHostResult>(this.subjects.register, await this.options.registration());
        if (res.ok) {
          this.logger.info({ status: res.result.status }, 'registered with the scheduler');
          break;
        }
        this.logger.warn({ code: res.error.code, message: res.error.message }, 'registration refused; retrying');
      } catch (err) {
        this.logger.warn({ err: message(err) }, 'registration failed; retrying');
      }
      await this.sleep(delay);
      delay = Math.min(delay * 2, 10_000);
    }
    if (!current()) return;
    this.registeredFlag = true;
    this.sendHeartbeat();
    try {
      const request: DesiredStateRequest = { host: this.options.host, agentId: this.options.agentId };
      const res = await this.request<DesiredState>(this.subjects.desiredRequest, request);
      if (res.ok && current()) this.options.onDesired(res.result);
      else if (!res.ok) this.logger.warn({ code: res.error.code, message: res.error.message }, 'desired state request refused');
    } catch (err) {
      this.logger.warn({ err: message(err) }, 'desired state request failed; waiting for the next published one');
    }
    if (current()) this.options.onSession();
  }

  private sendHeartbeat(): void {
    if (!this.ready || this.nc === undefined) return;
    const stats = this.options.hostStats?.();
    const beat: HeartbeatMessage = { host: this.options.host, agentId: this.options.agentId, time: new Date().toISOString(), ...(stats === undefined ? {} : { stats }) };
    this.nc.publish(this.subjects.heartbeat, JSON.stringify(beat));
  }

  private async request<T>(subject: string, body: unknown): Promise<CommandResponse<T>> {
    if (this.nc === undefined) throw new Error('NATS not connected');
    const reply = await this.nc.request(subject, JSON.stringify(body), { timeout: REQUEST_TIMEOUT_MS });
    const parsed = parse<CommandResponse<T>>(reply.data);
    if (parsed === undefined) throw new Error(`unreadable reply on ${subject}`);
    return parsed;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(handle);
        this.sleeps.delete(wake);
        resolve();
      };
      const handle = setTimeout(wake, ms);
      this.sleeps.add(wake);
    });
  }
}

function parse<T>(data: Uint8Array): T | undefined {
  try {
    return JSON.parse(new TextDecoder().decode(data)) as T;
  } catch {
    return undefined;
  }
}

function isNoStream(err: unknown): boolean {
  return err instanceof Error && (err.name === 'JetStreamNotEnabled' || /no responders|not enabled/i.test(err.message));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
