import { type Server, createServer } from 'node:http';

/** A registry on loopback that knows no image: pulls fail with the registry's "manifest unknown" (IMAGE_MISSING), without leaving the machine. */
export async function startEmptyRegistry(): Promise<{ readonly address: string; readonly server: Server }> {
  const server = createServer((req, res) => {
    const headers = { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0' };
    if (req.url === '/v2/') {
      res.writeHead(200, headers).end('{}');
      return;
    }
    res.writeHead(404, headers).end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { address: `127.0.0.1:${(server.address() as { port: number }).port}`, server };
}
