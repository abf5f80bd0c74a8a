import { ErrorCode, RequestValidationError, toErrorResponse } from './error-response';
import { CreateJobRequest, parseRequest, RemoveJobRequest } from './command-request';
import { DomainError } from '@berth/domain';

describe('parseRequest', () => {
  it('accepts a well-formed request and returns a typed instance', () => {
    const req = parseRequest(RemoveJobRequest, { actor: 'alice', job: 'web:1:abc', token: 't' });
    expect(req).toBeInstanceOf(RemoveJobRequest);
    expect(req.job).toBe('web:1:abc');
  });

  it('lists every problem, not just the first', () => {
    let caught: unknown;
    try {
      parseRequest(CreateJobRequest, { actor: 42, job: 'nope', extra: true });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RequestValidationError);
    const paths = (caught as RequestValidationError).problems.map((p) => p.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['actor', 'job', 'extra']));
  });

  it.each([null, [], 'x', 3])('rejects a non-object body %j', (raw) => {
    expect(() => parseRequest(CreateJobRequest, raw)).toThrow(RequestValidationError);
  });
});

describe('toErrorResponse', () => {
  it('keeps the code and details of a domain error', () => {
    const res = toErrorResponse(new DomainError('JOB_NOT_FOUND', 'job x not found', { jobId: 'x' }));
    expect(res).toEqual({ ok: false, error: { code: 'JOB_NOT_FOUND', message: 'job x not found', details: { jobId: 'x' } } });
  });

  it('maps validation failures to INVALID_REQUEST with the problems', () => {
    const res = toErrorResponse(new RequestValidationError([{ path: 'actor', message: 'actor must be a string' }]));
    expect(res.error.code).toBe(ErrorCode.INVALID_REQUEST);
    expect(res.error.details).toEqual({ problems: [{ path: 'actor', message: 'actor must be a string' }] });
  });

  it('maps anything else to INTERNAL', () => {
    expect(toErrorResponse(new TypeError('boom')).error.code).toBe(ErrorCode.INTERNAL);
  });
});
