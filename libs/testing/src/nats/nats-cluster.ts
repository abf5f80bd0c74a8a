import { createServer, type AddressInfo, type Server } from 'node:net';
import { request } from 'node:http';
import { startNatsServer, type NatsServer } from './nats-server';

export interface NatsClusterOptions {
  /** number of nodes; default 3 (the smallest cluster that keeps a majority when one node is lost) */
  readonly size?: number;
  /** defaults to the binary found by findNatsServerBinary() */
  readonly binary?: string;
  /** fsync every message (DESIGN: durability). Default true. */
  readonly syncAlways?: boolean;
  /** how long each node may take to start and the cluster to elect a JetStream meta leader; default 30 s */
  readonly startTimeoutMs?: number;
}

/** One node of a test cluster: a real nats-server with its own store dir and fixed client, monitoring and route ports. */
export interface NatsClusterNode {
  /** server_name, e.g. n1 */
  readonly name: string;
  /** nats://127.0.0.1:<port> */
  readonly url: string;
  readonly monitorUrl: string;
  readonly pid: number;
  readonly storeDir: string;
  /** kills the process with `signal` (default SIGKILL) and waits for its exit; store dir and ports are kept */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** starts it again after kill(): same store dir and ports; resolves once it is healthy in the cluster (`/healthz`) */
  start(): Promise<void>;
  /** SIGTERM, then start() */
  restart(): Promise<void>;
  /** GET a monitoring endpoint (`/jsz`, `/varz`, …) as JSON */
  monitor<T = unknown>(path: string): Promise<T>;
}

export interface NatsCluster {
  readonly nodes: readonly NatsClusterNode[];
  /** every node's client URL, for a client's `servers` */
  readonly urls: readonly string[];
  /** the same, comma-separated (the form of `--nats`) */
  readonly servers: string;
  /** resolves once every running node says `/healthz` ok (JetStream current, a meta leader known) */
  awaitHealthy(timeoutMs?: number): Promise<void>;
  /** SIGTERM every node by pid, wait, remove the temp dirs. Idempotent. */
  stop(): Promise<void>;
}

/** Distinct free loopback ports: every listener stays open until all are picked, so none repeats. */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      await new Promise<void>((ok, fail) => {
        server.once('error', fail);
        server.listen(0, '127.0.0.1', () => ok());
      });
      servers.push(server);
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((ok) => s.close(() => ok()))));
  }
}

function healthz(monitorUrl: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${monitorUrl}/healthz`, { method: 'GET', timeout: 1_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('GET /healthz timed out')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Polls a node until its full `/healthz` says ok (JetStream enabled, meta leader known, its assets
 * current) and it knows all `size` peers of the meta group (healthz alone is ok with two of three).
 */
async function awaitNodeHealthy(node: NatsServer, name: string, size: number, deadline: number): Promise<void> {
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await healthz(node.monitorUrl);
      if (res.status === 200) {
        const jsz = await node.monitor<{ meta_cluster?: { cluster_size?: number; leader?: string } }>('/jsz');
        if (size === 1 || (jsz.meta_cluster?.cluster_size === size && jsz.meta_cluster.leader)) return;
        last = `meta group ${JSON.stringify(jsz.meta_cluster)}`;
      } else {
        last = `${res.status} ${res.body}`;
      }
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server ${name} not healthy in the cluster in time: ${last}`);
}

/**
 * Starts an N-node nats-server cluster on 127.0.0.1 (default 3): JetStream on, each node its own
 * temp store dir, fsync on every write, routes between fixed free ports. Nodes are started in
 * parallel with the single-server helper (startNatsServer) and the cluster is returned once every
 * node is healthy, i.e. a JetStream meta leader is elected. A node can be killed (SIGKILL, SIGSTOP…)
 * and started again on the same store and ports, as a crashed machine would come back.
 */
export async function startNatsCluster(opts: NatsClusterOptions = {}): Promise<NatsCluster> {
  const size = opts.size ?? 3;
  if (!Number.isInteger(size) || size < 1) throw new Error(`a cluster needs at least one node, not ${size}`);
  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  const routePorts = await freePorts(size);
  const clusterName = `berth-test-${process.pid}-${routePorts[0]}`;
  const routes = routePorts.map((p) => `nats-route://127.0.0.1:${p}`).join(', ');
  const started = await Promise.allSettled(
    routePorts.map((port, i) =>
      startNatsServer({
        binary: opts.binary,
        syncAlways: opts.syncAlways,
        startTimeoutMs: timeoutMs,
        extraConfig: `server_name: n${i + 1}\ncluster {\n  name: ${clusterName}\n  listen: 127.0.0.1:${port}\n  routes: [${routes}]\n}\n`,
      }),
    ),
  );
  const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(servers.map((s) => s.stop()));
    throw failed.reason;
  }

  const nodes: NatsClusterNode[] = servers.map((server, i) => {
    const name = `n${i + 1}`;
    return {
      name,
      get url() {
        return server.url;
      },
      get monitorUrl() {
        return server.monitorUrl;
      },
      get pid() {
        return server.pid;
      },
      storeDir: server.storeDir,
      kill: (signal?: NodeJS.Signals) => server.kill(signal),
      async start() {
        await server.start();
        await awaitNodeHealthy(server, name, size, Date.now() + timeoutMs);
      },
      async restart() {
        await server.kill('SIGTERM');
        await this.start();
      },
      monitor: <T>(path: string) => server.monitor<T>(path),
    };
  });

  const isRunning = (s: NatsServer): boolean => {
    try {
      process.kill(s.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const cluster: NatsCluster = {
    nodes,
    urls: servers.map((s) => s.url),
    servers: servers.map((s) => s.url).join(','),
    async awaitHealthy(ms = timeoutMs) {
      const deadline = Date.now() + ms;
      await Promise.all(servers.map((s, i) => (isRunning(s) ? awaitNodeHealthy(s, `n${i + 1}`, size, deadline) : undefined)));
    },
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
  try {
    await cluster.awaitHealthy();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

export interface NatsClusterFixture {
  readonly cluster: NatsCluster;
}

/** One real N-node cluster per test file (or describe block): started in beforeAll, stopped in afterAll. */
export function useNatsCluster(opts: NatsClusterOptions = {}, startTimeoutMs = 60_000): NatsClusterFixture {
  let cluster: NatsCluster | undefined;
  beforeAll(async () => {
    cluster = await startNatsCluster(opts);
  }, startTimeoutMs);
  afterAll(async () => {
    await cluster?.stop();
    cluster = undefined;
  }, startTimeoutMs);
  return {
    get cluster() {
      if (!cluster) throw new Error('nats cluster not started: use the fixture inside tests, after beforeAll');
      return cluster;
    },
  };
}
