import { JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';

/*
 * How many copies JetStream keeps of every stream, KV bucket and object store Berth
 * creates (`num_replicas`). One setting for all of them (`--replicas`, BERTH_NATS_REPLICAS):
 * 1 on a single nats-server, 3 on a 3-node cluster (an acknowledgement then means a
 * majority holds it). An existing asset with fewer replicas is scaled up in place (a
 * stream config update; a KV bucket is the stream KV_<bucket>); one with more is left
 * alone, so a service started with the default 1 never scales a cluster's R3 assets down.
 */

export const DEFAULT_REPLICAS = 1;
/** JetStream's own limit */
export const MAX_REPLICAS = 5;

/** A stream or bucket could not get the replicas asked for (a single server, or fewer nodes than replicas). */
export class ReplicasUnavailableError extends Error {
  override readonly name = 'ReplicasUnavailableError';
  readonly code = 'REPLICAS_UNAVAILABLE';
}

/** `--replicas`: an integer from 1 to 5. */
export function parseReplicas(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_REPLICAS) throw new Error(`"${raw}" is not a number of replicas (1 to ${MAX_REPLICAS}; 3 on a 3-node cluster)`);
  return n;
}

/** nats-server's answers when replicas cannot be placed */
const NOT_CLUSTERED = 10074;
const NO_SUITABLE_PEERS = 10005;
const INSUFFICIENT_RESOURCES = 10023;

/** The server's refusal, told in the operator's terms; any other error is returned as is. */
export function explainReplicasError(err: unknown, stream: string, replicas: number): unknown {
  if (!(err instanceof JetStreamApiError)) return err;
  const hint = `set --replicas (BERTH_NATS_REPLICAS) to at most the number of nats-servers in the JetStream cluster`;
  if (err.code === NOT_CLUSTERED) {
    return new ReplicasUnavailableError(`${stream} cannot have ${replicas} replicas: this nats-server is not part of a cluster (${err.message}); ${hint}, 1 for a single server`, { cause: err });
  }
  if (err.code === NO_SUITABLE_PEERS || err.code === INSUFFICIENT_RESOURCES) {
    return new ReplicasUnavailableError(`${stream} cannot have ${replicas} replicas: the cluster has too few servers up with JetStream (${err.message}); ${hint}`, { cause: err });
  }
  return err;
}

export interface ReplicasChange {
  readonly stream: string;
  readonly from: number;
  readonly to: number;
}

/**
 * Scales `stream` up to `replicas` when it has fewer (an R1 stream created before the
 * cluster grew). Never scales down. Returns the change made, if any.
 */
export async function ensureReplicas(jsm: JetStreamManager, stream: string, replicas: number): Promise<ReplicasChange | undefined> {
  const info = await jsm.streams.info(stream);
  const current = info.config.num_replicas || 1;
  if (current >= replicas) return undefined;
  try {
    await jsm.streams.update(stream, { num_replicas: replicas });
  } catch (err) {
    throw explainReplicasError(err, stream, replicas);
  }
  return { stream, from: current, to: replicas };
}
