import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/** What each graphql-ws context carries in `extra` (the same shape as graphql-ws's own `ws` adapter). */
export interface GraphqlWsExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
  /** writes one protocol message on this connection (what graphql-ws's own sends go through); a promise when it must drain first */
  readonly send: (message: string) => void | Promise<void>;
}

export interface GraphqlWsServer {
  /** the `extra` of every open connection */
  connections(): Iterable<GraphqlWsExtra>;
  /** closes every connection (1001 going away) and stops taking new ones */
  close(): Promise<void>;
}

/** a ping every this often; a connection that has not answered the previous one by then is dropped */
export const KEEP_ALIVE_MS = 12_000;
/** a connection with more than this waiting in its socket gets no more until the socket drains */
const HIGH_WATER_BYTES = 1 << 20;

/**
 * Sockets written to during this turn of the event loop, corked until it
 * ends. One event reaches a subscriber as one message, but when events come
 * faster than the gateway fans them out, a subscriber's messages of one turn
 * leave in one write instead of one write each: on loopback most of a
 * message's cost is that system call.
 */
class TurnWrites {
  private readonly corked = new Set<Socket>();

  add(socket: Socket): void {
    if (this.corked.has(socket)) return;
    socket.cork();
    this.corked.add(socket);
    if (this.corked.size === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    for (const socket of this.corked) socket.uncork();
    this.corked.clear();
  }
}

function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/**
 * graphql-ws on `path` of an HTTP server: graphql-ws's protocol server
 * (makeServer) over `ws`, like graphql-ws's own `ws` adapter except that a
 * send does not wait for its write to complete (only for a full socket to
 * drain), so the messages of one event-loop turn to one client are written
 * together (TurnWrites), and `extra.send` lets subscriptions write their
 * results themselves (sharedSubscribe's direct delivery).
 */
export function serveGraphqlWs(server: Server, path: string, options: ServerOptions<Record<string, unknown> | undefined, GraphqlWsExtra>): GraphqlWsServer {
  const wss = new WebSocketServer({ noServer: true, handleProtocols });
  const protocol = makeServer(options);
  const writes = new TurnWrites();
  const open = new Set<GraphqlWsExtra>();

  const connected = (ws: WebSocket, request: IncomingMessage, socket: Socket): void => {
    const send = (message: string): void | Promise<void> => {
      if (ws.readyState !== ws.OPEN) return;
      writes.add(socket);
      ws.send(message);
      if (socket.writableLength > HIGH_WATER_BYTES) return drained(socket);
    };
    const extra: GraphqlWsExtra = { socket: ws, request, send };
    open.add(extra);
    ws.once('error', () => ws.close(CloseCode.InternalServerError, 'Internal server error'));
    let answered = true;
    const keepAlive = setInterval(() => {
      if (!answered) return ws.terminate();
      answered = false;
      ws.ping();
    }, KEEP_ALIVE_MS);
    ws.on('pong', () => (answered = true));
    const closed = protocol.opened(
      {
        protocol: ws.protocol,
        send,
        close: (code, reason) => ws.close(code, reason),
        onMessage: (handle) =>
          ws.on('message', (data) => {
            handle(String(data)).catch(() => ws.close(CloseCode.InternalServerError, 'Internal server error'));
          }),
      },
      extra,
    );
    ws.once('close', (code, reason) => {
      clearInterval(keepAlive);
      open.delete(extra);
      void closed(code, String(reason));
    });
  };

  const upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (new URL(request.url ?? '/', 'http://gateway').pathname !== path) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => connected(ws, request, socket as Socket));
  };
  server.on('upgrade', upgrade);

  return {
    connections: () => open,
    async close() {
      server.off('upgrade', upgrade);
      for (const { socket } of open) socket.close(1001, 'Going away');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
