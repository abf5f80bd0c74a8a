import { ErrorCode as DomainErrorCode, isDomainError } from '@berth/domain';

/** Codes added by the transport layer, on top of the domain's. */
export const TransportErrorCode = {
  /** the request is not well-formed (wrong types, missing fields); nothing was written */
  INVALID_REQUEST: 'INVALID_REQUEST',
  /** no handler for this command */
  UNKNOWN_COMMAND: 'UNKNOWN_COMMAND',
  /** the scheduler or the store cannot be reached right now; safe to retry */
  UNAVAILABLE: 'UNAVAILABLE',
  /** too many concurrent changes to the same thing; nothing was written, retry */
  CONCURRENCY_CONFLICT: 'CONCURRENCY_CONFLICT',
  /** a bug: the request may or may not have taken effect */
  INTERNAL: 'INTERNAL',
  /** no API token, or one the gateway does not know (HTTP 401) */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** a GraphQL document nested deeper than the gateway allows; nothing was executed */
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  /** a GraphQL document costing more than the gateway allows; nothing was executed */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** a GraphQL document that does not parse or does not fit the schema; nothing was executed */
  INVALID_QUERY: 'INVALID_QUERY',
  /** a request body over the size limit (HTTP 413); nothing was read or written */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
} as const;

export const ErrorCode = { ...DomainErrorCode, ...TransportErrorCode } as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface OkResponse<T> {
  readonly ok: true;
  readonly result: T;
}

export interface ErrorResponse {
  readonly ok: false;
  readonly error: ErrorBody;
}

export type CommandResponse<T> = OkResponse<T> | ErrorResponse;

export function okResponse<T>(result: T): OkResponse<T> {
  return { ok: true, result };
}

export function errorResponse(code: ErrorCode, message: string, details: Record<string, unknown> = {}): ErrorResponse {
  return { ok: false, error: { code, message, details } };
}

/**
 * Turns anything thrown while handling a command into an error response.
 * Domain errors keep their code; anything else is INTERNAL and its message
 * is not leaked beyond a short description.
 */
export function toErrorResponse(err: unknown): ErrorResponse {
  if (isDomainError(err)) return errorResponse(err.code, err.message, { ...err.details });
  if (err instanceof RequestValidationError) return errorResponse(ErrorCode.INVALID_REQUEST, err.message, { problems: err.problems });
  // errors of other layers (event store, …) that carry a code
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'STORE_UNAVAILABLE') return errorResponse(ErrorCode.UNAVAILABLE, 'the event store is unavailable; the change may or may not have been applied');
  if (code === 'FENCED') return errorResponse(ErrorCode.UNAVAILABLE, 'this scheduler is no longer the leader (a newer leader term began); nothing was written: retry');
  if (code === ErrorCode.PAYLOAD_TOO_LARGE && err instanceof Error) return errorResponse(code, err.message, { ...(err as { details?: object }).details });
  if (isErrorCode(code) && err instanceof Error) return errorResponse(code, err.message);
  const message = err instanceof Error ? err.message : String(err);
  return errorResponse(ErrorCode.INTERNAL, `internal error: ${message}`);
}

/** Thrown by `parseRequest` for malformed input; carries every problem found. */
export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';
  readonly code = ErrorCode.INVALID_REQUEST;

  constructor(readonly problems: readonly { path: string; message: string }[]) {
    super(`invalid request: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  }
}

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && KNOWN_CODES.has(value);
}
