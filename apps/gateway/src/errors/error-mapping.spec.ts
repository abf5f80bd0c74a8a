import { ErrorCode } from '@berth/contracts';
import { DomainError } from '@berth/domain';
import { BerthError } from '@berth/scheduler-client';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import { describeError, toGraphQLError } from './berth-exception.filter';
import { httpStatusOf, toErrorBody } from './error-mapping';

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
});
