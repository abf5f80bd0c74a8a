import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from './harness';

/** The gateway serves a built console at / with an SPA fallback, never in place of its own routes. */
let stack: Stack;
let dir: string;
const INDEX = '<!doctype html><title>console stand-in</title>';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  stack = await startStack({ consoleDir: dir });
});

afterAll(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, accept = 'text/html,*/*') => fetch(`${stack.gateway.url}${path}`, { headers: { accept } });

it('answers / and client-side routes with index.html, and files by path', async () => {
  for (const path of ['/', '/groups/web', '/jobs/web%3A1%3Aabc']) {
    const res = await get(path);
    expect([path, res.status, await res.text()]).toEqual([path, 200, INDEX]);
  }
  const asset = await get('/assets/app-1234.js', '*/*');
  expect(asset.status).toBe(200);
  expect(asset.headers.get('content-type')).toMatch(/javascript/);
  expect(asset.headers.get('cache-control')).toMatch(/immutable/);
  expect(await asset.text()).toBe('console.log(1)');
});

it('does not shadow /graphql, /api/v1, /healthz or missing files', async () => {
  const gql = await stack.gql<{ jobs: { totalCount: number } }>('{ jobs { totalCount } }');
  expect(gql.data?.jobs.totalCount).toBe(0);
  const health = await get('/healthz');
  expect(health.status).toBe(200);
  expect(await health.text()).not.toBe(INDEX);
  const api = await get('/api/v1/no-such-thing');
  expect(api.status).toBe(404);
  expect(await api.text()).not.toBe(INDEX);
  expect((await get('/assets/missing.js', '*/*')).status).toBe(404);
  expect((await get('/../../etc/passwd')).status).not.toBe(500);
  expect((await get('/assets/%E0%A4%A.js', '*/*')).status).toBe(404);
});
