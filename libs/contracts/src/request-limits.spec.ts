import fc from 'fast-check';
import { parseRequest } from './command-request';
import { ErrorCode, RequestValidationError, toErrorResponse } from './error-response';
import { decodeRequestBody, jsonTextTooDeep, jsonValueTooDeep, MAX_REQUEST_BYTES, MAX_REQUEST_DEPTH, PayloadTooLargeError } from './request-limits';
import { RegisterHostRequest } from './scheduler-api';

const nestedArrays = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (err) {
    return toErrorResponse(err).error.code;
  }
  return undefined;
}

describe('request depth', () => {
  it('counts the request object as level 1, up to the limit included', () => {
    expect(jsonTextTooDeep(nestedArrays(MAX_REQUEST_DEPTH))).toBe(false);
    expect(jsonTextTooDeep(nestedArrays(MAX_REQUEST_DEPTH + 1))).toBe(true);
    expect(jsonValueTooDeep(JSON.parse(nestedArrays(MAX_REQUEST_DEPTH)))).toBe(false);
    expect(jsonValueTooDeep(JSON.parse(nestedArrays(MAX_REQUEST_DEPTH + 1)))).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonTextTooDeep(JSON.stringify({ a: '['.repeat(100), b: '\\"[[[[', c: '"{{{{' }), 3)).toBe(false);
  });

  it('agrees on text and on the parsed value for any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ depthSize: 'large' }), fc.integer({ min: 1, max: 8 }), (value, limit) => {
        expect(jsonTextTooDeep(JSON.stringify(value), limit)).toBe(jsonValueTooDeep(value, limit));
      }),
    );
  });

  it('answers 100,000 levels without overflowing the stack', () => {
    expect(jsonValueTooDeep(JSON.parse(nestedArrays(100_000)))).toBe(true);
    expect(codeOf(() => parseRequest(RegisterHostRequest, { actor: 'a', host: 'h', agentId: 'x', info: JSON.parse(nestedArrays(100_000)) }))).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('parseRequest refuses nesting past the limit before class-transformer runs', () => {
    const info = JSON.parse(nestedArrays(MAX_REQUEST_DEPTH)) as unknown;
    expect(() => parseRequest(RegisterHostRequest, { actor: 'a', host: 'h', agentId: 'x', info: { deep: info } })).toThrow(/deeper than 32 levels/);
  });
});

describe('decodeRequestBody', () => {
  it('parses a UTF-8 JSON body', () => {
    expect(decodeRequestBody(bytes('{"actor":"zoë"}'))).toEqual({ actor: 'zoë' });
  });

  it.each([[[0xff]], [[0xc3, 0x28]], [[0xc0, 0xaf]], [[0xed, 0xa0, 0x80]], [[0xe2, 0x82]]])('refuses invalid UTF-8 %j instead of replacing it', (bad) => {
    const body = new Uint8Array([...bytes('{"actor":"x'), ...bad, ...bytes('"}')]);
    expect(() => decodeRequestBody(body)).toThrow(RequestValidationError);
    expect(() => decodeRequestBody(body)).toThrow(/not valid UTF-8/);
  });

  it('refuses bodies over the size limit with PAYLOAD_TOO_LARGE and the sizes', () => {
    const body = bytes(JSON.stringify({ actor: 'x'.repeat(MAX_REQUEST_BYTES) }));
    expect(() => decodeRequestBody(body)).toThrow(PayloadTooLargeError);
    let response;
    try {
      decodeRequestBody(body);
    } catch (err) {
      response = toErrorResponse(err);
    }
    expect(response).toEqual({ ok: false, error: { code: ErrorCode.PAYLOAD_TOO_LARGE, message: expect.stringContaining(`limit of ${MAX_REQUEST_BYTES} bytes`), details: { bytes: body.byteLength, limit: MAX_REQUEST_BYTES } } });
    expect(decodeRequestBody(bytes(JSON.stringify({ a: 'x'.repeat(MAX_REQUEST_BYTES - 10) })))).toBeDefined();
  });

  it('leaves the other errors that carry a known code as they were', () => {
    expect(toErrorResponse(Object.assign(new Error('busy'), { code: ErrorCode.CONCURRENCY_CONFLICT, details: { x: 1 } })).error).toEqual({ code: ErrorCode.CONCURRENCY_CONFLICT, message: 'busy', details: {} });
  });

  it('refuses deep nesting and bad JSON with INVALID_REQUEST', () => {
    expect(codeOf(() => decodeRequestBody(bytes(`{"a":${nestedArrays(60_000)}}`)))).toBe(ErrorCode.INVALID_REQUEST);
    expect(codeOf(() => decodeRequestBody(bytes('{"a":')))).toBe(ErrorCode.INVALID_REQUEST);
  });
});
