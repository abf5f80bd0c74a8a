import { SchedulerCommand } from '@berth/contracts';
import type { SchedulerClient } from '@berth/scheduler-client';
import type { NatsServer, ServiceProcess } from '@berth/testing';
import { startBundledProcess } from './bundled-process';

/** The scheduler as `npm start` runs it (its bundle; BENCH_SCHEDULER_NODE_ARGS for extra node flags), stopped by pid. */
export function startSchedulerProcess(server: NatsServer, args: readonly string[], logLevel: string): ServiceProcess {
  return startBundledProcess('scheduler', ['--nats', server.url, '--http-port', '0', ...args], { LOG_LEVEL: logLevel });
}

/** Bounded polling until the scheduler answers commands (or fails with its output when it exited). */
export async function waitForScheduler(client: SchedulerClient, scheduler: ServiceProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void scheduler.exited.then(() => (exited = true));
  for (;;) {
    const r = await client.request(SchedulerCommand.LIST_JOBS, {}, { timeoutMs: 1_000 });
    if (r.ok) return;
    if (exited) throw new Error(`scheduler exited before serving:\n${scheduler.output().slice(-4000)}`);
    if (Date.now() > deadline) throw new Error(`scheduler did not start serving:\n${scheduler.output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
