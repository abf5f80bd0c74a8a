import { DomainError, ErrorCode } from '../errors';

/**
 * A host's dynamic port range, half-open: `from` is the first port, `to` the
 * first port past the end (`{ from: 20000, to: 32768 }` is 20000…32767).
 * Half-open because that is what Helios's `--port-range 20000:32768` and the
 * agent protocol's `portRange` mean, a range's size is `to - from`, and an
 * empty range (`from === to`) can be told from a one-port range.
 */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** Helios's default `--port-range 20000:32768`: ports 20000…32767. */
export const DEFAULT_PORT_RANGE: PortRange = { from: 20000, to: 32768 };

export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** The last port of the range (inclusive), for messages and for the inclusive flag form. */
export const lastPortOf = (range: PortRange): number => range.to - 1;

export const portRangeContains = (range: PortRange, port: number): boolean => port >= range.from && port < range.to;

/** `20000-32767`: the form operators read, both ends inclusive. */
export const formatPortRange = (range: PortRange): string => `${range.from}-${lastPortOf(range)}`;

const EXAMPLE = 'use 20000:32768 (Helios form, end exclusive) or 20000-32767 (both ends inclusive)';

function invalid(raw: string, why: string): DomainError {
  return new DomainError(ErrorCode.INVALID_PORT_RANGE, `"${raw}" is not a port range: ${why}; ${EXAMPLE}`, { value: raw });
}

/**
 * The one grammar of `--port-range` (agent and scheduler), two forms:
 * - `FROM:TO`, Helios's form: TO is exclusive (`20000:32768` is 20000…32767);
 * - `FROM-TO`, both ends inclusive (`20000-32767` is 20000…32767, `20000-20000` the single port 20000).
 * Every port must lie within 1…65535 (so `1:65536` and `1-65535` are the whole space) and the
 * range must hold at least one port. Throws INVALID_PORT_RANGE otherwise.
 */
export function parsePortRange(raw: string): PortRange {
  const match = /^(\d{1,6})([:-])(\d{1,6})$/.exec(raw.trim());
  if (!match) throw invalid(raw, 'expected FROM:TO or FROM-TO with whole numbers');
  const from = Number(match[1]);
  const inclusive = match[2] === '-';
  const to = Number(match[3]) + (inclusive ? 1 : 0);
  if (from < MIN_PORT || from > MAX_PORT) throw invalid(raw, `the first port ${from} is outside ${MIN_PORT}-${MAX_PORT}`);
  if (to - 1 > MAX_PORT) throw invalid(raw, `the last port ${to - 1} is outside ${MIN_PORT}-${MAX_PORT}`);
  if (to <= from) {
    throw invalid(raw, inclusive ? `the first port ${from} is after the last ${to - 1}` : `the end ${to} (exclusive) is not after the first port ${from}, so the range is empty`);
  }
  return { from, to };
}
