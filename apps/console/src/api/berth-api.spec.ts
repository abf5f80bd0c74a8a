import { toApiError } from './berth-api';

describe('toApiError', () => {
  it("keeps the Berth code and the error's details (e.g. INVALID_PIPELINE's problems)", () => {
    const problems = [{ path: 'pipeline[0].timeout', line: 3, message: 'must be a number of seconds' }];
    const error = toApiError([{ message: 'Invalid pipeline file', extensions: { code: 'INVALID_PIPELINE', details: { problems } } }], 'fallback');
    expect([error.code, error.message, error.details]).toEqual(['INVALID_PIPELINE', 'Invalid pipeline file', { problems }]);
  });

  it('has empty details when the gateway sends none or something that is not an object', () => {
    expect(toApiError([{ message: 'no', extensions: { code: 'FORBIDDEN' } }], 'fallback').details).toEqual({});
    expect(toApiError([{ message: 'no', extensions: { code: 'FORBIDDEN', details: ['x'] } }], 'fallback').details).toEqual({});
    expect(toApiError(undefined, 'fallback').code).toBe('INTERNAL');
  });
});
