import type { ServiceProcess } from '@berth/testing';
import { startBundledProcess } from './bundled-process';

/** The gateway as `npm start` runs it (its bundle; BENCH_GATEWAY_NODE_ARGS for extra node flags), stopped by pid. */
export function startGatewayProcess(args: readonly string[], env: Readonly<Record<string, string>> = {}): ServiceProcess {
  return startBundledProcess('gateway', args, env);
}
