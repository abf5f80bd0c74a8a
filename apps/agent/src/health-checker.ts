import type { ContainerRuntime } from '@berth/container-runtime';
import type { HealthCheck } from '@berth/domain';
import { request } from 'node:http';
import { connect } from 'node:net';

export interface HealthCheckTarget {
  readonly containerId: string;
  /** Port name → host port. */
  readonly ports: Readonly<Record<string, number>>;
}

/** One attempt of a job's health check: true when healthy. Never rejects. */
export type HealthChecker = (check: HealthCheck, target: HealthCheckTarget) => Promise<boolean>;

export interface NetworkHealthCheckerOptions {
  /** Where http/tcp checks connect; the container's ports are published (or bound, with host networking) here. */
  readonly address?: string;
  readonly connectTimeoutMs?: number;
  readonly readTimeoutMs?: number;
  /** An exec check that has not exited by then counts as unhealthy (default: readTimeoutMs). */
  readonly execTimeoutMs?: number;
}

/**
 * Helios's checks: http GET on the host port (200–399 passes), tcp connect,
 * exec in the container (exit 0). Connect timeout 500 ms, read timeout 10 s;
 * an exec that has not exited within 10 s fails the attempt (it may still
 * run in the container, but no longer holds the check up).
 */
export function createHealthChecker(runtime: ContainerRuntime, options: NetworkHealthCheckerOptions = {}): HealthChecker {
  const address = options.address ?? '127.0.0.1';
  const connectTimeoutMs = options.connectTimeoutMs ?? 500;
  const readTimeoutMs = options.readTimeoutMs ?? 10_000;
  const execTimeoutMs = options.execTimeoutMs ?? readTimeoutMs;
  return async (check, target) => {
    try {
      switch (check.type) {
        case 'http': {
          const port = target.ports[check.port];
          return port !== undefined && (await httpCheck(address, port, check.path, connectTimeoutMs, readTimeoutMs));
        }
        case 'tcp': {
          const port = target.ports[check.port];
          return port !== undefined && (await tcpCheck(address, port, connectTimeoutMs));
        }
        case 'exec':
          return (await withTimeout(runtime.exec(target.containerId, check.command), execTimeoutMs)) === 0;
      }
    } catch {
      return false;
    }
  };
}

/** The value, or undefined once `ms` passed first. */
function withTimeout<T>(value: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([value, timeout]).finally(() => clearTimeout(timer));
}

function httpCheck(host: string, port: number, path: string, connectTimeoutMs: number, readTimeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: path.startsWith('/') ? path : `/${path}`, method: 'GET', timeout: readTimeoutMs }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 400);
    });
    const connectTimer = setTimeout(() => req.destroy(new Error('connect timeout')), connectTimeoutMs);
    req.on('socket', (socket) => socket.once('connect', () => clearTimeout(connectTimer)));
    req.on('timeout', () => req.destroy(new Error('read timeout')));
    req.on('error', () => resolve(false));
    req.on('close', () => clearTimeout(connectTimer));
    req.end();
  });
}

function tcpCheck(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
