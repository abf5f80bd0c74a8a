import { compareNatural } from '../rollout/natural-order';

/** One host of a service in the datacentre blog's /dc/current: online or not, and the version (job id) it runs. */
export interface CurrentHost {
  readonly host: string;
  readonly online: boolean;
  readonly version?: string;
}

/** Which version wins a tie: the one a rollout is moving away from, never the one it is moving to if another is tied. */
export interface VersionTieBreak {
  readonly movingFrom?: string;
  readonly movingTo?: string;
}

/**
 * The blog's rule for a machine that was down during the deploy: "the
 * Current node is checked to find which version is the most popular". The
 * version run by most online hosts; a tie goes to `movingFrom` (the
 * stable, old one), else to any version but `movingTo`, else to the first in
 * natural order, so the answer never depends on the order of `current`.
 * Undefined when no online host runs a version.
 */
export function mostPopularVersion(current: readonly CurrentHost[], tieBreak: VersionTieBreak = {}): string | undefined {
  const counts = new Map<string, number>();
  for (const { online, version } of current) if (online && version !== undefined) counts.set(version, (counts.get(version) ?? 0) + 1);
  const most = Math.max(0, ...counts.values());
  const tied = [...counts].filter(([, count]) => count === most).map(([version]) => version);
  if (tieBreak.movingFrom !== undefined && tied.includes(tieBreak.movingFrom)) return tieBreak.movingFrom;
  const rank = (version: string): number => (version === tieBreak.movingTo ? 1 : 0);
  return tied.sort((a, b) => rank(a) - rank(b) || compareNatural(a, b))[0];
}
