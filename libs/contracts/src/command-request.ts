import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, validateSync, type ValidationError } from 'class-validator';
import { RequestValidationError } from './error-response';
import { jsonValueTooDeep, tooDeepError } from './request-limits';
import { IsActorName, NoControlCharacters } from './request-rules';

/**
 * Fields every command request carries. `actor` is recorded on every event
 * the command causes; `correlationId` ties a user action to all its events
 * (the scheduler makes one up when absent).
 */
export abstract class CommandRequest {
  @IsString()
  @IsActorName()
  actor!: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  @NoControlCharacters()
  correlationId?: string;
}

export class CreateJobRequest extends CommandRequest {
  /** the job file as JSON; validated field by field by the domain */
  @IsObject()
  job!: Record<string, unknown>;
}

export class RemoveJobRequest extends CommandRequest {
  /** a job reference: full id, name:version, name or id prefix (must resolve to exactly one job) */
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  @NoControlCharacters()
  job!: string;

  @IsOptional()
  @IsString()
  token?: string;
}

type Ctor<T> = new () => T;

/**
 * Validates raw JSON against a request class. Returns a typed instance or
 * throws RequestValidationError listing every problem (not just the first).
 * Unknown properties are rejected so that typos do not pass silently.
 * Nesting past MAX_REQUEST_DEPTH is refused before class-transformer sees it
 * (it recurses once per level).
 */
export function parseRequest<T extends object>(cls: Ctor<T>, raw: unknown): T {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new RequestValidationError([{ path: '', message: 'request must be a JSON object' }]);
  }
  if (jsonValueTooDeep(raw)) throw tooDeepError();
  const instance = plainToInstance(cls, raw);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) throw new RequestValidationError(flatten(errors, ''));
  return instance;
}

function flatten(errors: readonly ValidationError[], prefix: string): { path: string; message: string }[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...flatten(e.children ?? [], path)];
  });
}
