import type { ContainerRuntime } from '@berth/container-runtime';
import { createHealthChecker } from './health-checker';

describe('exec health check', () => {
  const target = { containerId: 'c1', ports: {} };
  const runtimeWhoseExec = (exec: () => Promise<number>) => ({ exec }) as unknown as ContainerRuntime;

  it('an exec that never exits fails the attempt after its timeout instead of hanging (issue 18.6)', async () => {
    const check = createHealthChecker(runtimeWhoseExec(() => new Promise<number>(() => undefined)), { execTimeoutMs: 50 });
    await expect(check({ type: 'exec', command: ['sleep', '3600'] }, target)).resolves.toBe(false);
  });

  it('passes on exit 0 and fails on another code', async () => {
    await expect(createHealthChecker(runtimeWhoseExec(async () => 0))({ type: 'exec', command: ['true'] }, target)).resolves.toBe(true);
    await expect(createHealthChecker(runtimeWhoseExec(async () => 1))({ type: 'exec', command: ['false'] }, target)).resolves.toBe(false);
  });
});
