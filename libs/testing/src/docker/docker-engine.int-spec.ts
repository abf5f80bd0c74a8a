import { existsSync } from 'node:fs';
import Dockerode from 'dockerode';
import { DockerUnavailableError, getDockerEngine, useDocker } from './docker-engine';
import { startPrivateDockerd } from './private-dockerd';
import { TEST_IMAGE, ensureTestImage, dockerImageExists } from './test-image';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs `cmd` in a throwaway container without network and returns its exit code. */
async function run(docker: Dockerode, image: string, cmd: string[]): Promise<number> {
  const container = await docker.createContainer({ Image: image, Cmd: cmd, HostConfig: { NetworkMode: 'none' } });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    return StatusCode;
  } finally {
    await container.remove({ force: true });
  }
}

describe('useDocker', () => {
  const engine = useDocker();

  it('gives a reachable engine with the busybox test image', async () => {
    expect(engine.dockerHost).toMatch(/^(unix|tcp):\/\//);
    expect(engine.testImage).toBe(TEST_IMAGE);
    await expect(engine.docker.ping()).resolves.toBeTruthy();
    await expect(dockerImageExists(engine.docker, TEST_IMAGE)).resolves.toBe(true);
    const applets = ['sh', 'sleep', 'nc', 'httpd', 'wget', 'cat', 'touch', 'kill', 'ps', 'id'];
    const script = `for a in ${applets.join(' ')}; do command -v $a >/dev/null || exit 1; done; test "$(id -un)" = root && test -w /tmp`;
    await expect(run(engine.docker, TEST_IMAGE, ['sh', '-c', script])).resolves.toBe(0);
  }, 30_000);
});

describe('getDockerEngine', () => {
  it('fails loudly, saying how to get Docker, when DOCKER_HOST does not answer', async () => {
    const err = await getDockerEngine({ dockerHost: 'unix:///tmp/berth-no-such-docker.sock' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerUnavailableError);
    expect((err as Error).message).toContain('berth-no-such-docker.sock');
    expect((err as Error).message).toContain('apt-get install -y docker.io busybox-static');
    expect((err as Error).message).toContain('npm test');
  });
});

describe('startPrivateDockerd', () => {
  it('starts its own dockerd, builds the test image in TS, and cleans up by pid', async () => {
    const dockerd = await startPrivateDockerd();
    let stopped = false;
    try {
      expect(dockerd.dockerHost).toBe(`unix://${dockerd.workdir}/docker.sock`);
      expect(isAlive(dockerd.pid)).toBe(true);
      const docker = new Dockerode({ socketPath: `${dockerd.workdir}/docker.sock` });
      await expect(dockerImageExists(docker, TEST_IMAGE)).resolves.toBe(false);

      await Promise.all([ensureTestImage(docker), ensureTestImage(docker)]);
      await expect(dockerImageExists(docker, TEST_IMAGE)).resolves.toBe(true);
      await expect(run(docker, TEST_IMAGE, ['sh', '-c', 'echo hi | grep -q hi && exit 4'])).resolves.toBe(4);

      // A leftover container whose PID 1 ignores SIGTERM must not hold up the stop.
      const leftover = await docker.createContainer({
        Image: TEST_IMAGE,
        Cmd: ['sleep', '300'],
        HostConfig: { NetworkMode: 'none' },
      });
      await leftover.start();
      const stopStarted = Date.now();
      await dockerd.stop();
      stopped = true;
      expect(Date.now() - stopStarted).toBeLessThan(8_000);
      expect(isAlive(dockerd.pid)).toBe(false);
      expect(existsSync(dockerd.workdir)).toBe(false);
    } finally {
      if (!stopped) await dockerd.stop();
    }
  }, 90_000);
});
