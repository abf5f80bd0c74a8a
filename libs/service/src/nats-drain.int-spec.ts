import { startNatsServer } from '@berth/testing';
import { connect } from '@nats-io/transport-node';
import { drainNats } from './nats-connection';

describe('drainNats', () => {
  it('closes a connection whose server is gone (a plain drain would wait for ever) within its bound', async () => {
    const nats = await startNatsServer();
    try {
      const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
      nc.subscribe('anything');
      await nats.kill('SIGKILL');
      const started = Date.now();
      await drainNats(nc, 500);
      expect(nc.isClosed()).toBe(true);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await nats.stop();
    }
  }, 30_000);

  it('drains a live connection: what was published before it arrives', async () => {
    const nats = await startNatsServer();
    try {
      const nc = await connect({ servers: nats.url });
      const other = await connect({ servers: nats.url });
      const got: string[] = [];
      other.subscribe('drain.probe', { callback: (_e, m) => void got.push(m.string()) });
      await other.flush();
      nc.publish('drain.probe', 'last words');
      await drainNats(nc);
      await other.flush();
      expect([nc.isClosed(), got]).toEqual([true, ['last words']]);
      await other.close();
    } finally {
      await nats.stop();
    }
  }, 30_000);
});
