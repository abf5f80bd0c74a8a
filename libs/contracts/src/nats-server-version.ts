/**
 * The oldest nats-server Berth runs on: atomic batch publish (2.12; a command's
 * events across aggregates are written all or nothing), subject-wide
 * expectations (2.11) and the March 2026 security fixes (2.11.15 / 2.12.6, e.g.
 * CVE-2026-33223, a spoofable Nats-Request-Info identity header).
 * scripts/lib/nats.sh holds the same number for the shell.
 */
export const MIN_NATS_SERVER_VERSION = '2.12.6';

/** Exit code of a service that refuses to run on an older nats-server. */
export const NATS_SERVER_TOO_OLD_EXIT_CODE = 4;

/** Compares dotted numeric versions ("2.12.6" vs "2.15.1"): -1, 0 or 1; a pre-release suffix is ignored. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => (v.replace(/^v/, '').split(/[-+]/)[0] ?? '').split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

export class NatsServerTooOldError extends Error {
  override readonly name = 'NatsServerTooOldError';
  readonly code = 'NATS_SERVER_TOO_OLD';
  readonly exitCode = NATS_SERVER_TOO_OLD_EXIT_CODE;
}

/**
 * Refuses a server older than MIN_NATS_SERVER_VERSION (or one that does not say
 * its version), with a message that says what was found and how to get a newer one.
 * `version` is what the server's INFO says (`nc.info.version`).
 */
export function assertNatsServerVersion(version: string | undefined, server: string): void {
  if (version !== undefined && /^v?\d+\.\d+\.\d+/.test(version) && compareVersions(version, MIN_NATS_SERVER_VERSION) >= 0) return;
  const found = version === undefined ? 'a nats-server that does not report its version' : `nats-server ${version}`;
  throw new NatsServerTooOldError(
    `${server} runs ${found}; Berth needs nats-server >= ${MIN_NATS_SERVER_VERSION} ` +
      '(atomic batches, subject-wide expectations, the March 2026 security fixes). ' +
      "Upgrade the server: `bash scripts/setup` fetches Debian forky's nats-server into .tools/nats; " +
      'packages and release binaries are at https://github.com/nats-io/nats-server/releases.',
  );
}
