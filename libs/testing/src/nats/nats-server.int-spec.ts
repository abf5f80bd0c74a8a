import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIN_NATS_SERVER_VERSION, NatsServerNotFoundError, NatsServerTooOldError, checkNatsServerVersion, compareVersions, findNatsServerBinary } from './nats-binary';
import { startNatsServer } from './nats-server';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startNatsServer', () => {
  it('starts JetStream with fsync on every write, restarts on the same store and ports, and cleans up', async () => {
    const server = await startNatsServer();
    const { url, storeDir, pid } = server;
    try {
      expect(url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
      expect(server.monitorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(compareVersions(server.version, MIN_NATS_SERVER_VERSION)).toBeGreaterThanOrEqual(0);
      const jsz = await server.monitor<{ config: { sync_always?: boolean; store_dir: string } }>('/jsz');
      expect(jsz.config.sync_always).toBe(true);
      expect(jsz.config.store_dir.startsWith(storeDir)).toBe(true);

      await server.restart();

      expect(server.pid).not.toBe(pid);
      expect(isRunning(pid)).toBe(false);
      expect(server.url).toBe(url);
      expect(server.storeDir).toBe(storeDir);
      expect((await server.monitor<{ config: { store_dir: string } }>('/jsz')).config.store_dir.startsWith(storeDir)).toBe(true);
    } finally {
      await server.stop();
    }
    expect(isRunning(server.pid)).toBe(false);
    expect(existsSync(storeDir)).toBe(false);
    await server.stop();
  }, 30_000);

  it('is killed with SIGKILL and started again on the same store and ports', async () => {
    const server = await startNatsServer();
    const { url, storeDir, pid } = server;
    try {
      await server.kill();
      expect(isRunning(pid)).toBe(false);
      await expect(server.start()).resolves.toBeUndefined();
      expect(server.pid).not.toBe(pid);
      expect(server.url).toBe(url);
      expect((await server.monitor<{ config: { store_dir: string } }>('/jsz')).config.store_dir.startsWith(storeDir)).toBe(true);
      await expect(server.start()).rejects.toThrow(/kill\(\) it first/);
    } finally {
      await server.stop();
    }
  }, 30_000);
});

describe('finding nats-server', () => {
  const saved = process.env['NATS_SERVER_BIN'];
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-fake-nats-'));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env['NATS_SERVER_BIN'];
    else process.env['NATS_SERVER_BIN'] = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('says how to install it when NATS_SERVER_BIN points at nothing', () => {
    process.env['NATS_SERVER_BIN'] = join(dir, 'missing');
    expect(() => findNatsServerBinary()).toThrow(NatsServerNotFoundError);
    expect(() => findNatsServerBinary()).toThrow(/scripts\/setup.*NATS_SERVER_BIN/s);
  });

  it('refuses a nats-server older than 2.12.6 (e.g. Debian trixie\'s 2.10.27)', async () => {
    const fake = join(dir, 'nats-server');
    writeFileSync(fake, '#!/bin/sh\necho "nats-server: v2.12.5"\n');
    chmodSync(fake, 0o755);
    expect(() => checkNatsServerVersion(fake)).toThrow(NatsServerTooOldError);
    await expect(startNatsServer({ binary: fake })).rejects.toThrow(/2\.12\.5.*needs >= 2\.12\.6/);
  });
});
