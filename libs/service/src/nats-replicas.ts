import { DEFAULT_REPLICAS, parseReplicas } from '@berth/event-store';
import type { Setting } from './config';

/**
 * `--replicas` / BERTH_NATS_REPLICAS: how many copies JetStream keeps of every stream, KV
 * bucket and object store a service creates (3 on a 3-node cluster). Raising it scales
 * existing assets up in place at the next start; lowering it changes nothing (see
 * libs/event-store stream-replicas.ts and docs/operations.md).
 */
export const natsReplicasSetting: Setting<number> = {
  flag: 'replicas',
  env: 'BERTH_NATS_REPLICAS',
  description: 'JetStream replicas of every stream and bucket Berth creates (1 on one nats-server, 3 on a 3-node cluster); existing ones with fewer are scaled up',
  parse: parseReplicas,
  default: DEFAULT_REPLICAS,
};
