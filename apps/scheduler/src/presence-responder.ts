import { SCHEDULER_PRESENCE_SUBJECT, type SchedulerPresence } from '@berth/contracts';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';

/** Answers every presence request with this process's current presence (leader and standbys alike). */
export function servePresence(nc: NatsConnection, presence: () => SchedulerPresence): Subscription {
  return nc.subscribe(SCHEDULER_PRESENCE_SUBJECT, {
    callback: (err, msg) => {
      if (!err) msg.respond(JSON.stringify(presence()));
    },
  });
}
