import type { GroupHostCounts } from '../api/types';

/** `3 (2 UP)`, `none match`, `—` when unknown */
export function hostCountsText(counts: GroupHostCounts | null | undefined): string {
  if (!counts) return '—';
  return counts.matching === 0 ? 'none match' : `${counts.matching} (${counts.up} UP)`;
}
