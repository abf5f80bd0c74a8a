import { ErrorCode, RequestValidationError } from './error-response';

/**
 * Limits every request meets before it is parsed into a request class: a
 * body of at most MAX_REQUEST_BYTES and arrays/objects nested at most
 * MAX_REQUEST_DEPTH deep (the request object itself is level 1). Past them
 * class-transformer and class-validator recurse without bound (20,000 levels
 * overflowed the stack). The same limits hold on NATS and over HTTP.
 */
export const MAX_REQUEST_BYTES = 512 * 1024;
export const MAX_REQUEST_DEPTH = 32;

/** A request body over MAX_REQUEST_BYTES: PAYLOAD_TOO_LARGE (HTTP 413); nothing was read further. */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
  readonly code = ErrorCode.PAYLOAD_TOO_LARGE;
  readonly details: { readonly bytes: number | null; readonly limit: number };

  constructor(bytes: number | undefined, limit: number = MAX_REQUEST_BYTES) {
    super(`request body ${bytes === undefined ? '' : `(${bytes} bytes) `}exceeds the limit of ${limit} bytes`);
    this.details = { bytes: bytes ?? null, limit };
  }
}

const OPEN = new Set([0x5b, 0x7b]); // [ {
const CLOSE = new Set([0x5d, 0x7d]); // ] }
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Whether JSON text nests arrays/objects deeper than `limit`; one pass, brackets inside strings ignored, no parsing. */
export function jsonTextTooDeep(text: string, limit: number = MAX_REQUEST_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (OPEN.has(c)) {
      if (++depth > limit) return true;
    } else if (CLOSE.has(c)) depth--;
  }
  return false;
}

/** Whether a parsed value nests arrays/objects deeper than `limit`; iterative, so any depth is safe to ask about. */
export function jsonValueTooDeep(value: unknown, limit: number = MAX_REQUEST_DEPTH): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.depth > limit) return true;
    for (const child of Object.values(item.value)) if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: item.depth + 1 });
  }
  return false;
}

export function tooDeepError(limit: number = MAX_REQUEST_DEPTH): RequestValidationError {
  return new RequestValidationError([{ path: '', message: `request nests arrays and objects deeper than ${limit} levels` }]);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A request body as received (NATS payload): refused when over the size
 * limit (PAYLOAD_TOO_LARGE), not UTF-8, nested too deep or not JSON
 * (INVALID_REQUEST). Invalid UTF-8 is refused, never replaced by U+FFFD.
 */
export function decodeRequestBody(bytes: Uint8Array): unknown {
  if (bytes.byteLength > MAX_REQUEST_BYTES) throw new PayloadTooLargeError(bytes.byteLength);
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new RequestValidationError([{ path: '', message: 'request body is not valid UTF-8' }]);
  }
  if (jsonTextTooDeep(text)) throw tooDeepError();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RequestValidationError([{ path: '', message: 'request body is not valid JSON' }]);
  }
}
