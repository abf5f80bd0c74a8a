/*
 * A share of the gateway benchmark's rolloutProgress subscribers, in a
 * process of its own so that the clients' work spreads over processes (and
 * cores) instead of queueing in the one that times the appends.
 *
 * Forked by bench/gateway/main.ts with: url token count. It opens `count`
 * graphql-ws connections, then, for each rollout the parent names, answers
 * on the IPC channel:
 *   { type: 'ready' }  once every client got that rollout's current state
 *   { type: 'done' }   once every client saw it SUCCEEDED
 *   { type: 'report', deliveries, cpuMs } when asked: every update caused
 *     by an event of that rollout, as [client, event, receive time] on the
 *     machine-wide monotonic clock (comparable across processes), and the
 *     CPU time this process used since 'ready'; the subscriptions end
 * and exits on { type: 'stop' }.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export type Delivery = readonly [client: number, event: string, at: number];

export type SubscriberMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'done' }
  | { readonly type: 'report'; readonly deliveries: readonly Delivery[]; readonly cpuMs: number };

export type ParentMessage = { readonly type: 'subscribe'; readonly rolloutId: string } | { readonly type: 'report' } | { readonly type: 'stop' };

/** Milliseconds on CLOCK_MONOTONIC: the same clock in every process of the machine. */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

const BATCH = 50;
const QUERY = 'subscription($id: String!) { rolloutProgress(rolloutId: $id) { event rollout { status } } }';

function send(message: SubscriberMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const [url, token, countArg] = process.argv.slice(2);
  const count = Number(countArg);
  if (!url || !token || !Number.isInteger(count) || count < 1) throw new Error('usage: subscribers <url> <token> <count>');
  const clients: Client[] = Array.from({ length: count }, () =>
    createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, connectionParams: { authorization: `Bearer ${token}` } }),
  );
  let deliveries: Delivery[] = [];
  let unsubscribes: (() => void)[] = [];
  let cpuAtReady = process.cpuUsage();

  /** Every client subscribes to the rollout (on its open connection), BATCH at a time; resolves once each has its current state. */
  const follow = async (rolloutId: string): Promise<void> => {
    const finished = new Set<number>();
    const subscribe = (index: number) =>
      new Promise<void>((resolve, reject) => {
        const unsubscribe = (clients[index] as Client).subscribe<{ rolloutProgress: { event: string | null; rollout: { status: string } } }>(
          { query: QUERY, variables: { id: rolloutId } },
          {
            next: (msg) => {
              const at = monotonicMs();
              const progress = msg.data?.rolloutProgress;
              if (progress?.event) deliveries.push([index, progress.event, at]);
              if (progress?.rollout.status === 'SUCCEEDED' && !finished.has(index)) {
                finished.add(index);
                if (finished.size === count) send({ type: 'done' });
              }
              resolve();
            },
            error: reject,
            complete: () => undefined,
          },
        );
        unsubscribes.push(unsubscribe);
      });
    for (let i = 0; i < count; i += BATCH) {
      await Promise.all(Array.from({ length: Math.min(BATCH, count - i) }, (_, k) => subscribe(i + k)));
    }
  };

  process.on('message', (message: ParentMessage) => {
    if (message.type === 'subscribe') {
      follow(message.rolloutId).then(
        () => {
          cpuAtReady = process.cpuUsage();
          send({ type: 'ready' });
        },
        (err: unknown) => {
          console.error(err);
          process.exit(1);
        },
      );
    } else if (message.type === 'report') {
      const cpu = process.cpuUsage(cpuAtReady);
      send({ type: 'report', deliveries, cpuMs: (cpu.user + cpu.system) / 1000 });
      for (const unsubscribe of unsubscribes) unsubscribe();
      unsubscribes = [];
      deliveries = [];
    } else {
      void Promise.all(clients.map((c) => c.dispose())).finally(() => process.exit(0));
    }
  });
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
