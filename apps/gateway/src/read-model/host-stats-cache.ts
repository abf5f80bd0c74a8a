import { HEARTBEAT_SUBJECT_WILDCARD, decodeSubjectToken, readHostStats, type HostStats } from '@berth/contracts';
import type { NatsConnection } from '@nats-io/transport-node';

/** A host's last stats and when the gateway received them. */
export interface ReceivedHostStats {
  readonly stats: HostStats;
  readonly receivedAt: number;
}

/**
 * The newest load and memory figures of each host, from its agent's
 * heartbeats (`berth.agent.<host>.heartbeat`, read only). They are never
 * events: a gateway started later knows them after one heartbeat interval,
 * and figures older than `maxAgeMs` (a silent agent) are not shown.
 */
export class HostStatsCache {
  private readonly byHost = new Map<string, ReceivedHostStats>();

  constructor(
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Follows every agent's heartbeats; returns the unsubscribe. */
  follow(nc: NatsConnection): () => void {
    const sub = nc.subscribe(HEARTBEAT_SUBJECT_WILDCARD, {
      callback: (err, msg) => {
        if (err) return;
        let body: unknown;
        try {
          body = msg.json();
        } catch {
          return;
        }
        this.record(msg.subject, body);
      },
    });
    return () => sub.unsubscribe();
  }

  /** A heartbeat: the host is the subject's (an agent may publish only its own), the stats are checked. */
  record(subject: string, heartbeat: unknown): void {
    const token = subject.split('.')[2];
    if (token === undefined || typeof heartbeat !== 'object' || heartbeat === null) return;
    const stats = readHostStats((heartbeat as { stats?: unknown }).stats);
    if (stats === undefined) return;
    let host: string;
    try {
      host = decodeSubjectToken(token);
    } catch {
      return;
    }
    this.byHost.set(host, { stats, receivedAt: this.now() });
  }

  /** The host's figures, unless its agent has been silent for longer than `maxAgeMs`. */
  get(host: string): ReceivedHostStats | undefined {
    const entry = this.byHost.get(host);
    if (entry === undefined) return undefined;
    if (this.now() - entry.receivedAt > this.maxAgeMs) {
      this.byHost.delete(host);
      return undefined;
    }
    return entry;
  }
}
