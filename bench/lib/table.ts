/**
 * The benchmarks' output: one aligned table (first and last columns left,
 * numbers right) and the targets met or missed under it.
 */
export function printTable(header: readonly string[], lines: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log('\n' + fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
}

export interface TargetResult {
  readonly label: string;
  readonly target: string;
  readonly met: boolean;
}

export function printTargets(results: readonly TargetResult[]): void {
  console.log('\ntargets');
  for (const r of results) console.log(`  ${r.met ? 'MET   ' : 'MISSED'} ${r.label}: ${r.target}`);
}

/** A target column cell: the target and whether this run met it. */
export function targetCell(target: string | undefined, met: boolean | undefined): string {
  return target ? `${target} ${met ? '(met)' : '(MISSED)'}` : '';
}
