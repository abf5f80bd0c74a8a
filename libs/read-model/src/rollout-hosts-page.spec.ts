import { foldEvents, rolloutDecider, type Rollout } from '@berth/domain';
import { rolloutHostsPage } from './deployment-group-queries';

/** A started rollout over `hosts` (all UP, nothing deployed: every row PENDING). */
function rolloutOver(hosts: readonly string[]): Rollout {
  const command = { type: 'StartRollout' as const, rolloutId: 'r1', group: 'g', jobId: 'svc:2:abc', hosts: hosts.map((host) => ({ host, status: 'UP' as const, jobs: [] })), options: { parallelism: 1 }, time: '2026-01-01T00:00:00.000Z' };
  const state = foldEvents(rolloutDecider, rolloutDecider.decide(command, rolloutDecider.initialState), rolloutDecider.initialState);
  if (state.kind !== 'rollout') throw new Error('no rollout');
  return state;
}

const names = (page: { rows: readonly { host: string }[] }) => page.rows.map((row) => row.host);
const HOSTS = ['h10', 'h2', 'h1', 'h3', 'h11'];
const BIG = { limit: 1000, maxChars: 1_000_000 };

describe('rolloutHostsPage', () => {
  it('pages in natural order, after the host named, `next` only while more remain', () => {
    const rollout = rolloutOver(HOSTS);
    expect(rolloutHostsPage(rollout, { ...BIG, limit: 2 })).toMatchObject({ next: 'h2' });
    expect(names(rolloutHostsPage(rollout, { ...BIG, limit: 2 }))).toEqual(['h1', 'h2']);
    expect(names(rolloutHostsPage(rollout, { ...BIG, limit: 2, after: 'h2' }))).toEqual(['h3', 'h10']);
    const last = rolloutHostsPage(rollout, { ...BIG, limit: 2, after: 'h10' });
    expect(names(last)).toEqual(['h11']);
    expect(last).not.toHaveProperty('next');
    expect(rolloutHostsPage(rollout, { ...BIG, limit: 5 })).not.toHaveProperty('next');
  });

  it('a cursor that is not a host of the rollout starts after where it would sort; past the end is an empty last page', () => {
    const rollout = rolloutOver(HOSTS);
    expect(names(rolloutHostsPage(rollout, { ...BIG, after: 'h4' }))).toEqual(['h10', 'h11']);
    expect(names(rolloutHostsPage(rollout, { ...BIG, after: 'a' }))).toEqual(['h1', 'h2', 'h3', 'h10', 'h11']);
    expect(rolloutHostsPage(rollout, { ...BIG, after: 'z' })).toEqual({ rows: [] });
  });

  it('ends a page before its JSON passes maxChars, but always carries one row so that paging goes on', () => {
    const rollout = rolloutOver(HOSTS);
    const oneRow = JSON.stringify(rolloutHostsPage(rollout, { ...BIG, limit: 1 }).rows[0]).length;
    const page = rolloutHostsPage(rollout, { limit: 1000, maxChars: oneRow * 2 + 5 });
    expect(names(page)).toEqual(['h1', 'h2']);
    expect(page.next).toBe('h2');
    expect(names(rolloutHostsPage(rollout, { limit: 1000, maxChars: 1, after: 'h2' }))).toEqual(['h3']);
  });

  it('10,000 hosts: two pages of the largest size, each well under 1 MB', () => {
    const rollout = rolloutOver(Array.from({ length: 10_000 }, (_, i) => `fleet-host${i + 1}`));
    let after: string | undefined;
    let pages = 0;
    do {
      const page = rolloutHostsPage(rollout, { limit: 5000, maxChars: 600_000, ...(after === undefined ? {} : { after }) });
      expect(JSON.stringify(page.rows).length).toBeLessThan(600_000);
      after = page.next;
      pages += 1;
    } while (after !== undefined);
    expect(pages).toBe(2);
  });
});
