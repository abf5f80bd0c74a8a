import type { Decider } from '../decider';
import { DomainError, ErrorCode } from '../errors';
import { given, SpecificationError } from './given-when-then';

type CounterCommand = { type: 'Add'; amount: number; time: string } | { type: 'Reset'; time: string };
type CounterEvent = { type: 'Added'; amount: number } | { type: 'WasReset' };

// a tiny decider: adding a non-positive amount is a domain error; reset at 0 is forbidden
const counter: Decider<CounterCommand, CounterEvent, number> = {
  initialState: 0,
  decide(command, state) {
    if (command.type === 'Reset') {
      if (state === 0) throw new DomainError(ErrorCode.FORBIDDEN, 'nothing to reset');
      return [{ type: 'WasReset' }];
    }
    if (command.amount <= 0) throw new DomainError(ErrorCode.INVALID_JOB_DEFINITION, 'bad amount');
    return [{ type: 'Added', amount: command.amount }];
  },
  evolve: (state, event) => (event.type === 'Added' ? state + event.amount : 0),
};
const time = '2030-01-01T00:00:00Z';

describe('given/when/then', () => {
  it('passes when the events match, folding the given events first', () => {
    given(counter, [{ type: 'Added', amount: 2 }]).when({ type: 'Reset', time }).then([{ type: 'WasReset' }]);
  });

  it('compares events as JSON, ignoring key order', () => {
    given(counter).when({ type: 'Add', amount: 1, time }).then([{ amount: 1, type: 'Added' }]);
  });

  it('fails when the events differ', () => {
    const step = given(counter).when({ type: 'Add', amount: 1, time });
    expect(() => step.then([{ type: 'Added', amount: 2 }])).toThrow(SpecificationError);
    expect(() => step.then([])).toThrow(/but got/);
  });

  it('fails then() when decide threw', () => {
    expect(() => given(counter).when({ type: 'Reset', time }).then([])).toThrow(/but decide threw: DomainError FORBIDDEN/);
  });

  it('thenThrows returns the DomainError with the expected code', () => {
    const error = given(counter).when({ type: 'Reset', time }).thenThrows(ErrorCode.FORBIDDEN);
    expect(error.message).toBe('nothing to reset');
  });

  it('thenThrows fails on another code, and when events were produced', () => {
    expect(() => given(counter).when({ type: 'Reset', time }).thenThrows(ErrorCode.JOB_NOT_FOUND)).toThrow(
      /expected DomainError JOB_NOT_FOUND/,
    );
    expect(() => given(counter).when({ type: 'Add', amount: 1, time }).thenThrows(ErrorCode.FORBIDDEN)).toThrow(
      /but decide returned events/,
    );
  });

  it('outcome() exposes the result for custom assertions', () => {
    expect(given(counter).when({ type: 'Add', amount: 3, time }).outcome()).toEqual({
      kind: 'events',
      events: [{ type: 'Added', amount: 3 }],
    });
  });

  it('fails clearly if awaited like a promise', async () => {
    const step = given(counter).when({ type: 'Add', amount: 1, time });
    await expect(Promise.resolve().then(() => step)).rejects.toThrow(/is not a promise/);
  });
});
