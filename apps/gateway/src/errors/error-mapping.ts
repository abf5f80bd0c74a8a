import { ErrorCode, isErrorCode, type ErrorBody } from '@berth/contracts';
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
  if (code.startsWith('INVALID_')) return 400;
  if (code === ErrorCode.UNAVAILABLE) return 503;
  return 500;
}

/** Anything thrown while serving a request, as the `{code, message, details}` body clients match on. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof BerthError) return { code: err.code, message: err.message, details: err.details };
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
