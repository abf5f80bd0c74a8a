import { DomainError, ErrorCode } from '../errors';
import { LABEL_KEY_PATTERN } from './host-labels';

export * from './host-labels';

/**
 * Helios host selectors (`HostSelector.parse`): `key=value`, `key!=value`,
 * `key in (a, b)`, `key notin (a, b)`. Several selectors are ANDed.
 *
 * Matching follows Helios's master (`HostMatcher`, used by `helios hosts -s`
 * and by deployment groups), not `HostSelector.matches` alone: a host must
 * *have* the label for any selector to match, so `key!=value` and
 * `key notin (…)` do NOT match a host that lacks `key` (Helios's
 * HostMatcherTest: `role=foo, special!=yes` matches no host without `special`).
 *
 * Operators keep Helios's JSON names so deployment groups read like
 * `helios inspect-deployment-group --json`.
 */
export type SelectorOperator = 'EQUALS' | 'NOT_EQUALS' | 'IN' | 'NOT_IN';

export type HostSelector =
  | { readonly label: string; readonly operator: 'EQUALS' | 'NOT_EQUALS'; readonly operand: string }
  /** `operand` is a set: sorted, without duplicates (Helios: `a in (foo,foo)` equals `a in (foo)`). */
  | { readonly label: string; readonly operator: 'IN' | 'NOT_IN'; readonly operand: readonly string[] };

export type HostLabels = Readonly<Record<string, string>>;

const OPERATOR_TEXT: Record<SelectorOperator, string> = {
  EQUALS: '=',
  NOT_EQUALS: '!=',
  IN: 'in',
  NOT_IN: 'notin',
};

// Helios's LABEL_PATTERN `[\p{Alnum}._-]+` (Java's \p{Alnum} is ASCII): label keys follow it too
const TOKEN = LABEL_KEY_PATTERN;
const TOKEN_ONLY = new RegExp(`^${TOKEN}$`);
const COMPARISON = new RegExp(`^(${TOKEN})\\s*(!=|=)\\s*(${TOKEN})$`);
// A word operator needs a space before it: Helios's regex backtracks `anotin(b)` into label `anot`, op `in`.
const MEMBERSHIP = new RegExp(`^(${TOKEN})\\s+(in|notin)(?:\\s*\\(([^()]*)\\)|\\s+(${TOKEN}))$`);

function parseList(text: string): string[] | undefined {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (!items.every((item) => TOKEN_ONLY.test(item))) return undefined;
  return [...new Set(items)].sort();
}

/** The selector, or undefined when `text` is not one (Helios's `parse` returns null). */
export function tryParseHostSelector(text: string): HostSelector | undefined {
  // Berth tolerates surrounding whitespace; Helios's anchored regex does not
  const trimmed = text.trim();
  const comparison = COMPARISON.exec(trimmed);
  if (comparison) {
    const [, label = '', op, operand = ''] = comparison;
    return { label, operator: op === '=' ? 'EQUALS' : 'NOT_EQUALS', operand };
  }
  const membership = MEMBERSHIP.exec(trimmed);
  if (!membership) return undefined;
  const [, label = '', op, list, single] = membership;
  // a bare operand (`a in b`) is a one-element set, as in Helios
  const operand = list === undefined ? [single ?? ''] : parseList(list);
  if (operand === undefined) return undefined;
  return { label, operator: op === 'in' ? 'IN' : 'NOT_IN', operand };
}

/** Throws INVALID_HOST_SELECTOR ("Invalid host selector: X", Helios's wording). */
export function parseHostSelector(text: string): HostSelector {
  const selector = tryParseHostSelector(text);
  if (selector === undefined) {
    throw new DomainError(ErrorCode.INVALID_HOST_SELECTOR, `Invalid host selector: ${text}`, { selector: text });
  }
  return selector;
}

/** All of them, or INVALID_HOST_SELECTOR listing every one that does not parse. */
export function parseHostSelectors(texts: readonly string[]): HostSelector[] {
  const invalid = texts.filter((text) => tryParseHostSelector(text) === undefined);
  if (invalid.length > 0) {
    throw new DomainError(ErrorCode.INVALID_HOST_SELECTOR, `Invalid host selector: ${invalid.join(', ')}`, {
      selectors: invalid,
    });
  }
  return texts.map(parseHostSelector);
}

/** Helios's operator predicate on a label value that is present. */
function operandMatches(selector: HostSelector, value: string): boolean {
  switch (selector.operator) {
    case 'EQUALS':
      return value === selector.operand;
    case 'NOT_EQUALS':
      return value !== selector.operand;
    case 'IN':
      return selector.operand.includes(value);
    case 'NOT_IN':
      return !selector.operand.includes(value);
  }
}

/** One selector against a host's labels; a host without the label never matches (see above). */
export function matchesSelector(selector: HostSelector, labels: HostLabels): boolean {
  if (!Object.prototype.hasOwnProperty.call(labels, selector.label)) return false;
  const value = labels[selector.label];
  return value !== undefined && operandMatches(selector, value);
}

/**
 * AND of all selectors. An empty list matches every host (the `hosts` query
 * without `-s`); a deployment group with no selectors must match none, which
 * is the caller's rule (Helios's HostMatcher skips such groups).
 */
export function matchesAll(selectors: readonly HostSelector[], labels: HostLabels): boolean {
  return selectors.every((selector) => matchesSelector(selector, labels));
}

/** Re-parseable text: `A = B`, `A != B`, `a in (bar, foo)` (Helios's toPrettyString for = and !=). */
export function formatSelector(selector: HostSelector): string {
  const operand = typeof selector.operand === 'string' ? selector.operand : `(${selector.operand.join(', ')})`;
  return `${selector.label} ${OPERATOR_TEXT[selector.operator]} ${operand}`;
}

/** `in (x)` and `= x` select the same hosts (likewise `notin (x)` and `!= x`). */
function normalised(selector: HostSelector): string {
  if (typeof selector.operand !== 'string' && selector.operand.length === 1) {
    const [only = ''] = selector.operand;
    return formatSelector({ label: selector.label, operator: selector.operator === 'IN' ? 'EQUALS' : 'NOT_EQUALS', operand: only });
  }
  return formatSelector(selector);
}

/**
 * Whether two selector lists are the same condition whatever their order or
 * spelling (Helios's `isLogicallyEqual`, which decides NOT_MODIFIED vs
 * CONFLICT when a deployment group is created again).
 */
export function selectorsLogicallyEqual(a: readonly HostSelector[], b: readonly HostSelector[]): boolean {
  const left = [...new Set(a.map(normalised))].sort();
  const right = [...new Set(b.map(normalised))].sort();
  return left.length === right.length && left.every((text, index) => text === right[index]);
}
