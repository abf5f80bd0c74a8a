import { ErrorCode, tooDeepError } from '@berth/contracts';
import { DomainError } from '@berth/domain';
import { BerthError } from '@berth/scheduler-client';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import { describeError, toGraphQLError } from './berth-exception.filter';
import { httpStatusOf, INVALID_UTF8, toErrorBody } from './error-mapping';

describe('Berth error code → HTTP status', () => {
  it.each([
    [ErrorCode.JOB_NOT_FOUND, 404],
    [ErrorCode.HOST_NOT_FOUND, 404],
    [ErrorCode.DEPLOYMENT_GROUP_NOT_FOUND, 404],
    [ErrorCode.ROLLOUT_NOT_FOUND, 404],
    [ErrorCode.DEPLOYMENT_GROUP_ALREADY_EXISTS, 409],
    [ErrorCode.ROLLOUT_STATE_CONFLICT, 409],
    [ErrorCode.INVALID_ROLLOUT_OPTIONS, 400],
    [ErrorCode.JOB_ALREADY_EXISTS, 409],
    [ErrorCode.JOB_ALREADY_DEPLOYED, 409],
    [ErrorCode.HOST_ALREADY_REGISTERED, 409],
    [ErrorCode.PORT_CONFLICT, 409],
    [ErrorCode.STILL_IN_USE, 409],
    [ErrorCode.JOB_NOT_DEPLOYED, 409],
    [ErrorCode.AMBIGUOUS_JOB_REFERENCE, 409],
    [ErrorCode.CONCURRENCY_CONFLICT, 409],
    [ErrorCode.FORBIDDEN, 403],
    [ErrorCode.INVALID_JOB_DEFINITION, 400],
    [ErrorCode.INVALID_REQUEST, 400],
    [ErrorCode.INVALID_HOST_SELECTOR, 400],
    [ErrorCode.UNAVAILABLE, 503],
    [ErrorCode.INTERNAL, 500],
    [ErrorCode.PAYLOAD_TOO_LARGE, 413],
  ])('%s → %i', (code, status) => {
    expect(httpStatusOf(code)).toBe(status);
  });

  it('maps every known code to a 4xx or 5xx', () => {
    for (const code of Object.values(ErrorCode)) expect(httpStatusOf(code)).toBeGreaterThanOrEqual(400);
  });
});

describe('error bodies', () => {
  it('keeps the code and details of scheduler and domain errors', () => {
    expect(toErrorBody(new BerthError(ErrorCode.PORT_CONFLICT, 'taken', { port: 80 }))).toEqual({ code: 'PORT_CONFLICT', message: 'taken', details: { port: 80 } });
    expect(toErrorBody(new DomainError(ErrorCode.JOB_NOT_FOUND, 'Job not found: x', { job: 'x' }))).toEqual({ code: 'JOB_NOT_FOUND', message: 'Job not found: x', details: { job: 'x' } });
  });

  it('does not leak the message of an unexpected error', () => {
    expect(toErrorBody(new Error('secret stack detail'))).toEqual({ code: 'INTERNAL', message: 'internal error', details: {} });
  });

  it('turns validation failures into INVALID_REQUEST with every problem', () => {
    const described = describeError(new BadRequestException(['first must not be less than 1', 'after must be a string']));
    expect(described).toMatchObject({ status: 400, code: 'INVALID_REQUEST', details: { problems: ['first must not be less than 1', 'after must be a string'] } });
    expect(describeError(new NotFoundException())).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('gives GraphQL errors the Berth code in extensions.code', () => {
    const err = toGraphQLError(new BerthError(ErrorCode.JOB_NOT_FOUND, 'Job not found: x', { job: 'x' }));
    expect(err.message).toBe('Job not found: x');
    expect(err.extensions).toEqual({ code: 'JOB_NOT_FOUND', details: { job: 'x' } });
  });

  it('answers a body over the limit 413 PAYLOAD_TOO_LARGE, with the sizes, not INTERNAL', () => {
    // what body-parser passes on (http-errors): see raw-body's entity.too.large
    const tooLarge = Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413, expose: true, limit: 524_288, length: 600_000 });
    expect(describeError(tooLarge)).toEqual({ status: 413, code: ErrorCode.PAYLOAD_TOO_LARGE, message: 'request body exceeds the limit of 524288 bytes', details: { bytes: 600_000, limit: 524_288 } });
  });

  it('answers a body that does not parse or is not UTF-8 400 INVALID_REQUEST', () => {
    const parse = Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed', status: 400 });
    expect(describeError(parse)).toMatchObject({ status: 400, code: ErrorCode.INVALID_REQUEST, message: 'request body is not valid JSON' });
    const utf8 = Object.assign(new Error('request body is not valid UTF-8'), { type: INVALID_UTF8, status: 403 });
    expect(describeError(utf8)).toMatchObject({ status: 400, code: ErrorCode.INVALID_REQUEST, message: 'request body is not valid UTF-8' });
  });

  it('keeps the problems of a request refused before validation (nesting too deep)', () => {
    expect(describeError(tooDeepError())).toEqual({ status: 400, code: ErrorCode.INVALID_REQUEST, message: expect.stringContaining('deeper than 32 levels'), details: { problems: [{ path: '', message: 'request nests arrays and objects deeper than 32 levels' }] } });
  });
});
