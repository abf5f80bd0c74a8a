import { createServer, type Server } from 'node:http';
import { BerthCliError } from './errors';
import { GatewayClient } from './gateway-client';

/** A gateway that refuses every request as the real one does without a (known) token: HTTP 401, UNAUTHENTICATED. */
let server: Server;
let url: string;
const refusals = { none: 'an API token is required: send "Authorization: Bearer <token>"', unknown: 'unknown API token' };

beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ message: req.headers.authorization ? refusals.unknown : refusals.none, extensions: { code: 'UNAUTHENTICATED' } }] }));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((ok) => server.close(ok));
});

async function refusal(client: GatewayClient): Promise<BerthCliError> {
  const err = await client.request('query { whoAmI { subject } }').then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof BerthCliError)) throw new Error(`expected a BerthCliError, got ${String(err)}`);
  return err;
}

describe('GatewayClient: a refusal for want of a token', () => {
  it('without a token, says where berth takes one from (BERTH_TOKEN, --token-file, the config file, npm start’s admin token), not the HTTP header', async () => {
    const err = await refusal(new GatewayClient(url));
    expect(err.code).toBe('UNAUTHENTICATED');
    expect(err.message).toBe(
      `the gateway at ${url} needs an API token and berth found none: export BERTH_TOKEN=<token>, or pass --token-file <file> ` +
        '(or "token"/"tokenFile" in ~/.berth/config.json). npm start prints an admin token and keeps it in .data/admin.token: export BERTH_TOKEN=$(cat .data/admin.token)',
    );
  });

  it('with a token the gateway does not know, passes its answer on', async () => {
    const err = await refusal(new GatewayClient(url, 'wrong'));
    expect({ code: err.code, message: err.message }).toEqual({ code: 'UNAUTHENTICATED', message: refusals.unknown });
  });
});
