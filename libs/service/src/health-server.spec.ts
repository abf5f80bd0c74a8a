import { Counter } from 'prom-client';
import { createMetricsRegistry, startHealthServer, type HealthServer, type Readiness } from './health-server';

describe('health server', () => {
  let ready: boolean | Readiness = false;
  let server: HealthServer;
  const registry = createMetricsRegistry('test');
  const commands = new Counter({ name: 'berth_test_commands_total', help: 'commands', registers: [registry] });

  beforeAll(async () => {
    server = await startHealthServer({ host: '127.0.0.1', port: 0, registry, isReady: () => ready });
  });
  afterAll(() => server.close());

  it('answers /healthz while alive', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
  });

  it('answers /readyz with 503 until ready, then 200', async () => {
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('says why in the /readyz body when told', async () => {
    ready = { ready: false, detail: 'no leader for 4.2 s' };
    const notReady = await fetch(`${server.url}/readyz`);
    expect([notReady.status, await notReady.text()]).toEqual([503, 'not ready: no leader for 4.2 s\n']);
    ready = { ready: true, detail: 'leader' };
    const isReady = await fetch(`${server.url}/readyz`);
    expect([isReady.status, await isReady.text()]).toEqual([200, 'ready: leader\n']);
  });

  it('serves Prometheus metrics with the service label', async () => {
    commands.inc(3);
    const body = await (await fetch(`${server.url}/metrics`)).text();
    expect(body).toMatch(/berth_test_commands_total\{service="test"\} 3/);
  });
});
