import { parseRequest } from './command-request';
import { RequestValidationError } from './error-response';
import { isActorName } from './request-rules';
import { ListJobsRequest, RegisterHostRequest, RemoveJobRequest } from './scheduler-api';

function problemsOf(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (err) {
    if (err instanceof RequestValidationError) return [...err.problems];
    throw err;
  }
  return [];
}

const host = { actor: 'alice', host: 'h1', agentId: 'agent-1' };

describe('actors', () => {
  it.each(['alice', 'ci bot', 'zoë@example.com', 'x'.repeat(256)])('accepts %j', (actor) => {
    expect(isActorName(actor)).toBe(true);
    expect(problemsOf(() => parseRequest(RegisterHostRequest, { ...host, actor }))).toEqual([]);
  });

  it.each(['x\n', '\nx', 'a\u0000b', 'a\u0007', '\u007f', 'x\u0085', ' x', 'x ', '', 'x'.repeat(257)])('refuses %j on commands and queries', (actor) => {
    expect(isActorName(actor)).toBe(false);
    expect(problemsOf(() => parseRequest(RegisterHostRequest, { ...host, actor }))).toEqual([{ path: 'actor', message: 'actor must be 1-256 characters without control characters or leading/trailing blanks' }]);
    expect(problemsOf(() => parseRequest(ListJobsRequest, { actor }))).toEqual([expect.objectContaining({ path: 'actor' })]);
  });
});

describe('names and references', () => {
  it.each([
    [RegisterHostRequest, { ...host, agentId: 'agent\n' }, 'agentId'],
    [RemoveJobRequest, { actor: 'alice', job: 'web:1\r' }, 'job'],
    [RegisterHostRequest, { ...host, correlationId: 'c\u001b' }, 'correlationId'],
  ])('refuse control characters (%p %j)', (cls, request, path) => {
    expect(problemsOf(() => parseRequest(cls as new () => object, request))).toEqual([{ path, message: `${path} must not contain control characters` }]);
  });
});

describe('labels on register-host', () => {
  it('accepts string → string and no labels', () => {
    expect(problemsOf(() => parseRequest(RegisterHostRequest, { ...host, labels: { role: 'web', 'zone.a': 'eu-1' } }))).toEqual([]);
    expect(problemsOf(() => parseRequest(RegisterHostRequest, host))).toEqual([]);
  });

  it.each([
    [{ a: 1.5 }, 'labels.a must be a string, not a number'],
    [{ a: { b: 1 } }, 'labels.a must be a string, not an object'],
    [null, 'labels must be an object of strings, not null'],
    [['a'], 'labels must be an object of strings, not an array'],
    [{ '': 'x' }, 'labels key "" must be 1-256 letters, digits, ".", "_" or "-"'],
  ])('refuses %j with INVALID_REQUEST naming the field', (labels, message) => {
    expect(problemsOf(() => parseRequest(RegisterHostRequest, { ...host, labels }))).toEqual([{ path: 'labels', message }]);
  });
});

describe('portRange on register-host (half-open, as the agent sends it)', () => {
  it('given the whole port space (--port-range 1-65535 or 1:65536) when registering then it is accepted, `to` 65536 being exclusive', () => {
    expect(problemsOf(() => parseRequest(RegisterHostRequest, { ...host, portRange: { from: 1, to: 65536 } }))).toEqual([]);
    expect(problemsOf(() => parseRequest(RegisterHostRequest, { ...host, portRange: { from: 20000, to: 32768 } }))).toEqual([]);
  });

  it.each([
    [{ from: 0, to: 10 }, 'portRange.from'],
    [{ from: 1, to: 65537 }, 'portRange.to'],
    [{ from: 1, to: 1 }, 'portRange.to'],
  ])('given %j when registering then INVALID_REQUEST names %s', (portRange, path) => {
    expect(problemsOf(() => parseRequest(RegisterHostRequest, { ...host, portRange })).map((p) => p.path)).toEqual([path]);
  });
});
