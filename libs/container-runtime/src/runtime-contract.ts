import { randomBytes } from 'node:crypto';
import type { ContainerRuntime, ContainerSpec } from './container-runtime';
import { RuntimeErrorCode } from './runtime-errors';

/** What the contract needs to know about a runtime under test. */
export interface RuntimeUnderTest {
  readonly runtime: ContainerRuntime;
  /** An image present locally that has busybox (`sh`, `sleep`, `true`, `false`). */
  readonly image: string;
  /** An image that is not present locally. */
  readonly missingImage: string;
  /** An image whose pull must fail (e.g. from a registry nobody listens on). */
  readonly unpullableImage: string;
}

/**
 * The behaviour every `ContainerRuntime` must have, written once and run
 * against each implementation (Docker in `docker-runtime.int-spec.ts`, the
 * simulation in `simulated-runtime.spec.ts`). Call it inside a test file;
 * `makeRuntime` runs in `beforeAll`.
 */
export function runtimeContract(label: string, makeRuntime: () => RuntimeUnderTest | Promise<RuntimeUnderTest>): void {
  describe(`ContainerRuntime contract: ${label}`, () => {
    let rt: ContainerRuntime;
    let t: RuntimeUnderTest;
    // Unique per run so that leftovers of another run never match.
    const prefix = `berth-ct-${randomBytes(4).toString('hex')}-`;
    let seq = 0;
    const name = (what: string): string => `${prefix}${what}-${seq++}`;

    // `init` so that SIGTERM ends busybox sleep at once (exit 143) instead of after the stop timeout.
    const sleeper = (what: string, extra: Partial<ContainerSpec> = {}): ContainerSpec => ({
      name: name(what),
      image: t.image,
      command: ['sleep', '30'],
      networkMode: 'none',
      init: true,
      ...extra,
    });

    beforeAll(async () => {
      t = await makeRuntime();
      rt = t.runtime;
    }, 60_000);

    afterAll(async () => {
      if (rt === undefined) return;
      for (const c of await rt.listContainers({ namePrefix: prefix })) await rt.removeContainer(c.id, { force: true });
    }, 60_000);

    it('answers ping and knows which images are present', async () => {
      await expect(rt.ping()).resolves.toBeUndefined();
      await expect(rt.imageExists(t.image)).resolves.toBe(true);
      await expect(rt.imageExists(t.missingImage)).resolves.toBe(false);
    });

    it('runs a container through create, start, exec, stop and remove', async () => {
      const spec = sleeper('life', {
        env: { BERTH_PORT_HTTP: '20001', GREETING: 'a=b c' },
        labels: { 'berth.job': 'web:1:abc', 'berth.host': 'h1' },
      });
      const id = await rt.createContainer(spec);
      expect(id).toMatch(/^[0-9a-f]{64}$/);

      const created = await rt.inspectContainer(id);
      expect(created).toMatchObject({ id, name: spec.name, state: 'created', running: false, exitCode: undefined });
      expect(created?.labels).toEqual({ 'berth.job': 'web:1:abc', 'berth.host': 'h1' });
      expect(created?.env).toMatchObject({ BERTH_PORT_HTTP: '20001', GREETING: 'a=b c' });

      await rt.startContainer(id);
      const running = await rt.inspectContainer(id);
      expect(running).toMatchObject({ state: 'running', running: true, exitCode: undefined });
      expect(running?.startedAt).toBeInstanceOf(Date);
      expect((await rt.inspectContainer(spec.name))?.id).toBe(id);

      await expect(rt.exec(id, ['true'])).resolves.toBe(0);
      await expect(rt.exec(id, ['false'])).resolves.toBe(1);
      await expect(rt.exec(id, ['sh', '-c', 'exit 7'])).resolves.toBe(7);

      const waited = rt.waitContainer(id);
      await rt.stopContainer(id, 5);
      await expect(waited).resolves.toBe(143);
      const stopped = await rt.inspectContainer(id);
      expect(stopped).toMatchObject({ state: 'exited', running: false, exitCode: 143 });
      expect(stopped?.finishedAt?.getTime()).toBeGreaterThanOrEqual(stopped?.startedAt?.getTime() ?? Infinity);

      await rt.removeContainer(id);
      await expect(rt.inspectContainer(id)).resolves.toBeUndefined();
    }, 30_000);

    it('treats start of a running and stop of a stopped container as no-ops', async () => {
      const id = await rt.createContainer(sleeper('idem'));
      await rt.startContainer(id);
      await rt.startContainer(id);
      expect((await rt.inspectContainer(id))?.running).toBe(true);
      await rt.stopContainer(id, 5);
      await rt.stopContainer(id, 5);
      expect((await rt.inspectContainer(id))?.running).toBe(false);
      await rt.removeContainer(id);
    }, 30_000);

    it('reports the exit code of a program that ends by itself', async () => {
      const id = await rt.createContainer(sleeper('exit', { command: ['sh', '-c', 'exit 3'] }));
      await rt.startContainer(id);
      await expect(rt.waitContainer(id)).resolves.toBe(3);
      expect(await rt.inspectContainer(id)).toMatchObject({ running: false, state: 'exited', exitCode: 3 });
      await expect(rt.exec(id, ['true'])).rejects.toMatchObject({ code: RuntimeErrorCode.CONTAINER_STATE_CONFLICT });
      await rt.removeContainer(id);
    }, 30_000);

    it('gives the last lines a container wrote, stdout and stderr, after it exited', async () => {
      const id = await rt.createContainer(sleeper('logs', { command: ['sh', '-c', 'echo one; echo two; echo three; echo oops >&2; exit 3'] }));
      await rt.startContainer(id);
      await expect(rt.waitContainer(id)).resolves.toBe(3);
      const all = await rt.logTail(id, 10);
      expect(all.filter((line) => line !== 'oops')).toEqual(['one', 'two', 'three']);
      expect(all).toContain('oops');
      expect(await rt.logTail(id, 2)).toHaveLength(2);
      await rt.removeContainer(id);
      await expect(rt.logTail(id, 2)).rejects.toMatchObject({ code: RuntimeErrorCode.CONTAINER_NOT_FOUND });
    }, 30_000);

    it('fails with IMAGE_MISSING when the image is not present', async () => {
      const err = await rt.createContainer(sleeper('noimg', { image: t.missingImage })).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: RuntimeErrorCode.IMAGE_MISSING });
      expect((err as Error).message).toContain(t.missingImage);
      expect(await rt.listContainers({ namePrefix: `${prefix}noimg` })).toEqual([]);
    });

    it('fails with IMAGE_PULL_FAILED when the registry cannot serve the image', async () => {
      await expect(rt.pullImage(t.unpullableImage)).rejects.toMatchObject({ code: RuntimeErrorCode.IMAGE_PULL_FAILED });
      await expect(rt.imageExists(t.unpullableImage)).resolves.toBe(false);
    }, 30_000);

    it('fails with CONTAINER_NAME_CONFLICT on a duplicate name', async () => {
      const spec = sleeper('dup');
      await rt.createContainer(spec);
      await expect(rt.createContainer(spec)).rejects.toMatchObject({ code: RuntimeErrorCode.CONTAINER_NAME_CONFLICT });
    });

    it('fails with CONTAINER_NOT_FOUND for an unknown container, and inspect gives undefined', async () => {
      const ghost = `${prefix}ghost`;
      await expect(rt.inspectContainer(ghost)).resolves.toBeUndefined();
      await expect(rt.startContainer(ghost)).rejects.toMatchObject({ code: RuntimeErrorCode.CONTAINER_NOT_FOUND });
      await expect(rt.stopContainer(ghost, 1)).rejects.toMatchObject({ code: RuntimeErrorCode.CONTAINER_NOT_FOUND });
      await expect(rt.removeContainer(ghost)).rejects.toMatchObject({ code: RuntimeErrorCode.CONTAINER_NOT_FOUND });
      await expect(rt.waitContainer(ghost)).rejects.toMatchObject({ code: RuntimeErrorCode.CONTAINER_NOT_FOUND });
    });

    it('refuses to remove a running container unless forced', async () => {
      const id = await rt.createContainer(sleeper('force'));
      await rt.startContainer(id);
      await expect(rt.removeContainer(id)).rejects.toMatchObject({ code: RuntimeErrorCode.CONTAINER_STATE_CONFLICT });
      await rt.removeContainer(id, { force: true });
      await expect(rt.inspectContainer(id)).resolves.toBeUndefined();
    }, 30_000);

    it('lists containers by name prefix and by labels, in any state', async () => {
      const group = `${prefix}list-`;
      const a = await rt.createContainer(sleeper('x', { name: `${group}a`, labels: { role: 'web', tier: '1' } }));
      const b = await rt.createContainer(sleeper('x', { name: `${group}b`, labels: { role: 'db', tier: '1' } }));
      await rt.createContainer(sleeper('other', { labels: { role: 'web', tier: '2' } }));
      await rt.startContainer(a);

      const byPrefix = await rt.listContainers({ namePrefix: group });
      expect(byPrefix.map((c) => c.name).sort()).toEqual([`${group}a`, `${group}b`]);
      expect(byPrefix.find((c) => c.id === a)).toMatchObject({ running: true, state: 'running', image: t.image });
      expect(byPrefix.find((c) => c.id === b)).toMatchObject({ running: false, state: 'created' });

      const webTier1 = await rt.listContainers({ namePrefix: prefix, labels: { role: 'web', tier: '1' } });
      expect(webTier1.map((c) => c.id)).toEqual([a]);
      expect(webTier1[0]?.labels).toEqual({ role: 'web', tier: '1' });

      // A regex metacharacter in the prefix matches literally.
      expect(await rt.listContainers({ namePrefix: `${prefix}lis.-` })).toEqual([]);
    }, 30_000);
  });
}
