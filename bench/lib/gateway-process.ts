import { buildBundledService, startService, type ServiceProcess } from '@berth/testing';

/**
 * The gateway as `npm start` runs it: the bundle tools/bundle-services.cjs
 * builds (dist/services/gateway.cjs, built once per benchmark run), with its
 * node flags and then BENCH_GATEWAY_NODE_ARGS (space-separated, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`), stopped by pid.
 */
export function startGatewayProcess(args: readonly string[], env: Readonly<Record<string, string>> = {}): ServiceProcess {
  bundle ??= buildBundledService('gateway');
  const extra = (process.env['BENCH_GATEWAY_NODE_ARGS'] ?? '').split(/\s+/).filter((arg) => arg.length > 0);
  return startService('gateway', bundle.entry, args, env, [...bundle.nodeArgs, ...extra]);
}

let bundle: ReturnType<typeof buildBundledService> | undefined;
