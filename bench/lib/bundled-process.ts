import { buildBundledService, startService, type ServiceProcess } from '@berth/testing';

/**
 * Node flags from an environment variable (space-separated), e.g.
 * BENCH_SCHEDULER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof': node
 * refuses --cpu-prof in NODE_OPTIONS, so they go on the command line (a
 * profile is written when the process exits on the benchmark's SIGTERM).
 */
export function nodeArgsFromEnv(name: string): string[] {
  return (process.env[name] ?? '').split(/\s+/).filter((arg) => arg.length > 0);
}

const bundles = new Map<'scheduler' | 'gateway', ReturnType<typeof buildBundledService>>();

/**
 * A service as `npm start` runs it: the bundle tools/bundle-services.cjs
 * builds (dist/services/<name>.cjs, built once per benchmark run) with its
 * node flags, then those of BENCH_<NAME>_NODE_ARGS; stopped by pid.
 */
export function startBundledProcess(name: 'scheduler' | 'gateway', args: readonly string[], env: Readonly<Record<string, string>> = {}): ServiceProcess {
  let bundle = bundles.get(name);
  if (!bundle) {
    bundle = buildBundledService(name);
    bundles.set(name, bundle);
  }
  return startService(name, bundle.entry, args, env, [...bundle.nodeArgs, ...nodeArgsFromEnv(`BENCH_${name.toUpperCase()}_NODE_ARGS`)]);
}
