import { RuntimeErrorCode } from './runtime-errors';
import { runtimeContract } from './runtime-contract';
import { SimulatedRuntime } from './simulated-runtime';
import { ManualTimer, seededRandom } from './simulation-timer';

const IMAGE = 'local/busybox:1';
const UNPULLABLE = '127.0.0.1:1/berth/nothing:1';

runtimeContract('SimulatedRuntime', () => ({
  runtime: new SimulatedRuntime({ images: [IMAGE], pullable: (image) => image !== UNPULLABLE }),
  image: IMAGE,
  missingImage: 'local/berth-missing:0',
  unpullableImage: UNPULLABLE,
}));

describe('SimulatedRuntime', () => {
  const spec = { name: 'web-1', image: IMAGE, command: ['httpd', '-f'] };

  it('takes the configured start delay on the injected timer', async () => {
    const timer = new ManualTimer();
    const rt = new SimulatedRuntime({ timer, images: [IMAGE], startDelayMs: 100 });
    const id = await rt.createContainer(spec);
    let started = false;
    const starting = rt.startContainer(id).then(() => (started = true));

    await timer.advance(99);
    expect(started).toBe(false);
    expect((await rt.inspectContainer(id))?.state).toBe('created');

    await timer.advance(1);
    await starting;
    expect(await rt.inspectContainer(id)).toMatchObject({ running: true, startedAt: new Date(100) });
  });

  it('ends `sleep N` after N seconds of simulated time', async () => {
    const timer = new ManualTimer(1_000);
    const rt = new SimulatedRuntime({ timer, images: [IMAGE] });
    const id = await rt.createContainer({ ...spec, command: ['sleep', '5'] });
    await rt.startContainer(id);
    const exited = rt.waitContainer(id);
    await timer.advance(4_999);
    expect((await rt.inspectContainer(id))?.running).toBe(true);
    await timer.advance(1);
    await expect(exited).resolves.toBe(0);
    expect((await rt.inspectContainer(id))?.finishedAt).toEqual(new Date(6_000));
    expect(timer.pendingCount).toBe(0);
  });

  it('cancels the pending program exit when stopped', async () => {
    const timer = new ManualTimer();
    const rt = new SimulatedRuntime({ timer, images: [IMAGE] });
    const id = await rt.createContainer({ ...spec, command: ['sleep', '5'] });
    await rt.startContainer(id);
    await rt.stopContainer(id, 10);
    expect(timer.pendingCount).toBe(0);
    expect((await rt.inspectContainer(id))?.exitCode).toBe(143);
  });

  it('crashes the configured fraction of starts, the same ones for the same seed', async () => {
    const run = async (seed: number): Promise<boolean[]> => {
      const rt = new SimulatedRuntime({ images: [IMAGE], failureRate: 0.3, seed });
      const crashed: boolean[] = [];
      for (let i = 0; i < 1_000; i++) {
        const id = await rt.createContainer({ ...spec, name: `web-${i}` });
        await rt.startContainer(id);
        const info = await rt.inspectContainer(id);
        crashed.push(info?.running === false && info.exitCode === 1);
      }
      return crashed;
    };
    const first = await run(42);
    const crashes = first.filter(Boolean).length;
    expect(crashes).toBeGreaterThan(250);
    expect(crashes).toBeLessThan(350);
    expect(await run(42)).toEqual(first);
    expect(await run(43)).not.toEqual(first);
  });

  it('gives the configured health outcome to exec health checks', async () => {
    const rt = new SimulatedRuntime({
      images: [IMAGE],
      health: (c) => c.labels['role'] !== 'sick',
    });
    const ok = await rt.createContainer({ ...spec, name: 'ok', labels: { role: 'web' } });
    const sick = await rt.createContainer({ ...spec, name: 'sick', labels: { role: 'sick' } });
    await rt.startContainer(ok);
    await rt.startContainer(sick);
    await expect(rt.exec(ok, ['wget', '-q', 'http://127.0.0.1:8080/health'])).resolves.toBe(0);
    await expect(rt.exec(sick, ['wget', '-q', 'http://127.0.0.1:8080/health'])).resolves.toBe(1);
    await expect(rt.isHealthy(ok)).resolves.toBe(true);
    await expect(rt.isHealthy(sick)).resolves.toBe(false);
    // `true`/`false` keep their meaning whatever the health outcome
    await expect(rt.exec(sick, ['true'])).resolves.toBe(0);
  });

  it('fails every call with RUNTIME_UNAVAILABLE while the engine is away', async () => {
    const rt = new SimulatedRuntime({ images: [IMAGE] });
    rt.setAvailable(false);
    await expect(rt.ping()).rejects.toMatchObject({ code: RuntimeErrorCode.RUNTIME_UNAVAILABLE });
    await expect(rt.listContainers()).rejects.toMatchObject({ code: RuntimeErrorCode.RUNTIME_UNAVAILABLE });
    rt.setAvailable(true);
    await expect(rt.ping()).resolves.toBeUndefined();
  });

  it('pulls only with the registry credentials when they are required', async () => {
    const registryAuth = { username: 'berth', password: 's3cret' };
    const rt = new SimulatedRuntime({ registryAuth });
    const image = '127.0.0.1:5000/app:2';
    await expect(rt.pullImage(image)).rejects.toMatchObject({ code: RuntimeErrorCode.IMAGE_PULL_FAILED });
    await expect(rt.pullImage(image, { ...registryAuth, password: 'wrong' })).rejects.toMatchObject({
      code: RuntimeErrorCode.IMAGE_PULL_FAILED,
    });
    await rt.pullImage(image, registryAuth);
    await expect(rt.imageExists(image)).resolves.toBe(true);
  });

  it('reports a crash to waiters with its exit code', async () => {
    const rt = new SimulatedRuntime({ images: [IMAGE] });
    const id = await rt.createContainer(spec);
    await rt.startContainer(id);
    const waited = rt.waitContainer(id);
    rt.crash(id, 139);
    await expect(waited).resolves.toBe(139);
  });
});

describe('seededRandom', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBe(100);
  });
});
