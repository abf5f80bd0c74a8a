import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import { type TarEntry, tarArchive } from './tar-archive';

/** The image every Docker test uses: static busybox with all its applets, nothing else. */
export const TEST_IMAGE = 'local/busybox:1';

/** Where Debian's busybox-static puts its binary. */
export const BUSYBOX_STATIC_PATH = '/bin/busybox';

/**
 * A rootfs tarball like `scripts/lib/docker.sh` builds: `/bin/busybox`, a
 * symlink in `/bin` for each applet (sh, sleep, nc, httpd, wget, ...), a
 * world-writable `/tmp`, and `/etc/passwd` + `/etc/group` for root and nobody.
 */
export async function busyboxRootfsTar(busyboxPath = BUSYBOX_STATIC_PATH): Promise<Buffer> {
  const [binary, list] = await Promise.all([
    readFile(busyboxPath),
    promisify(execFile)(busyboxPath, ['--list'], { encoding: 'utf8' }),
  ]);
  const applets = list.stdout
    .split('\n')
    .map((a) => a.trim())
    .filter((a) => a !== '' && a !== 'busybox' && !a.includes('/'));
  const entries: TarEntry[] = [
    { type: 'directory', path: 'bin' },
    { type: 'directory', path: 'etc' },
    { type: 'directory', path: 'root', mode: 0o700 },
    { type: 'directory', path: 'tmp', mode: 0o1777 },
    { type: 'file', path: 'bin/busybox', content: binary, mode: 0o755 },
    ...applets.map((a): TarEntry => ({ type: 'symlink', path: `bin/${a}`, target: 'busybox' })),
    {
      type: 'file',
      path: 'etc/passwd',
      content: Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n'),
    },
    { type: 'file', path: 'etc/group', content: Buffer.from('root:x:0:\nnogroup:x:65534:\n') },
  ];
  return tarArchive(entries);
}

export async function dockerImageExists(docker: Dockerode, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: unknown }).statusCode === 404) return false;
    throw err;
  }
}

const imports = new WeakMap<Dockerode, Map<string, Promise<void>>>();

/**
 * Imports the busybox test image into the engine unless it is there already
 * (`docker import` of a generated rootfs; no registry needed). Concurrent
 * callers on one client share one import.
 */
export async function ensureTestImage(docker: Dockerode, image = TEST_IMAGE): Promise<void> {
  if (await dockerImageExists(docker, image)) return;
  let byImage = imports.get(docker);
  if (byImage === undefined) imports.set(docker, (byImage = new Map()));
  let pending = byImage.get(image);
  if (pending === undefined) {
    const started = importBusybox(docker, image).finally(() => byImage.delete(image));
    byImage.set(image, started);
    pending = started;
  }
  await pending;
}

async function importBusybox(docker: Dockerode, image: string): Promise<void> {
  const tar = await busyboxRootfsTar().catch((err: unknown) => {
    throw new Error(
      `Cannot build the test image ${image}: ${BUSYBOX_STATIC_PATH} is missing or broken ` +
        `(install it: apt-get install -y busybox-static)`,
      { cause: err },
    );
  });
  const [repo, tag] = splitTag(image);
  const stream = await docker.importImage(Readable.from([tar]), {
    repo,
    tag,
    changes: ['ENV PATH=/bin', 'CMD ["/bin/sh"]'],
  });
  const failure = await new Promise<string | undefined>((resolve, reject) => {
    let error: string | undefined;
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve(error)),
      (event: { error?: string }) => {
        if (typeof event.error === 'string') error ??= event.error;
      },
    );
  });
  if (failure !== undefined) throw new Error(`docker import of ${image} failed: ${failure}`);
}

function splitTag(image: string): [string, string] {
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? [image.slice(0, colon), image.slice(colon + 1)] : [image, 'latest'];
}
