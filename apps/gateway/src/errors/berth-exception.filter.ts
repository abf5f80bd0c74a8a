import { ErrorCode } from '@berth/contracts';
import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import type { HttpResponse as Response } from '../rest/http-response';
import { httpStatusOf, toErrorBody } from './error-mapping';

export interface RestErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** Nest's own HTTP exceptions (validation, unknown route) in Berth's error shape. */
export function fromHttpException(err: HttpException): RestErrorBody & { status: number } {
  const status = err.getStatus();
  const response = err.getResponse() as { message?: unknown };
  const problems = Array.isArray(response.message) ? response.message.map(String) : [];
  if (status === 400) {
    return { status, code: ErrorCode.INVALID_REQUEST, message: problems.length > 0 ? `invalid request: ${problems.join('; ')}` : err.message, details: { problems } };
  }
  return { status, code: status === 404 ? 'NOT_FOUND' : `HTTP_${status}`, message: err.message, details: {} };
}

/** Any error, as REST status + body or as a GraphQL error whose `extensions.code` is the Berth code. */
export function describeError(err: unknown): RestErrorBody & { status: number } {
  if (err instanceof HttpException) return fromHttpException(err);
  const body = toErrorBody(err);
  return { ...body, status: httpStatusOf(body.code) };
}

export function toGraphQLError(err: unknown): GraphQLError {
  if (err instanceof GraphQLError) return err;
  const { code, message, details, status } = describeError(err);
  // 401/403 also set the HTTP status of a GraphQL-over-HTTP answer (Apollo reads extensions.http, and strips it)
  const http = status === 401 || status === 403 ? { http: { status } } : {};
  return new GraphQLError(message, { extensions: { code, details, ...http } });
}

/**
 * One place where errors get their Berth code: REST answers
 * `{code, message, details}` with the mapped HTTP status; GraphQL gets an
 * error with `extensions.code`.
 */
@Catch()
export class BerthExceptionFilter implements ExceptionFilter {
  constructor(private readonly onInternal: (err: unknown) => void = () => undefined) {}

  catch(exception: unknown, host: ArgumentsHost): unknown {
    const described = describeError(exception);
    if (described.code === ErrorCode.INTERNAL) this.onInternal(exception);
    if (host.getType<string>() === 'graphql') return toGraphQLError(exception);
    const { status, ...body } = described;
    host.switchToHttp().getResponse<Response>().status(status).json(body);
    return undefined;
  }
}
