import { jsonValueTooDeep, MAX_REQUEST_BYTES, tooDeepError } from '@berth/contracts';
import { INVALID_UTF8 } from '../errors/error-mapping';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';

type Next = (err?: unknown) => void;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * body-parser's `verify`: bytes that are not UTF-8 are refused, not decoded
 * into U+FFFD. body-parser passes the error on as http-errors with this
 * `type` (and status 403, which the exception filter does not use).
 */
function refuseInvalidUtf8(_req: unknown, _res: unknown, body: Buffer): void {
  try {
    UTF8.decode(body);
  } catch {
    throw Object.assign(new Error('request body is not valid UTF-8'), { type: INVALID_UTF8 });
  }
}

/** Arrays/objects nested past MAX_REQUEST_DEPTH: INVALID_REQUEST before the ValidationPipe's class-transformer recurses into them. */
function refuseDeepBodies(req: { body?: unknown }, _res: unknown, next: Next): void {
  next(jsonValueTooDeep(req.body) ? tooDeepError() : undefined);
}

/**
 * The request limits of the NATS API over HTTP too: bodies up to
 * MAX_REQUEST_BYTES (past it body-parser's `entity.too.large`, which the
 * exception filter answers 413 PAYLOAD_TOO_LARGE), nested at most
 * MAX_REQUEST_DEPTH deep. Call before `init()`: Nest then skips its own
 * parsers (100 kB), and these run before every route and GraphQL.
 */
export function applyRequestLimits(app: INestApplication): void {
  const express = app as NestExpressApplication;
  // Nest's types leave `verify` out (it sets it for rawBody, which the gateway does not use)
  const options = { limit: MAX_REQUEST_BYTES, verify: refuseInvalidUtf8 } as { limit: number };
  express.useBodyParser('json', options);
  express.useBodyParser('urlencoded', { ...options, extended: true });
  express.use(refuseDeepBodies);
}
