import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';

/** Whether a service can do its work, and why (the `/readyz` body). */
export interface Readiness {
  readonly ready: boolean;
  /** e.g. "leader", "no leader for 4.2 s" */
  readonly detail: string;
}

export interface HealthServerOptions {
  readonly host: string;
  /** 0 picks a free port */
  readonly port: number;
  readonly registry: Registry;
  /** true once the service can do its work (connected, leader elected, …); a Readiness says why too */
  readonly isReady: () => boolean | Readiness;
}

export interface HealthServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The small HTTP port every Berth service has: `/healthz` (the process is
 * alive), `/readyz` (it can serve: 200 or 503) and `/metrics` (Prometheus).
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const answer = options.isReady();
      const { ready, detail } = typeof answer === 'boolean' ? { ready: answer, detail: '' } : answer;
      const body = `${ready ? 'ready' : 'not ready'}${detail === '' ? '' : `: ${detail}`}\n`;
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(body);
    } else if (path === '/metrics') {
      options.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(body),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

/** A registry with the process's default metrics, one per service. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
