import { ErrorCode, isErrorCode, RequestValidationError, type ErrorBody } from '@berth/contracts';
import { BerthError } from '@berth/scheduler-client';

const CONFLICTS: ReadonlySet<string> = new Set([
  ErrorCode.JOB_ALREADY_EXISTS,
  ErrorCode.JOB_ALREADY_DEPLOYED,
  ErrorCode.HOST_ALREADY_REGISTERED,
  ErrorCode.PORT_CONFLICT,
  ErrorCode.STILL_IN_USE,
  ErrorCode.JOB_NOT_DEPLOYED,
  ErrorCode.AMBIGUOUS_JOB_REFERENCE,
  ErrorCode.PORT_RANGE_EXHAUSTED,
  ErrorCode.CONCURRENCY_CONFLICT,
  ErrorCode.ROLLOUT_STATE_CONFLICT,
  ErrorCode.RELEASE_STATE_CONFLICT,
  ErrorCode.RELEASE_IN_PROGRESS,
  ErrorCode.GATE_NOT_PENDING,
  ErrorCode.VERSION_MARKED_BAD,
]);

/** The HTTP status a Berth error code is answered with on REST. */
export function httpStatusOf(code: string): number {
  if (code.endsWith('_NOT_FOUND') || code === ErrorCode.UNKNOWN_COMMAND) return 404;
  if (CONFLICTS.has(code) || code.startsWith('ALREADY_') || code.includes('_ALREADY_')) return 409;
  if (code === ErrorCode.UNAUTHENTICATED) return 401;
  if (code === ErrorCode.FORBIDDEN) return 403;
  if (code === ErrorCode.QUERY_TOO_DEEP || code === ErrorCode.QUERY_TOO_COMPLEX) return 400;
  if (code === ErrorCode.PAYLOAD_TOO_LARGE) return 413;
  if (code.startsWith('INVALID_')) return 400;
  if (code === ErrorCode.UNAVAILABLE) return 503;
  return 500;
}

/** What body-parser (express.json) fails with: http-errors with a `type` such as `entity.too.large` or `entity.parse.failed`. */
interface BodyParserError {
  readonly type: string;
  readonly status: number;
  readonly limit?: number;
  readonly length?: number;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  const { type, status } = (err ?? {}) as { type?: unknown; status?: unknown };
  return typeof type === 'string' && typeof status === 'number' && status >= 400 && status < 500;
}

/** body-parser's `type` of a body that is not UTF-8 (the gateway's `verify` refuses it) */
export const INVALID_UTF8 = 'entity.invalid.utf8';

const BODY_PROBLEMS: Readonly<Record<string, string>> = {
  'entity.parse.failed': 'request body is not valid JSON',
  [INVALID_UTF8]: 'request body is not valid UTF-8',
};

/** A body that could not be read: too large (413), not JSON, a charset or encoding body-parser does not know. Never INTERNAL. */
function fromBodyParserError(err: BodyParserError): ErrorBody {
  if (err.type === 'entity.too.large') {
    return { code: ErrorCode.PAYLOAD_TOO_LARGE, message: `request body exceeds the limit of ${err.limit} bytes`, details: { bytes: err.length ?? null, limit: err.limit ?? null } };
  }
  const message = BODY_PROBLEMS[err.type] ?? `request body cannot be read (${err.type})`;
  return { code: ErrorCode.INVALID_REQUEST, message, details: { problems: [{ path: '', message }] } };
}

/** Anything thrown while serving a request, as the `{code, message, details}` body clients match on. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof BerthError) return { code: err.code, message: err.message, details: err.details };
  if (err instanceof RequestValidationError) return { code: err.code, message: err.message, details: { problems: err.problems } };
  if (isBodyParserError(err)) return fromBodyParserError(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (isErrorCode(code) && err instanceof Error) {
    const details = (err as { details?: unknown }).details;
    return { code, message: err.message, details: typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : {} };
  }
  return { code: ErrorCode.INTERNAL, message: 'internal error', details: {} };
}

/** A Berth error raised by the gateway itself (not by the scheduler). */
export function gatewayError(code: ErrorBody['code'], message: string, details: Record<string, unknown> = {}): BerthError {
  return new BerthError(code, message, details);
}
