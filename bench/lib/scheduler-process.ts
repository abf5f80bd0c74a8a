import { SchedulerCommand } from '@berth/contracts';
import type { SchedulerClient } from '@berth/scheduler-client';
import { buildBundledService, startService, type NatsServer, type ServiceProcess } from '@berth/testing';

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

/**
 * The scheduler as its own process, as `npm start` runs it: the bundle
 * tools/bundle-services.cjs builds (dist/services/scheduler.cjs, built once
 * per benchmark run) with its node flags, then schedulerNodeArgs(); stopped by pid.
 */
export function startSchedulerProcess(server: NatsServer, args: readonly string[], logLevel: string): ServiceProcess {
  bundle ??= buildBundledService('scheduler');
  return startService('scheduler', bundle.entry, ['--nats', server.url, '--http-port', '0', ...args], { LOG_LEVEL: logLevel }, [...bundle.nodeArgs, ...schedulerNodeArgs()]);
}

let bundle: ReturnType<typeof buildBundledService> | undefined;

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
