import { SchedulerCommand } from '@berth/contracts';
import type { SchedulerClient } from '@berth/scheduler-client';
import { startService, type NatsServer, type ServiceProcess } from '@berth/testing';

/**
 * Node's own flags for the benchmarked scheduler, from
 * BENCH_SCHEDULER_NODE_ARGS (space-separated), e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`: node refuses --cpu-prof in
 * NODE_OPTIONS, so they go on the command line (the profile is written when
 * the scheduler exits on the benchmark's SIGTERM).
 */
export function schedulerNodeArgs(): string[] {
  return (process.env['BENCH_SCHEDULER_NODE_ARGS'] ?? '').split(/\s+/).filter((arg) => arg.length > 0);
}

/** The scheduler as its own process (apps/scheduler/src/main.ts, one event loop), stopped by pid. */
export function startSchedulerProcess(server: NatsServer, args: readonly string[], logLevel: string): ServiceProcess {
  return startService('scheduler', 'apps/scheduler/src/main.ts', ['--nats', server.url, '--http-port', '0', ...args], { LOG_LEVEL: logLevel }, schedulerNodeArgs());
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
