import { startNatsServer, type NatsServer, type NatsServerOptions } from './nats-server';

export interface NatsServerFixture {
  /** the running server; throws if used outside the tests of the file that called useNatsServer() */
  readonly server: NatsServer;
  readonly url: string;
}

/**
 * One real nats-server per test file: started in beforeAll, stopped (and its temp
 * dirs removed) in afterAll. Call it at the top level of a describe block or file.
 */
export function useNatsServer(opts: NatsServerOptions = {}, startTimeoutMs = 30_000): NatsServerFixture {
  let server: NatsServer | undefined;
  beforeAll(async () => {
    server = await startNatsServer(opts);
  }, startTimeoutMs);
  afterAll(async () => {
    await server?.stop();
    server = undefined;
  }, startTimeoutMs);
  const get = (): NatsServer => {
    if (!server) throw new Error('nats-server not started: use the fixture inside tests, after beforeAll');
    return server;
  };
  return {
    get server() {
      return get();
    },
    get url() {
      return get().url;
    },
  };
}
