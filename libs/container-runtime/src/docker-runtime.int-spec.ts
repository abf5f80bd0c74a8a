import { useDocker } from '@berth/testing';
import { DockerRuntime } from './docker-runtime';
import { ImageMissingError, RuntimeErrorCode } from './runtime-errors';
import { runtimeContract } from './runtime-contract';

describe('DockerRuntime on a real engine', () => {
  const engine = useDocker();

  runtimeContract('DockerRuntime', () => ({
    runtime: new DockerRuntime(engine.docker),
    image: engine.testImage,
    missingImage: 'local/berth-missing:0',
    // Loopback, and nothing listens on port 1: the pull fails fast without leaving the machine.
    unpullableImage: '127.0.0.1:1/berth/nothing:1',
  }));

  it('keeps the engine error as the cause of IMAGE_MISSING', async () => {
    const runtime = new DockerRuntime(engine.docker);
    const err = await runtime
      .createContainer({ name: `berth-noimg-${process.pid}`, image: 'local/berth-missing:0' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageMissingError);
    expect(err).toMatchObject({ code: RuntimeErrorCode.IMAGE_MISSING, cause: { statusCode: 404 } });
    expect(String((err as Error).cause)).toMatch(/No such image/i);
  });

  it('connects through a DOCKER_HOST value', async () => {
    await expect(new DockerRuntime({ dockerHost: engine.dockerHost }).ping()).resolves.toBeUndefined();
  });

  it('reports RUNTIME_UNAVAILABLE when nothing listens on the socket', async () => {
    const runtime = new DockerRuntime({ dockerHost: 'unix:///tmp/berth-no-such-docker.sock' });
    await expect(runtime.ping()).rejects.toMatchObject({ code: RuntimeErrorCode.RUNTIME_UNAVAILABLE });
    await expect(runtime.inspectContainer('x')).rejects.toMatchObject({ code: RuntimeErrorCode.RUNTIME_UNAVAILABLE });
  });

  it('applies host config: tmpfs, memory, capabilities, hostname, read-only bind, dns, extra hosts, runtime', async () => {
    const runtime = new DockerRuntime(engine.docker);
    const name = `berth-hostcfg-${process.pid}-${Date.now()}`;
    const id = await runtime.createContainer({
      name,
      image: engine.testImage,
      command: ['sleep', '30'],
      init: true,
      networkMode: 'none',
      hostname: 'berth-test',
      tmpfs: { '/scratch': 'rw,size=1m' },
      memory: 64 * 1024 * 1024,
      memorySwap: 128 * 1024 * 1024,
      cpuShares: 512,
      capDrop: ['NET_RAW'],
      capAdd: ['SYS_PTRACE'],
      securityOpt: ['no-new-privileges'],
      volumes: [{ hostPath: '/etc', containerPath: '/host-etc', readOnly: true }, { containerPath: '/data' }],
      portBindings: { '8080/tcp': { hostIp: '127.0.0.1', hostPort: 18080 } },
      stopTimeout: 3,
      dns: ['127.0.0.53'],
      extraHosts: ['registry.berth.test:127.0.0.2'],
      runtime: 'runc',
    });
    try {
      const info = await engine.docker.getContainer(id).inspect();
      expect(info.HostConfig).toMatchObject({
        NetworkMode: 'none',
        Tmpfs: { '/scratch': 'rw,size=1m' },
        Memory: 64 * 1024 * 1024,
        MemorySwap: 128 * 1024 * 1024,
        CpuShares: 512,
        CapDrop: ['NET_RAW'],
        CapAdd: ['SYS_PTRACE'],
        SecurityOpt: ['no-new-privileges'],
        Binds: ['/etc:/host-etc:ro'],
        PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '18080' }] },
        Init: true,
        Dns: ['127.0.0.53'],
        ExtraHosts: ['registry.berth.test:127.0.0.2'],
        Runtime: 'runc',
      });
      expect(info.Config).toMatchObject({ Hostname: 'berth-test', StopTimeout: 3 });
      expect(Object.keys(info.Config.Volumes ?? {})).toEqual(['/data']);

      await runtime.startContainer(id);
      await expect(runtime.exec(id, ['sh', '-c', 'test "$(hostname)" = berth-test'])).resolves.toBe(0);
      await expect(runtime.exec(id, ['sh', '-c', 'touch /scratch/x && ! touch /host-etc/x'])).resolves.toBe(0);
      await expect(runtime.exec(id, ['sh', '-c', 'grep -q "127.0.0.2.*registry.berth.test" /etc/hosts'])).resolves.toBe(0);
      await expect(runtime.exec(id, ['grep', '-q', 'nameserver 127.0.0.53', '/etc/resolv.conf'])).resolves.toBe(0);
    } finally {
      await runtime.removeContainer(id, { force: true });
    }
  }, 30_000);
});
