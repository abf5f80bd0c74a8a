import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface FakeInfoServer {
  readonly url: string;
  /** how many clients connected so far */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * A loopback TCP server that speaks just enough of the NATS protocol to connect
 * a client: it sends INFO with the given `version`, answers PING with PONG and
 * ignores everything else. For testing how services treat a server's version
 * without an old nats-server binary at hand. Not a NATS server: nothing is routed.
 */
export async function startFakeInfoServer(version: string): Promise<FakeInfoServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const info = { server_id: 'FAKE', server_name: 'fake', version, proto: 1, go: 'go1.0', host: '127.0.0.1', port: 0, headers: true, max_payload: 1_048_576, jetstream: true };
    socket.write(`INFO ${JSON.stringify(info)}\r\n`);
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 2);
        if (line === 'PING') socket.write('PONG\r\n');
      }
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `nats://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
