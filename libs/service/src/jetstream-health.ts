import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Gauge, type Registry } from 'prom-client';
import type { Readiness } from './health-server';
import { redactNatsUrl } from './nats-connection';

export interface JetStreamHealthOptions {
  /** the stream the service cannot work without (BERTH_EVENTS) */
  readonly stream: string;
  /** between checks; default 1 s */
  readonly intervalMs?: number;
  /** a check that takes longer fails; default 2 s */
  readonly timeoutMs?: number;
  /** gets berth_nats_server_info{server_name,url} and berth_jetstream_stream_leader */
  readonly registry?: Registry;
}

/**
 * What a service's `/readyz` needs to know about JetStream on a cluster: whether
 * its stream has a leader (without one, no append or consistent read succeeds:
 * a majority of the stream's servers is down or partitioned). Checked every
 * second with a stream info request; on a single server the stream has no
 * cluster info and is ready while it answers. Also shows, as metrics, which
 * nats-server the connection is on (it moves on reconnects across a cluster).
 */
export class JetStreamHealth {
  private last: Readiness = { ready: false, detail: 'JetStream not checked yet' };
  private timer: NodeJS.Timeout | undefined;
  private jsm: JetStreamManager | undefined;
  private checking = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: JetStreamHealthOptions,
  ) {
    const registry = options.registry;
    if (registry) {
      const status = (): Readiness => this.status();
      new Gauge({
        name: 'berth_nats_server_info',
        help: 'the nats-server this service is connected to (1), by server name and URL',
        labelNames: ['server_name', 'url'],
        registers: [registry],
        collect() {
          this.reset();
          if (!nc.isClosed()) this.set({ server_name: nc.info?.server_name ?? '', url: redactNatsUrl(nc.getServer()) }, 1);
        },
      });
      new Gauge({
        name: 'berth_jetstream_stream_leader',
        help: `1 while ${options.stream} has a JetStream leader (appends and reads work), else 0`,
        registers: [registry],
        collect() {
          this.set(status().ready ? 1 : 0);
        },
      });
    }
  }

  /** Checks at once, then every intervalMs until stop(). */
  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), this.options.intervalMs ?? 1_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  status(): Readiness {
    if (this.nc.isClosed()) return { ready: false, detail: 'NATS connection closed' };
    return this.last;
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    const stream = this.options.stream;
    try {
      this.jsm ??= await jetstreamManager(this.nc, { timeout: this.options.timeoutMs ?? 2_000 });
      const info = await this.jsm.streams.info(stream);
      const leader = info.cluster?.leader;
      // no cluster info: a single server, which answered
      this.last =
        info.cluster === undefined || (leader !== undefined && leader !== '')
          ? { ready: true, detail: leader ? `${stream} led by ${leader}` : `${stream} available` }
          : { ready: false, detail: `${stream} has no JetStream leader (a majority of its servers is down or cut off)` };
    } catch (err) {
      this.last = { ready: false, detail: `JetStream did not answer about ${stream} via ${redactNatsUrl(this.nc.getServer())}: ${(err as Error).message}` };
    } finally {
      this.checking = false;
    }
  }
}
