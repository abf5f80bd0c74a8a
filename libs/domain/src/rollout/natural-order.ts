/**
 * Helios orders a group's hosts with an alphanumeric comparator, so `host2`
 * comes before `host10`: runs of digits compare as numbers, the rest
 * case-insensitively (Helios uses an English collator), and exact
 * code-unit order breaks ties so the order is total and deterministic.
 */
const CHUNK = /(\d+|\D+)/g;

function compareDigits(a: string, b: string): number {
  const left = a.replace(/^0+(?=\d)/, '');
  const right = b.replace(/^0+(?=\d)/, '');
  // no Number(): digit runs in host names may exceed 2^53
  if (left.length !== right.length) return left.length - right.length;
  return left < right ? -1 : left > right ? 1 : 0;
}

function compareText(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  return left < right ? -1 : left > right ? 1 : 0;
}

function compareChunks(a: string, b: string): number {
  const left = a.match(CHUNK) ?? [];
  const right = b.match(CHUNK) ?? [];
  for (let i = 0; i < Math.min(left.length, right.length); i += 1) {
    const x = left[i] ?? '';
    const y = right[i] ?? '';
    const bothDigits = /^\d/.test(x) && /^\d/.test(y);
    const result = bothDigits ? compareDigits(x, y) : compareText(x, y);
    if (result !== 0) return result;
  }
  return left.length - right.length;
}

export function compareNatural(a: string, b: string): number {
  const result = compareChunks(a, b);
  if (result !== 0) return result;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function naturalSort(names: Iterable<string>): string[] {
  return [...names].sort(compareNatural);
}
