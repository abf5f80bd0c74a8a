/**
 * Host labels are string → string. A key follows the selector grammar
 * (Helios's LABEL_PATTERN: ASCII letters, digits, ".", "_" and "-"), so that
 * every label can be named by a selector; a value is any string without
 * control characters. Anything else (numbers, objects, null, arrays, empty
 * keys) is refused before it reaches the history.
 */
export const LABEL_KEY_PATTERN = '[A-Za-z0-9._-]+';
const LABEL_KEY = new RegExp(`^${LABEL_KEY_PATTERN}$`);
const CONTROL_CHARACTER = /\p{Cc}/u;

export const MAX_LABELS = 256;
export const MAX_LABEL_KEY_LENGTH = 256;
export const MAX_LABEL_VALUE_LENGTH = 1024;

export function isLabelKey(key: string): boolean {
  return key.length <= MAX_LABEL_KEY_LENGTH && LABEL_KEY.test(key);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function valueProblem(key: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return `labels.${key} must be a string, not ${kindOf(value)}`;
  if (value.length > MAX_LABEL_VALUE_LENGTH) return `labels.${key} must be at most ${MAX_LABEL_VALUE_LENGTH} characters`;
  if (CONTROL_CHARACTER.test(value)) return `labels.${key} must not contain control characters`;
  return undefined;
}

/** Every way `labels` breaks the rules above, each naming the field; empty when they are fine. */
export function hostLabelProblems(labels: unknown): string[] {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return [`labels must be an object of strings, not ${kindOf(labels)}`];
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS) return [`labels must have at most ${MAX_LABELS} entries, not ${entries.length}`];
  return entries.flatMap(([key, value]) => {
    const problems: string[] = [];
    if (!isLabelKey(key)) problems.push(`labels key ${JSON.stringify(key)} must be 1-${MAX_LABEL_KEY_LENGTH} letters, digits, ".", "_" or "-"`);
    const problem = valueProblem(key, value);
    if (problem !== undefined) problems.push(problem);
    return problems;
  });
}
