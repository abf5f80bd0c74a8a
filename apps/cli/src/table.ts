/** Helios's table layout: every column as wide as its widest cell, four spaces apart, no trailing blanks. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], gap = 4): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    headers
      .map((_, i) => {
        const cell = cells[i] ?? '';
        return i === headers.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + gap);
      })
      .join('')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** `name:version:hash` → `name:version:` + the first 7 characters of the hash, as `helios jobs` shows it. */
export function shortJobId(id: string, full = false): string {
  if (full) return id;
  const parts = id.split(':');
  if (parts.length !== 3) return id;
  return `${parts[0]}:${parts[1]}:${(parts[2] ?? '').slice(0, 7)}`;
}

/** A command line as a shell would read it back: arguments with blanks or quotes are double-quoted. */
export function formatCommand(command: readonly string[]): string {
  return command.map((arg) => (arg === '' || /[\s"'\\$`]/.test(arg) ? `"${arg.replace(/(["\\$`])/g, '\\$1')}"` : arg)).join(' ');
}

/** `K=V` pairs, space-separated, sorted by key. */
export function formatPairs(pairs: Readonly<Record<string, unknown>>, separator = ' '): string {
  return Object.keys(pairs)
    .sort()
    .map((k) => `${k}=${String(pairs[k])}`)
    .join(separator);
}

/** `2014-08-11 14:37:44.987` (UTC), Helios's history timestamp. */
export function formatTimestamp(time: string | number): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);
  return date.toISOString().replace('T', ' ').replace(/Z$/, '');
}

/** `3 minutes`, `1 hour`, `12 seconds`: the age in Helios's `Up 3 minutes`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const units: [number, string][] = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    if (seconds >= size) {
      const n = Math.floor(seconds / size);
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

/** A container id as Helios prints it: 12 characters unless full. */
export function shortContainerId(id: string | null | undefined, length = 12, full = false): string {
  if (!id) return '<none>';
  return full ? id : id.slice(0, length);
}
