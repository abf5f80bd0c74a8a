import { parseRequest } from './command-request';
import { RequestValidationError } from './error-response';
import { ROLLOUT_HOSTS_MAX_LIMIT, RolloutQueryRequest } from './scheduler-api';

const ID = '7f1d8a52-3c1e-4f57-9a43-2b8c1a6e0d11';

function problemPaths(raw: object): string[] {
  try {
    parseRequest(RolloutQueryRequest, raw);
  } catch (err) {
    if (err instanceof RequestValidationError) return [...new Set(err.problems.map((problem) => problem.path))];
    throw err;
  }
  return [];
}

describe('RolloutQueryRequest (berth.cmd.rollout)', () => {
  it('takes a page: hostsAfter a host name, hostsLimit from 1 to the maximum; both optional', () => {
    expect(parseRequest(RolloutQueryRequest, { id: ID })).toMatchObject({ id: ID });
    expect(parseRequest(RolloutQueryRequest, { id: ID, hostsAfter: 'web-host10', hostsLimit: 1 })).toMatchObject({ hostsAfter: 'web-host10', hostsLimit: 1 });
    expect(parseRequest(RolloutQueryRequest, { id: ID, hostsLimit: ROLLOUT_HOSTS_MAX_LIMIT }).hostsLimit).toBe(5000);
  });

  it.each([0, -1, 5001, 2.5, '10', null, true, Number.MAX_SAFE_INTEGER])('refuses hostsLimit %j, with one problem', (hostsLimit) => {
    let caught: unknown;
    try {
      parseRequest(RolloutQueryRequest, { id: ID, hostsLimit });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RequestValidationError);
    expect((caught as RequestValidationError).problems).toEqual([{ path: 'hostsLimit', message: 'hostsLimit must be an integer from 1 to 5000' }]);
  });

  it.each([7, null, '', 'two words', 'a/b', 'x'.repeat(254)])('refuses hostsAfter %j', (hostsAfter) => {
    expect(problemPaths({ id: ID, hostsAfter })).toEqual(['hostsAfter']);
  });

  it('refuses unknown page fields and a missing id', () => {
    expect(problemPaths({ id: ID, hostsOffset: 5 })).toEqual(['hostsOffset']);
    expect(problemPaths({ hostsLimit: 5 })).toEqual(['id']);
  });
});
