import { canonicalJson } from '../canonical-json';
import { foldEvents, type Decider } from '../decider';
import { isDomainError, type DomainError, type ErrorCode } from '../errors';

/**
 * Given/when/then for deciders. It asserts by itself (throwing
 * `SpecificationError`) instead of calling jest's `expect`, because this file
 * is part of the library's source and is compiled by projects that do not have
 * jest's globals; a throw fails a test under any runner. For matchers (e.g.
 * `expect.any`) take `.outcome()` and assert on it with `expect`.
 */
export class SpecificationError extends Error {
  override readonly name = 'SpecificationError';
}

export type DecisionOutcome<E> =
  | { readonly kind: 'events'; readonly events: readonly E[] }
  | { readonly kind: 'error'; readonly error: unknown };

export interface WhenStep<E> {
  /** Asserts that the command is accepted with exactly these events (compared as canonical JSON, in order). */
  then(expected: readonly E[]): void;
  /** Asserts that the command is rejected with a DomainError of `code` (so no events), and returns it. */
  thenThrows(code: ErrorCode): DomainError;
  /** What happened, for assertions the two methods above cannot express. */
  outcome(): DecisionOutcome<E>;
}

export interface GivenStep<C, E> {
  when(command: C): WhenStep<E>;
}

function show(value: unknown): string {
  try {
    return JSON.stringify(JSON.parse(canonicalJson(value)), null, 2);
  } catch {
    return String(value);
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    return false; // events must be JSON: a value that is not cannot match
  }
}

function decideSafely<C, E, S>(decider: Decider<C, E, S>, state: S, command: C): DecisionOutcome<E> {
  try {
    const events = decider.decide(command, state);
    foldEvents(decider, events, state); // an event that evolve cannot apply is a bug too
    return { kind: 'events', events };
  } catch (error) {
    return { kind: 'error', error };
  }
}

function assertEvents<E>(outcome: DecisionOutcome<E>, expected: readonly E[]): void {
  // `then` makes this object look like a promise: fail clearly if someone awaits it
  if (!Array.isArray(expected)) {
    throw new SpecificationError('given(...).when(...) is not a promise: call .then([...events]), do not await it');
  }
  if (outcome.kind === 'error') {
    throw new SpecificationError(`expected events ${show(expected)}\nbut decide threw: ${describeError(outcome.error)}`);
  }
  if (!sameJson(outcome.events, expected)) {
    throw new SpecificationError(`expected events ${show(expected)}\nbut got ${show(outcome.events)}`);
  }
}

function assertThrows<E>(outcome: DecisionOutcome<E>, code: ErrorCode): DomainError {
  if (outcome.kind === 'events') {
    throw new SpecificationError(`expected DomainError ${code}\nbut decide returned events ${show(outcome.events)}`);
  }
  if (!isDomainError(outcome.error) || outcome.error.code !== code) {
    throw new SpecificationError(`expected DomainError ${code}\nbut decide threw: ${describeError(outcome.error)}`);
  }
  return outcome.error;
}

function describeError(error: unknown): string {
  if (isDomainError(error)) return `DomainError ${error.code}: ${error.message} ${show(error.details)}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** `given(decider, pastEvents).when(command).then(newEvents)` or `.thenThrows(code)`. */
export function given<C, E, S>(decider: Decider<C, E, S>, events: readonly E[] = []): GivenStep<C, E> {
  return {
    when(command: C): WhenStep<E> {
      const outcome = decideSafely(decider, foldEvents(decider, events), command);
      return {
        then: (expected) => assertEvents(outcome, expected),
        thenThrows: (code) => assertThrows(outcome, code),
        outcome: () => outcome,
      };
    },
  };
}
